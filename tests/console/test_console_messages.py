"""``pymail --demo`` end to end: reading, parts, local folders, sending, replies, mbox.

Every test runs the real command as a subprocess against the demo account (the project's
POP3 server and an aiosmtpd receiver on 127.0.0.1 that delivers into the demo inbox),
with a fresh ``PYMAILGUI_HOME``. What a command did is checked through another command
and, where it matters, through the files on disk.
"""

from __future__ import annotations

import email.policy
import json
import random
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from tests.console.conftest import Pymail, Result

pytestmark = pytest.mark.timeout(60)

PARSER = BytesParser(policy=email.policy.default)
FOLDER_KEYS = {"num", "key", "from", "to", "subject", "date", "size", "attachments", "flags"}
SUBJECTS = {
    "welcome": "Welcome to the PyMailGUI demo",
    "newsletter": "Issue 112: spring gardening, quiet cafés and the night market",
    "lunch": "Team lunch on Thursday?",
    "invoice": "Invoice 2026-0147 and the site photo",
    "dots": "Config snippet (lines starting with dots)",
    "release": "Moving the release to May 12",
}


class Demo:
    """``pymail --demo ...`` with every run checked for a stray traceback."""

    def __init__(self, pymail: Pymail) -> None:
        self.pymail = pymail

    def __call__(self, *args: str, stdin: str = "") -> Result:
        r = self.pymail("--demo", *args, stdin=stdin)
        assert "Traceback" not in r.err, r.err
        assert "internal error" not in r.err, r.err
        return r

    def ok(self, *args: str, stdin: str = "") -> Result:
        r = self(*args, stdin=stdin)
        assert r.rc == 0, f"{args}: exit {r.rc}: {r.err}"
        return r

    def index(self) -> list[dict[str, object]]:
        rows = json.loads(self.ok("list", "--json").text)
        assert isinstance(rows, list)
        return rows

    def number(self, subject: str, *, last: bool = False) -> int:
        """N of the message with this subject in a fresh list (the newest when ``last``)."""
        found = [int(str(r["num"])) for r in self.index() if r["subject"] == subject]
        assert found, f"no message {subject!r} in the demo inbox"
        return found[-1] if last else found[0]

    def folder(self, name: str) -> list[dict[str, object]]:
        rows = json.loads(self.ok("folder", name, "list", "--json").text)
        assert isinstance(rows, list)
        return rows

    def raw(self, *args: str) -> bytes:
        return self.ok(*args, "--raw").out


@pytest.fixture
def demo(pymail: Pymail) -> Demo:
    return Demo(pymail)


def parsed(data: bytes) -> EmailMessage:
    msg = PARSER.parsebytes(data)
    assert isinstance(msg, EmailMessage)
    return msg


def lf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")


# -- send, list, show, parts -----------------------------------------------------------


def test_send_then_list_show_and_parts_round_trip(demo: Demo, tmp_path: Path) -> None:
    payload = random.Random(7).randbytes(64 * 1024)
    attachment = tmp_path / "données 報告.bin"
    attachment.write_bytes(payload)
    body = "Bonjour, 世界 👋\n.a dot line\nFrom the console, with love.\n"

    sent = demo.ok(
        "send",
        "--to", "demo@example.com",
        "--subject", "Console round trip ✓",
        "--attach", str(attachment),
        stdin=body,
    )  # fmt: skip
    assert "demo@example.com" in sent.text

    n = demo.number("Console round trip ✓")
    shown = demo.ok("show", str(n)).text
    assert "Subject: Console round trip ✓" in shown
    assert "From:    Demo User <demo@example.com>" in shown
    assert "données 報告.bin" in shown
    for line in body.splitlines():
        assert line in shown.splitlines()

    out = tmp_path / "parts"
    written = [Path(line) for line in demo.ok("parts", str(n), "--dir", str(out)).lines()]
    assert all(p.parent == out for p in written)
    by_name = {p.name: p.read_bytes() for p in written}
    assert by_name["données 報告.bin"] == payload

    # A copy in Sent, nothing left in Outbox.
    (copy,) = demo.folder("Sent")
    assert copy["subject"] == "Console round trip ✓"
    assert demo.folder("Outbox") == []


