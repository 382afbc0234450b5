"""The shared broken-mail corpus (tests/data/mail) goes through a folder and mbox intact."""

from __future__ import annotations

from pathlib import Path

from pymailgui.store import FolderStore, export_mbox, import_mbox

CORPUS = Path(__file__).parent.parent / "data" / "mail"


def _corpus() -> list[bytes]:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    assert len(files) > 50  # the corpus is really there
    return [p.read_bytes() for p in files]


def test_every_corpus_message_is_stored_listed_and_read_back(store: FolderStore) -> None:
    inbox = store.folder("Inbox")
    messages = _corpus()
    keys = [inbox.add(m) for m in messages]
    entries = inbox.entries()
    assert sorted(e.key for e in entries) == sorted(keys)
    for key, data in zip(keys, messages, strict=True):
        assert inbox.get(key) == data
    for e in entries:
        for text in (e.from_, e.to, e.subject, e.message_id):
            assert "\n" not in text and "\r" not in text and "\x00" not in text
            text.encode("utf-8")  # displayable: no lone surrogates


def _canonical(data: bytes) -> bytes:
    """What import stores: LF line endings and a final newline (see mbox.py)."""
    if not data.endswith(b"\n"):
        data += b"\n"  # so a final lone CR becomes a CRLF line end, hence LF
    return data.replace(b"\r\n", b"\n")


def test_corpus_survives_an_mbox_round_trip(store: FolderStore, tmp_path: Path) -> None:
    first = store.folder("Saved")
    corpus = _corpus()
    for data in corpus:
        first.add(data)
    export_mbox(first, tmp_path / "one.mbox")
    second = store.create("Second")
    non_empty = [d for d in corpus if d]  # an empty message is not imported
    assert import_mbox(tmp_path / "one.mbox", second) == len(non_empty)
    stored = sorted(second.get(k) for k in second)
    assert stored == sorted(_canonical(d) for d in non_empty)
    export_mbox(second, tmp_path / "two.mbox")
    third = store.create("Third")
    assert import_mbox(tmp_path / "two.mbox", third) == len(non_empty)
    assert sorted(third.get(k) for k in third) == stored
