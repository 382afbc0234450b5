"""Attachments and senders (issue 10): files land only in the chosen folder, the real
extension and the real address are what the user sees, suspicious senders are flagged.

Names come plain, as RFC 2047 words inside a quoted parameter (Outlook), and as RFC 2231
parameters (percent-encoded, continued over several lines), which decode "/" and "\\"
that a plain name would not even carry.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pymailgui.message import save_all_parts, view
from pymailgui.message.summary import summarize_headers
from tests.hostile.conftest import AccountMaker
from tests.support.popserver import ScriptedMaker

HOSTILE_NAMES = {
    "dot-dot": 'filename="../../../../.bashrc"',
    "absolute": 'filename="/etc/cron.d/evil"',
    "windows": 'filename="C:\\\\Windows\\\\System32\\\\evil.dll"',
    "unc": 'filename="\\\\\\\\server\\\\share\\\\evil.exe"',
    "rfc2047 traversal": 'filename="=?utf-8?q?=2E=2E=2F=2E=2E=2Fevil=2Esh?="',
    "rfc2231 traversal": "filename*=utf-8''..%2F..%2F..%2Fevil.sh",
    "rfc2231 continued": "filename*0*=utf-8''..%2F..;\r\n filename*1*=%2Fcontinued.sh",
    "device": 'filename="CON"',
    "device with extension": 'filename="aux.txt"',
    "com port": 'filename="COM1.tar.gz"',
    "hidden": 'filename=".profile"',
    "nul": "filename*=utf-8''evil%00.txt",
    "empty": 'filename=""',
    "only dots": 'filename="..."',
    "long": 'filename="' + "a" * 1000 + '.txt"',
}


def with_attachment(disposition_params: str, data: bytes = b"payload") -> bytes:
    return (
        b"From: a@example.org\r\nTo: b@example.org\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
        + disposition_params.encode()
        + b"\r\n\r\n"
        + data
        + b"\r\n--B--\r\n"
    )


@pytest.mark.parametrize("params", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_a_hostile_name_lands_only_in_the_chosen_folder(tmp_path: Path, params: str) -> None:
    chosen = tmp_path / "a" / "b" / "c" / "chosen"
    chosen.mkdir(parents=True)
    before = set(tmp_path.rglob("*"))
    paths = save_all_parts(with_attachment(params), chosen)
    assert len(paths) == 2
    for path in paths:
        assert path.parent == chosen.resolve()
        assert not path.name.startswith(".") and len(path.name.encode()) <= 200
        assert path.name.split(".")[0].upper() not in {"CON", "AUX", "COM1", "NUL"}
    assert set(tmp_path.rglob("*")) - before == set(paths)  # nothing anywhere else
    assert (chosen / paths[1].name).read_bytes() == b"payload"


def test_a_planted_symlink_is_never_followed(tmp_path: Path) -> None:
    chosen = tmp_path / "chosen"
    chosen.mkdir()
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    os.symlink(victim, chosen / "report.pdf")
    (path,) = save_all_parts(
        with_attachment('filename="report.pdf"'), chosen, attachments_only=True
    )
    assert path.name == "report (1).pdf" and victim.read_bytes() == b"precious"


@pytest.mark.parametrize(
    ("name", "shown_ending"),
    [
        ("invoice\u202egpj.exe", ".exe"),  # RLO: would display as "invoiceexe.jpg"
        ("photo.jpg\u200b\u200b.exe", ".exe"),  # zero-width spaces
        ("report.pdf" + " " * 80 + ".exe", ".pdf .exe"),  # pushed out of a narrow column
        ("doc\u2066.pdf\u2069.scr", ".scr"),  # bidi isolates
        ("file.txt\u00ad.js", ".js"),  # a soft hyphen
    ],
)
def test_the_real_extension_is_what_the_user_sees(name: str, shown_ending: str) -> None:
    raw = with_attachment(f"filename*=utf-8''{_pct(name)}")
    (part,) = view(raw).attachments
    assert part.filename is not None and part.filename.endswith(shown_ending)
    assert not any(c in part.filename for c in "\u202e\u200b\u2066\u2069\u00ad")
    assert "  " not in part.filename


def _pct(text: str) -> str:
    return "".join(f"%{b:02X}" for b in text.encode("utf-8"))


def test_a_display_name_that_is_an_address_never_hides_the_real_one() -> None:
    raw = b'From: "paypal@paypal.com" <evil@example.net>\r\nSubject: hi\r\n\r\nhi\r\n'
    (sender,) = view(raw).from_
    assert str(sender) == '"paypal@paypal.com" <evil@example.net>'
    assert "<evil@example.net>" in summarize_headers(raw).from_  # the list shows it too


def test_several_from_fields_are_all_shown_and_flagged() -> None:
    raw = (
        b"From: Your Bank <security@bank.example>\r\nFrom: evil@example.net\r\n"
        b"Subject: verify\r\n\r\nclick\r\n"
    )
    shown = view(raw)
    assert [a.addr_spec for a in shown.from_] == ["security@bank.example", "evil@example.net"]
    assert any("2 From fields" in d for d in shown.defects) and shown.malformed


def test_the_gui_flags_senders_that_pretend(tmp_path: Path) -> None:
    # gui/lookalike.py is plain Python: the view window's warnings, checked here too.
    from pymailgui.gui.lookalike import KnownSenders, warnings
    from pymailgui.message import Address

    known = KnownSenders(["Bob <bob@example.com>"] * 3)
    cases = [
        Address("paypal@paypal.com", "evil@example.net"),
        Address("Bob\u202e", "bob@example.com"),
        Address("Bob", "bob@ex\u0430mple.com"),  # Cyrillic a
        Address("Bob", "bob@examp1e.com"),
    ]
    assert all(warnings(sender, known) for sender in cases)
    assert warnings(Address("Bob", "bob@example.com"), known) == []


def test_saving_every_part_of_a_server_message_stays_in_the_folder(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker, tmp_path: Path
) -> None:
    server = scripted_pop([with_attachment(p) for p in HOSTILE_NAMES.values()])
    account = hostile_account(server)
    account.refresh()
    chosen = tmp_path / "chosen"
    for row in account.index():
        for path in account.save_parts(account.fetch(row.key), chosen):
            assert path.parent == chosen.resolve()
    stray = [
        p for p in tmp_path.rglob("*")
        if p.is_file() and not p.is_relative_to(chosen)
        and not p.relative_to(tmp_path).parts[0].startswith("state-")
    ]  # fmt: skip
    assert stray == []