def test_show_html_of_the_newsletter_is_sanitized(demo: Demo) -> None:
    n = demo.number(SUBJECTS["newsletter"])
    html = demo.ok("show", str(n), "--html").text
    assert "<p" in html.lower()  # it is the HTML part, not the text one
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<iframe" not in lowered
    assert "javascript:" not in lowered
    assert 'src="http' not in lowered and "src='http" not in lowered
    assert "tracker.example.com" not in lowered


def test_show_raw_is_the_message_as_stored(demo: Demo) -> None:
    n = demo.number(SUBJECTS["dots"])
    raw = demo.raw("show", str(n))
    assert parsed(raw)["Message-ID"] == "<dots-20260421@example.com>"
    assert b"\n.hidden-file" in lf(raw) and b"\nFrom the logs" in lf(raw)


# -- local folders ---------------------------------------------------------------------


def test_save_then_folder_list_and_show(demo: Demo) -> None:
    demo.index()  # numbers 1 and 2 as the user last saw them
    r = demo.ok("save", "1", "2", "--folder", "Saved")
    assert "2 messages" in r.text
    rows = demo.folder("Saved")
    assert len(rows) == 2
    assert all(set(row) >= FOLDER_KEYS for row in rows), rows[0].keys()
    assert {row["subject"] for row in rows} == {SUBJECTS["welcome"], SUBJECTS["newsletter"]}
    assert [row["num"] for row in rows] == [1, 2]
    first = next(row for row in rows if row["num"] == 1)
    shown = demo.ok("folder", "Saved", "show", "1").text
    assert f"Subject: {first['subject']}" in shown
    # Saving is a copy: the server still lists all 13.
    assert len(demo.index()) == 13


def test_save_with_delete_moves_the_message_off_the_server(demo: Demo) -> None:
    n = demo.number(SUBJECTS["lunch"])
    before = demo.raw("show", str(n))
    r = demo.ok("save", str(n), "--folder", "Keep", "--delete", "--yes")
    assert "Deleted 1 message" in r.text
    rows = demo.index()
    assert SUBJECTS["lunch"] not in {row["subject"] for row in rows}
    assert len(rows) == 12
    (kept,) = demo.folder("Keep")
    assert kept["subject"] == SUBJECTS["lunch"]
    assert lf(demo.raw("folder", "Keep", "show", "1")) == lf(before)


def test_folder_delete_and_move(demo: Demo) -> None:
    demo.index()
    demo.ok("save", "1", "2", "3", "--folder", "Work")
    rows = demo.folder("Work")
    subjects = [row["subject"] for row in rows]
    assert len(subjects) == 3

    r = demo.ok("folder", "Work", "delete", "1", "--yes")
    assert "Deleted 1 message" in r.text
    assert [row["subject"] for row in demo.folder("Work")] == subjects[1:]

    # "move 1" means the message listed as 1 just now (subjects[1]).
    r = demo.ok("folder", "Work", "move", "1", "--to", "Archive")
    assert "Moved 1 message" in r.text
    assert [row["subject"] for row in demo.folder("Work")] == subjects[2:]
    assert [row["subject"] for row in demo.folder("Archive")] == [subjects[1]]
    names = demo.ok("folders").text
    assert "Archive" in names and "Work" in names


def test_folder_numbers_are_those_of_the_last_list(demo: Demo) -> None:
    demo.index()
    demo.ok("save", "1", "2", "--folder", "Work")
    demo.folder("Work")
    demo.ok("folder", "Work", "delete", "1", "--yes")
    # Message 1 of the last list is gone: a stale number is refused, not re-aimed.
    r = demo("folder", "Work", "delete", "1", "--yes")
    r.assert_clean_error(2)
    assert len(demo.folder("Work")) == 1


