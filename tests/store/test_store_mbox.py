"""mboxrd import and export: byte-for-byte round trips, odd files, huge messages."""

from __future__ import annotations

import mailbox
import os
import tempfile
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.store.conftest import make_message

from pymailgui.errors import LocalStoreError, UsageError
from pymailgui.store import Folder, FolderStore, export_mbox, import_mbox
from pymailgui.store.mbox import from_line

SAMPLE = Path(__file__).parent / "data" / "sample.mboxrd"

SAMPLE_FIRST = (
    b"Return-Path: <alice@example.org>\nFrom: Alice <alice@example.org>\n"
    b"To: bob@example.org\nSubject: quoting\nDate: Mon, 02 Jan 2023 10:00:00 +0000\n"
    b"Message-ID: <q1@example.org>\n\nFirst line.\n"
    b"From the start of a line, mboxrd quotes this.\n>From twice quoted.\n>>From thrice.\n"
    b" From with a leading space is left alone.\nFrom\nFromage is not a separator.\n"
    b"A line with trailing spaces.   \n\n\nTwo empty lines above, one below.\n\n"
)


def _bodies(folder: Folder) -> list[bytes]:
    return [folder.get(e.key) for e in folder.entries()]


def test_fixed_sample_imports_unquoted_and_exports_back_identically(
    store: FolderStore, tmp_path: Path
) -> None:
    inbox = store.folder("Inbox")
    assert import_mbox(SAMPLE, inbox) == 3
    bodies = _bodies(inbox)
    assert bodies[0] == SAMPLE_FIRST
    assert bodies[1] == (
        b"From: bob@example.org\nSubject: =?utf-8?q?caf=C3=A9?=\n"
        b"Date: Tue, 03 Jan 2023 11:30:00 +0000\n\nshort\n"
    )
    # mbox cannot say "no final newline": import adds it (documented in mbox.py).
    assert bodies[2] == b"Subject: no final newline\n\nlast line without newline\n"
    assert [e.subject for e in inbox.entries()] == ["quoting", "café", "no final newline"]
    # The undated message keeps the From_ line's time as its delivery time.
    assert inbox.entries()[2].received == datetime(2023, 1, 4, 12, tzinfo=UTC).timestamp()

    out = tmp_path / "out.mbox"
    assert export_mbox(inbox, out) == 3
    assert out.read_bytes() == SAMPLE.read_bytes() + b"\n\n"
    again = store.create("Again")
    assert import_mbox(out, again) == 3
    assert _bodies(again) == bodies


def test_crlf_mbox_is_read_and_stored_with_lf(store: FolderStore, tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.mbox"
    crlf.write_bytes(SAMPLE.read_bytes().replace(b"\n", b"\r\n"))
    inbox = store.folder("Inbox")
    assert import_mbox(crlf, inbox) == 3
    assert _bodies(inbox)[0] == SAMPLE_FIRST


def test_export_turns_stored_crlf_into_lf(inbox: Folder, tmp_path: Path) -> None:
    inbox.add(make_message(1, body="From here\n>From there\nend\n", eol="\r\n"))
    out = tmp_path / "o.mbox"
    export_mbox(inbox, out)
    data = out.read_bytes()
    assert b"\r" not in data
    assert b"\n>From here\n>>From there\nend\n\n" in data


@pytest.mark.parametrize("content", [b"", b"\n", b"\n\r\n  \n"])
def test_empty_files_import_nothing(inbox: Folder, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.mbox"
    path.write_bytes(content)
    assert import_mbox(path, inbox) == 0
    assert len(inbox) == 0


def test_a_file_that_is_not_an_mbox_is_refused(inbox: Folder, tmp_path: Path) -> None:
    path = tmp_path / "x.eml"
    path.write_bytes(make_message())
    with pytest.raises(LocalStoreError, match="not an mbox file"):
        import_mbox(path, inbox)
    with pytest.raises(LocalStoreError, match="Cannot read"):
        import_mbox(tmp_path / "missing.mbox", inbox)


def test_empty_messages_are_skipped(inbox: Folder, tmp_path: Path) -> None:
    path = tmp_path / "e.mbox"
    path.write_bytes(
        b"From a Mon Jan  2 10:00:00 2023\nFrom b Mon Jan  2 10:00:00 2023\n\n"
        b"From c Mon Jan  2 10:00:00 2023\nSubject: x\n\nbody\n"
    )
    assert import_mbox(path, inbox) == 1
    assert _bodies(inbox) == [b"Subject: x\n\nbody\n"]


def test_export_refuses_to_overwrite_unless_asked(inbox: Folder, tmp_path: Path) -> None:
    inbox.add(make_message(1))
    out = tmp_path / "o.mbox"
    out.write_bytes(b"precious")
    with pytest.raises(UsageError, match="already exists"):
        export_mbox(inbox, out)
    assert out.read_bytes() == b"precious"
    assert export_mbox(inbox, out, overwrite=True) == 1
    assert out.read_bytes().startswith(b"From sender1@example.org Mon Jan  2 10:00:00 2023\n")
    assert sorted(os.listdir(tmp_path)) == ["folders", "o.mbox"]  # no temporary debris
    with pytest.raises(LocalStoreError):
        export_mbox(inbox, tmp_path / "no-such-dir" / "o.mbox")


def test_export_selected_keys_in_the_given_order(inbox: Folder, tmp_path: Path) -> None:
    keys = [inbox.add(make_message(n)) for n in range(3)]
    out = tmp_path / "o.mbox"
    assert export_mbox(inbox, out, keys=[keys[2], keys[0]]) == 2
    data = out.read_bytes()
    assert data.index(b"Message 2") < data.index(b"Message 0")
    assert b"Message 1" not in data


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            b"Return-Path: <bounce@lists.example>\nFrom: A <a@example.org>\n",
            b"bounce@lists.example",
        ),
        (b"From: A <a@example.org>\n", b"a@example.org"),
        (b"Return-Path: <>\nFrom: A <a@example.org>\n", b"MAILER-DAEMON"),
        (b"From: root\n", b"root"),
        (b"From: undisclosed-recipients:;\n", b"MAILER-DAEMON"),
        (b'From: "a b"@example.org\n', b"MAILER-DAEMON"),
        (b"Subject: none\n", b"MAILER-DAEMON"),
    ],
)
def test_from_line_sender(headers: bytes, expected: bytes) -> None:
    line = from_line(headers + b"Date: Sat, 01 Feb 2020 23:30:00 -0200\n\n")
    assert line == b"From " + expected + b" Sun Feb  2 01:30:00 2020\n"