def test_show_parts_and_reply_take_a_folder_number(demo: Demo, tmp_path: Path) -> None:
    n = demo.number(SUBJECTS["invoice"])
    demo.ok("save", str(n), "--folder", "Bills")
    (row,) = demo.folder("Bills")
    assert row["attachments"] is True
    assert lf(demo.raw("show", "1", "--folder", "Bills")) == lf(demo.raw("show", str(n)))

    folder_args = ("parts", "1", "--folder", "Bills", "--dir", str(tmp_path / "f"))
    from_folder = [Path(p) for p in demo.ok(*folder_args).lines()]
    from_server = [Path(p) for p in demo.ok("parts", str(n), "--dir", str(tmp_path / "s")).lines()]
    assert [p.name for p in from_folder] == [p.name for p in from_server]
    assert [p.read_bytes() for p in from_folder] == [p.read_bytes() for p in from_server]

    demo.ok("reply", "1", "--folder", "Bills", stdin="Paid.\n")
    (row,) = demo.folder("Bills")
    assert "R" in str(row["flags"])  # the local original is marked as answered
    back = demo.number("Re: " + SUBJECTS["invoice"], last=True)
    assert "Paid." in demo.ok("show", str(back)).text


def test_bcc_from_the_console_reaches_the_envelope_only(demo: Demo) -> None:
    r = demo.ok(
        "send", "--to", "demo@example.com", "--bcc", "hidden@example.com",
        "--subject", "with bcc", stdin="x\n",
    )  # fmt: skip
    assert "hidden@example.com" in r.text  # the server accepted it as a recipient
    back = demo.raw("show", str(demo.number("with bcc", last=True)))
    assert "Bcc" not in parsed(back)
    assert b"hidden@example.com" not in back


def test_parts_into_a_file_is_a_clean_error(demo: Demo, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_bytes(b"keep me")
    n = demo.number(SUBJECTS["invoice"])
    demo("parts", str(n), "--dir", str(target)).assert_clean_error(1)
    assert target.read_bytes() == b"keep me"


# -- reply and forward -----------------------------------------------------------------


def test_reply_all_sends_a_threaded_quoted_reply(demo: Demo) -> None:
    n = demo.number(SUBJECTS["release"])
    original = parsed(demo.raw("show", str(n)))
    text = "Fine by me — ça marche.\n"
    r = demo.ok("reply", str(n), "--all", stdin=text)
    # Carol wrote to the demo user and Bob: reply-all goes to both, never to ourselves.
    assert r.text.strip() == "Sent to carol@example.com, bob@example.com."

    back = demo.number("Re: " + SUBJECTS["release"], last=True)
    raw = demo.raw("show", str(back))
    msg = parsed(raw)
    assert msg["Subject"] == "Re: " + SUBJECTS["release"]
    assert msg["In-Reply-To"].strip() == original["Message-ID"].strip()
    assert original["Message-ID"].strip() in msg["References"].split()
    assert msg["From"].addresses[0].addr_spec == "demo@example.com"
    assert [a.addr_spec for a in msg["To"].addresses] == ["carol@example.com"]
    assert [a.addr_spec for a in msg["Cc"].addresses] == ["bob@example.com"]
    body = msg.get_body(("plain",))
    assert body is not None
    content = body.get_content().replace("\r\n", "\n")
    assert content.startswith(text.rstrip("\n"))
    first_line = original.get_body(("plain",)).get_content().splitlines()[0]  # type: ignore[union-attr]
    assert "> " + first_line in content
    # The sent copy is in Sent, with the same Message-ID that came back.
    (copy,) = demo.folder("Sent")
    assert copy["subject"] == msg["Subject"]


def test_forward_as_attachment_carries_the_original(demo: Demo) -> None:
    n = demo.number(SUBJECTS["invoice"])
    original = demo.raw("show", str(n))
    demo.ok(
        "forward", str(n), "--to", "demo@example.com", "--as-attachment", stdin="FYI, see below.\n"
    )
    back = demo.number("Fwd: " + SUBJECTS["invoice"], last=True)
    msg = parsed(demo.raw("show", str(back)))
    attached = [p for p in msg.walk() if p.get_content_type() == "message/rfc822"]
    assert len(attached) == 1
    inner = attached[0].get_content()
    assert isinstance(inner, EmailMessage)
    assert inner["Message-ID"] == parsed(original)["Message-ID"]
    assert inner["Subject"] == SUBJECTS["invoice"]
    body = msg.get_body(("plain",))
    assert body is not None and "FYI, see below." in body.get_content()


# -- mbox ------------------------------------------------------------------------------


def test_mbox_export_import_round_trip_keeps_from_lines(demo: Demo, tmp_path: Path) -> None:
    n = demo.number(SUBJECTS["dots"])
    demo.ok("save", str(n), "--folder", "Dots")
    original = demo.raw("folder", "Dots", "show", "1")
    assert b"\nFrom the logs" in lf(original) and b"\n>From quoted" in lf(original)

    mbox = tmp_path / "dots.mbox"
    demo.ok("export-mbox", "Dots", str(mbox))
    text = mbox.read_bytes()
    assert text.startswith(b"From ")
    # mboxrd: every body line matching ^>*From gains one ">" (and loses it on import).
    assert b"\n>From the logs" in text and b"\n>>From quoted" in text

    demo.ok("import-mbox", str(mbox), "--folder", "Back")
    (row,) = demo.folder("Back")
    assert row["subject"] == SUBJECTS["dots"]
    assert lf(demo.raw("folder", "Back", "show", "1")) == lf(original)

    # Exporting over an existing file needs --force.
    demo("export-mbox", "Dots", str(mbox)).assert_clean_error(2)


# -- errors ----------------------------------------------------------------------------


def test_unknown_folder_is_a_usage_error(demo: Demo) -> None:
    for args in (("folder", "Nope", "list"), ("folder", "Nope", "show", "1")):
        sentence = demo(*args).assert_clean_error(2)
        assert "Nope" in sentence


def test_send_without_recipient_is_a_usage_error(demo: Demo) -> None:
    r = demo("send", "--subject", "nobody", stdin="text\n")
    assert r.rc == 2, r.err
    assert demo.folder("Outbox") == [] and demo.folder("Sent") == []


@pytest.mark.parametrize(
    "subject", ["a\r\nBcc: x@example.com", "a\nBcc: x@example.com", "a\rBcc: x@example.com"]
)
def test_header_injection_in_subject_is_refused_and_nothing_sent(demo: Demo, subject: str) -> None:
    before = len(demo.index())
    r = demo("send", "--to", "demo@example.com", "--subject", subject, stdin="x\n")
    assert r.rc in (1, 2), r.err
    sentence = r.assert_clean_error(r.rc)
    assert "subject" in sentence.lower()
    assert len(demo.index()) == before
    assert demo.folder("Outbox") == [] and demo.folder("Sent") == []


def test_missing_attachment_is_a_usage_error(demo: Demo, tmp_path: Path) -> None:
    r = demo(
        "send", "--to", "demo@example.com", "--subject", "s",
        "--attach", str(tmp_path / "missing.pdf"), stdin="x\n",
    )  # fmt: skip
    sentence = r.assert_clean_error(2)
    assert "missing.pdf" in sentence
    assert demo.folder("Outbox") == [] and demo.folder("Sent") == []


@pytest.mark.parametrize(
    "args",
    [
        ("show", "99"),
        ("parts", "99", "--dir", "out"),
        ("save", "99", "--folder", "Saved"),
        ("save", "1", "--folder", "../up"),
        ("folder", "Saved", "show", "5"),
        ("reply", "99"),
    ],
)
def test_bad_numbers_and_names_are_usage_errors(
    demo: Demo, args: tuple[str, ...], tmp_path: Path
) -> None:
    demo.index()
    args = tuple(str(tmp_path / "out") if a == "out" else a for a in args)
    demo(*args, stdin="text\n").assert_clean_error(2)
    assert not (tmp_path / "out").exists()