def test_from_line_without_a_date_uses_the_fallback() -> None:
    when = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert from_line(b"Date: garbage\n\n", when) == b"From MAILER-DAEMON Thu Mar  4 05:06:07 2021\n"
    assert from_line(b"\n").startswith(b"From MAILER-DAEMON ")


def test_interoperates_with_the_stdlib_mbox(inbox: Folder, tmp_path: Path) -> None:
    theirs = tmp_path / "stdlib.mbox"
    box = mailbox.mbox(theirs)
    for n in range(3):
        box.add(make_message(n))
    box.flush()
    box.close()
    assert import_mbox(theirs, inbox) == 3
    assert _bodies(inbox) == [make_message(n) for n in range(3)]
    ours = tmp_path / "ours.mbox"
    export_mbox(inbox, ours)
    reread = mailbox.mbox(ours)
    try:
        assert sorted(m["Subject"] for m in reread) == ["Message 0", "Message 1", "Message 2"]
    finally:
        reread.close()


def test_huge_messages_are_streamed(inbox: Folder, tmp_path: Path) -> None:
    line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\n"
    size = 8 * 1024 * 1024
    path = tmp_path / "huge.mbox"
    with path.open("wb") as f:
        f.write(b"From a@b Mon Jan  2 10:00:00 2023\nReturn-Path: <a@b>\nSubject: big\n\n")
        for _ in range(size // len(line)):
            f.write(line)
        f.write(b"\nFrom a@b Mon Jan  2 10:00:00 2023\nReturn-Path: <a@b>\nSubject: small\n\nx\n")
    tracemalloc.start()
    try:
        assert import_mbox(path, inbox) == 2
        export_mbox(inbox, tmp_path / "back.mbox")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024  # far below the 8 MB message
    assert (tmp_path / "back.mbox").read_bytes() == path.read_bytes() + b"\n"


# -- property: any body survives import -> export -> import byte for byte --------------

_LINE = st.one_of(
    st.sampled_from(
        [
            "From ",
            "From x@y Mon Jan  2 10:00:00 2023",
            ">From ",
            ">>From quoted",
            ">>>From",
            "From",
            " From ",
            "trailing spaces   ",
            "",
            "\t",
            ">",
            "From:",
            "a lone\rcarriage return",
        ]
    ),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="\n\r"),
        max_size=30,
    ),
    st.builds(lambda s: "From " + s, st.text(alphabet="ab >", max_size=5)),
    st.builds(lambda n, s: ">" * n + "From " + s, st.integers(1, 4), st.text("xy ", max_size=3)),
)
_BODY = st.builds(
    lambda lines, final_newline: "\n".join(lines) + ("\n" if final_newline else ""),
    st.lists(_LINE, max_size=12),
    st.booleans(),
)


@settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bodies=st.lists(_BODY, min_size=1, max_size=3))
def test_round_trip_property(bodies: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = FolderStore(root / "folders")
        first, second = store.create("First"), store.create("Second")
        originals = [
            make_message(n, date=f"Mon, 0{n + 1} Jan 2023 10:00:00 +0000", body=body)
            for n, body in enumerate(bodies)
        ]
        for data in originals:
            first.add(data)
        export_mbox(first, root / "one.mbox")
        assert import_mbox(root / "one.mbox", second) == len(originals)
        # Stored bytes are exact, except that a missing final newline is supplied.
        canonical = [d if d.endswith(b"\n") else d + b"\n" for d in originals]
        assert _bodies(second) == canonical
        export_mbox(second, root / "two.mbox")
        assert (root / "two.mbox").read_bytes() == (root / "one.mbox").read_bytes()
        third = store.create("Third")
        import_mbox(root / "two.mbox", third)
        assert _bodies(third) == canonical


def test_status_headers_become_maildir_flags(inbox: Folder, tmp_path: Path) -> None:
    path = tmp_path / "status.mbox"
    path.write_bytes(
        b"From a Mon Jan  2 10:00:00 2023\nSubject: read\nStatus: RO\n\nx\n\n"
        b"From a Mon Jan  2 10:00:01 2023\nSubject: answered\nStatus: RO\nX-Status: AF\n\nx\n\n"
        b"From a Mon Jan  2 10:00:02 2023\nSubject: new\nStatus: O\n\nx\n\n"
        b"From a Mon Jan  2 10:00:03 2023\nSubject: plain\n\n\nStatus: R\n"
    )
    assert import_mbox(path, inbox) == 4
    flags = {e.subject: e.flags for e in inbox.entries()}
    assert flags == {"read": "S", "answered": "FRS", "new": "", "plain": ""}
    answered = next(e for e in inbox.entries() if e.subject == "answered")
    assert inbox.get(answered.key).endswith(b"Status: RO\nX-Status: AF\n\nx\n")
    plain = next(e for e in inbox.entries() if e.subject == "plain")
    assert inbox.get(plain.key) == b"Subject: plain\n\n\nStatus: R\n"
