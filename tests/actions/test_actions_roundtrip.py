"""Round trips through real servers: compose, send through aiosmtpd, fetch from Dovecot.

The path is the one a message really takes: ``Account.send`` builds it and hands it to
an aiosmtpd relay (the ``make_smtp_server`` fixture records the envelope and the DATA
bytes), the test then plays the MDA and delivers those bytes into a Dovecot Maildir,
and ``Account.refresh`` + ``fetch`` bring it back over POP3S, verified against the test
CA. Every header and byte that matters is checked on what came back, and the server side
(envelope, Maildir) is checked through the servers, never through the client under test.
"""

from __future__ import annotations

import email.policy
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.mail import make_message
from tests.support.smtp import SMTPOptions, SMTPTestServer

from pymailgui.actions import Account, open_account
from pymailgui.config.load import parse
from pymailgui.devserver.smtpscripted import ScriptedSMTPServer, SMTPScript
from pymailgui.errors import (
    LocalStoreError,
    MailError,
    MessageError,
    RecipientsRefused,
    SendError,
    UsageError,
)
from pymailgui.inbox import IndexCache
from pymailgui.message import Draft
from pymailgui.smtp.wire import strip_hidden_fields
from pymailgui.store import OUTBOX, SENT, FolderStore

pytestmark = pytest.mark.timeout(60)

SENDER_NAME = "Ἀλίκη Ζ. Παπαδοπούλου"  # non-ASCII: travels as an RFC 2047 encoded word
SENDER = "alice@example.com"
TO = "Bob Builder <bob@example.com>"
CC = "Carol <carol@example.com>"
BCC = "dave.hidden@example.com"
SUBJECT = "Ἀθήνα — 東京の会議 📬 ✓"
LONG_LINE = "".join(chr(ord("a") + i % 26) for i in range(1500))
# Lines that SMTP (dot-stuffing, RFC 5321 §4.5.2) and mbox ("From " escaping) mangle
# when a layer gets its job wrong; trailing spaces and a lone dot as well.
BODY = (
    "Γειά σου Bob, こんにちは 👋\n"
    ".\n"
    ". a line that starts with a dot\n"
    "..two dots\n"
    "From the start of a line, this must not become >From.\n"
    ">From an already quoted line\n"
    "trailing spaces stay   \n"
    f"{LONG_LINE}\n"
    "\n"
    "Last line.\n"
)
PARSER = BytesParser(policy=email.policy.default)


def parsed(data: bytes) -> EmailMessage:
    msg = PARSER.parsebytes(data)
    assert isinstance(msg, EmailMessage)
    return msg


def lf_text(text: str) -> str:
    return text.replace("\r\n", "\n")


def crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def config_text(user: DovecotUser, dovecot: DovecotServer, smtp_host: str, smtp_port: int) -> str:
    return f"""
[general]
use_keyring = false
protocol_log = false

[accounts.rt]
address = "{SENDER}"
display_name = "{SENDER_NAME}"

[accounts.rt.pop]
host = "{dovecot.host}"
port = {dovecot.pop3s_port}
security = "tls"
username = "{user.name}"
password_command = "printf '%s' '{user.password}'"
ca_file = "{dovecot.ca_file}"
timeout = 10.0

[accounts.rt.smtp]
host = "{smtp_host}"
port = {smtp_port}
security = "none"
auth = "none"
timeout = 5.0
"""


@dataclass
class World:
    """An account wired to a Dovecot mailbox (POP3S) and an SMTP server on loopback."""

    account: Account
    user: DovecotUser
    relay: SMTPTestServer | None
    folders_root: Path

    def deliver_last(self) -> str:
        """Play the MDA: put the relay's last DATA into the Dovecot Maildir; return its uid."""
        assert self.relay is not None
        content = self.relay.received[-1].content
        before = {e.key for e in self.account.index()}
        self.user.deliver(content)
        self.account.refresh()
        new = [e.key for e in self.account.index() if e.key not in before]
        assert len(new) == 1, new
        return new[0]

    def send_and_fetch(self, draft: Draft) -> bytes:
        """Send ``draft`` through the relay and fetch it back from Dovecot over POP3S."""
        self.account.send(draft)
        return self.account.fetch(self.deliver_last())

    def folder_messages(self, name: str) -> list[bytes]:
        folder = self.account.folders.folder(name, create=True)
        return [folder.get(k) for k in folder]


def make_world(
    tmp_path: Path,
    dovecot: DovecotServer,
    user: DovecotUser,
    relay: SMTPTestServer | None,
    smtp_port: int | None = None,
    folder_store: FolderStore | None = None,
) -> Iterator[World]:
    port = relay.port if relay is not None else smtp_port
    assert port is not None
    config = parse(config_text(user, dovecot, "127.0.0.1", port))
    root = tmp_path / "folders"
    account = open_account(
        config,
        cache=IndexCache(tmp_path / "cache.sqlite3"),
        folder_store=folder_store or FolderStore(root),
    )
    try:
        yield World(account, user, relay, root)
    finally:
        account.close()


@pytest.fixture
def world(
    tmp_path: Path,
    dovecot: DovecotServer,
    dovecot_user: DovecotUser,
    make_smtp_server: Callable[[SMTPOptions], SMTPTestServer],
) -> Iterator[World]:
    yield from make_world(tmp_path, dovecot, dovecot_user, make_smtp_server(SMTPOptions()))


@pytest.fixture(scope="module")
def attachment_data() -> bytes:
    return random.Random(20261126).randbytes(300 * 1024)


ATTACHMENT_NAME = "résumé δοκιμή 報告書.bin"


# -- a new message: every header and byte ----------------------------------------------


def test_new_message_round_trip_keeps_every_header_and_byte(
    world: World, tmp_path: Path, attachment_data: bytes
) -> None:
    attachment = tmp_path / "in" / ATTACHMENT_NAME
    attachment.parent.mkdir()
    attachment.write_bytes(attachment_data)
    started = datetime.now().astimezone()

    result = world.account.send(
        Draft(to=[TO], cc=[CC], bcc=[BCC], subject=SUBJECT, body=BODY, attachments=[attachment])
    )

    assert world.relay is not None
    (received,) = world.relay.received
    # The envelope: the account's address, and every recipient including the Bcc one.
    assert received.mail_from == SENDER
    assert sorted(received.rcpt_tos) == sorted(["bob@example.com", "carol@example.com", BCC])
    assert sorted(result.accepted) == sorted(received.rcpt_tos)
    assert result.refused == {}
    # Bcc is in no header of the transmitted bytes (any case), nor its address anywhere.
    assert not any(line.lower().startswith(b"bcc:") for line in received.content.split(b"\r\n"))
    assert BCC.encode() not in received.content
    assert b"\r\n" in received.content and b"\n" not in received.content.replace(b"\r\n", b"")

    data = world.account.fetch(world.deliver_last())
    # POP3 (dot-stuffed by Dovecot, un-stuffed by us) gave back every byte the relay got.
    assert data == received.content
    v = world.account.view(data)

    assert [(a.display_name, a.addr_spec) for a in v.from_] == [(SENDER_NAME, SENDER)]
    assert [(a.display_name, a.addr_spec) for a in v.to] == [("Bob Builder", "bob@example.com")]
    assert [(a.display_name, a.addr_spec) for a in v.cc] == [("Carol", "carol@example.com")]
    assert v.subject == SUBJECT
    assert v.date is not None and v.date.tzinfo is not None
    assert started - timedelta(seconds=2) <= v.date <= datetime.now().astimezone()
    assert v.message_id.startswith("<") and v.message_id.endswith("@example.com>")
    assert v.body_text == BODY
    assert not v.malformed, v.defects

    msg = parsed(data)
    assert "Bcc" not in msg and BCC not in data.decode("ascii", "replace")
    assert msg["Message-ID"].strip() == v.message_id
    assert len(msg.get_all("Message-ID") or []) == 1
    assert msg["MIME-Version"] == "1.0"
    # Headers went out 7-bit (no SMTPUTF8 asked): non-ASCII only as encoded words.
    header_block = data.split(b"\r\n\r\n", 1)[0]
    assert header_block.isascii()
    # No line on the wire is longer than RFC 5322 §2.1.1 allows (998 + CRLF).
    assert max(len(line) for line in data.split(b"\r\n")) <= 998

    # The attachment: its name and every byte, saved through the action.
    (att,) = v.attachments
    assert att.filename == ATTACHMENT_NAME
    assert att.size == len(attachment_data)
    saved = world.account.save_parts(data, tmp_path / "out", att.index)
    assert [p.name for p in saved] == [ATTACHMENT_NAME]
    assert saved[0].read_bytes() == attachment_data

    # Sent holds exactly what the server got, plus the Bcc field (so the user sees who
    # was told); Outbox is empty again.
    (sent,) = world.folder_messages(SENT)
    assert strip_hidden_fields(sent) == received.content
    assert sent.startswith(f"Bcc: {BCC}\r\n".encode())
    assert world.folder_messages(OUTBOX) == []


def test_save_all_parts_writes_the_body_and_the_attachment(
    world: World, tmp_path: Path, attachment_data: bytes
) -> None:
    data = world.send_and_fetch(
        Draft(
            to=[TO],
            subject="two parts",
            body="Just the text.\n",
            attachments=[(ATTACHMENT_NAME, attachment_data, "application/octet-stream")],
        )
    )
    paths = world.account.save_parts(data, tmp_path / "all")
    by_name = {p.name: p.read_bytes() for p in paths}
    assert by_name[ATTACHMENT_NAME] == attachment_data
    assert len(paths) == 2
    (text,) = [b for n, b in by_name.items() if n != ATTACHMENT_NAME]
    assert text.replace(b"\r\n", b"\n") == b"Just the text.\n"


def test_bcc_only_message_names_nobody_in_its_headers(world: World) -> None:
    data = world.send_and_fetch(Draft(bcc=[BCC], subject="quiet", body="psst\n"))
    assert world.relay is not None
    assert world.relay.received[-1].rcpt_tos == [BCC]
    msg = parsed(data)
    assert "Bcc" not in msg and "Cc" not in msg
    assert BCC.encode() not in data
    assert world.account.view(data).to == []  # "undisclosed-recipients:;" names no one


# -- replies and forwards --------------------------------------------------------------


def _original(world: World) -> bytes:
    """A message from Bob to the account (and Carol), delivered straight into Dovecot."""
    raw = make_message(
        "Re: Ἀθήνα plan",
        "First line from Bob.\r\n.dot line\r\nFrom here on.\r\n",
        sender="Bob Builder <bob@example.com>",
        to=f"{SENDER}, Carol <carol@example.com>",
        message_id="<orig-1@example.com>",
        extra_headers="References: <root-0@example.com>\r\nIn-Reply-To: <root-0@example.com>\r\n",
    )
    world.user.deliver(raw)
    world.account.refresh()
    (entry,) = [e for e in world.account.index() if e.message_id == "<orig-1@example.com>"]
    return world.account.fetch(entry.key)


def test_reply_all_threads_and_quotes(world: World) -> None:
    original = _original(world)
    draft = world.account.reply_draft(original, reply_all=True)
    draft.body = "My answer, with ünïcödé.\n\n" + draft.body
    data = world.send_and_fetch(draft)
    assert world.relay is not None
    assert sorted(world.relay.received[-1].rcpt_tos) == ["bob@example.com", "carol@example.com"]

    msg = parsed(data)
    v = world.account.view(data)
    assert v.subject == "Re: Ἀθήνα plan"  # one "Re:", not two
    assert msg["In-Reply-To"].strip() == "<orig-1@example.com>"
    assert msg["References"].split() == ["<root-0@example.com>", "<orig-1@example.com>"]
    assert [a.addr_spec for a in v.to] == ["bob@example.com"]
    assert [a.addr_spec for a in v.cc] == ["carol@example.com"]  # not ourselves
    assert v.body_text.startswith("My answer, with ünïcödé.\n\n")
    assert "> First line from Bob.\n> .dot line\n> From here on.\n" in v.body_text
    assert v.message_id != "<orig-1@example.com>"


def test_forward_inline_carries_the_text_and_the_attachment(
    world: World, attachment_data: bytes
) -> None:
    first = world.send_and_fetch(
        Draft(
            to=[SENDER],
            subject=SUBJECT,
            body=BODY,
            attachments=[(ATTACHMENT_NAME, attachment_data, "application/octet-stream")],
        )
    )
    draft = world.account.forward_draft(first, ["Erin <erin@example.com>"])
    data = world.send_and_fetch(draft)
    v = world.account.view(data)
    assert v.subject == "Fwd: " + SUBJECT
    assert [a.addr_spec for a in v.to] == ["erin@example.com"]
    assert "---------- Forwarded message ----------" in v.body_text
    assert f"Subject: {SUBJECT}" in v.body_text
    assert BODY.rstrip("\n") in v.body_text
    (att,) = v.attachments
    assert att.filename == ATTACHMENT_NAME
    saved = world.account.save_parts(data, world.folders_root.parent / "fwd", att.index)
    assert saved[0].read_bytes() == attachment_data


def test_forward_as_attachment_keeps_the_original_message(world: World, tmp_path: Path) -> None:
    original = _original(world)
    data = world.send_and_fetch(
        world.account.forward_draft(original, ["erin@example.com"], as_attachment=True)
    )
    msg = parsed(data)
    v = world.account.view(data)
    assert v.subject == "Fwd: Re: Ἀθήνα plan"
    attached = [p for p in msg.walk() if p.get_content_type() == "message/rfc822"]
    assert len(attached) == 1
    inner = attached[0].get_content()
    assert isinstance(inner, EmailMessage)
    assert inner["Message-ID"] == "<orig-1@example.com>"
    assert inner["Subject"] == "Re: Ἀθήνα plan"
    # The stdlib keeps a part's own line ends (CRLF off the wire) in its payload.
    assert lf_text(inner.get_content()) == "First line from Bob.\n.dot line\nFrom here on.\n"
    # Saved as a file, the attached message is the original's header and body again.
    rfc822 = [p for p in v.parts if p.content_type == "message/rfc822"]
    assert len(rfc822) == 1
    (saved,) = world.account.save_parts(data, tmp_path / "eml", rfc822[0].index)
    # Byte for byte the message we forwarded (its line ends aside): DKIM would survive.
    assert crlf(saved.read_bytes()) == crlf(original)
    again = parsed(saved.read_bytes())
    assert again["Message-ID"] == "<orig-1@example.com>"
    assert lf_text(again.get_content()) == "First line from Bob.\n.dot line\nFrom here on.\n"


# -- a send that fails -----------------------------------------------------------------


def test_dropped_connection_after_data_keeps_the_message_in_outbox(
    tmp_path: Path,
    dovecot: DovecotServer,
    dovecot_user: DovecotUser,
    make_scripted_smtp: Callable[..., ScriptedSMTPServer],
) -> None:
    server = make_scripted_smtp(SMTPScript(drop_after_data=True), tls=False)
    for w in make_world(tmp_path, dovecot, dovecot_user, None, smtp_port=server.port):
        with pytest.raises(SendError) as info:
            w.account.send(Draft(to=[TO], subject=SUBJECT, body=BODY))
        sentence = str(info.value)
        assert sentence.endswith(".") and "\n" not in sentence.strip()
        assert "Outbox" in sentence
        (kept,) = w.folder_messages(OUTBOX)
        assert parsed(kept)["Subject"] == SUBJECT
        assert w.account.view(kept).body_text == BODY
        assert w.folder_messages(SENT) == []
        # What the server read is byte for byte what Outbox keeps (nothing lost or added).
        (delivery,) = [d for s in server.sessions for d in s.deliveries]
        assert delivery.content == kept


# -- download and delete ---------------------------------------------------------------


def _three(world: World) -> dict[str, bytes]:
    """Deliver three messages; Message-ID -> the exact bytes delivered (CRLF)."""
    sent = {}
    for tag in ("keep-a", "keep-b", "stay-c"):
        body = f"Body of {tag}.\r\nFrom the middle.\r\n.dot\r\n"
        raw = make_message(f"msg {tag}", body, message_id=f"<{tag}@example.com>")
        world.user.deliver(raw)
        sent[f"<{tag}@example.com>"] = raw
    world.account.refresh()
    return sent


def _uid(world: World, message_id: str) -> str:
    (uid,) = [e.key for e in world.account.index() if e.message_id == message_id]
    return uid


def test_save_with_delete_stores_exact_bytes_then_deletes_only_those(world: World) -> None:
    sent = _three(world)
    wanted = ["<keep-a@example.com>", "<keep-b@example.com>"]
    uids = [_uid(world, m) for m in wanted]

    report = world.account.save_to_folder(uids, "Kept", delete=True)

    assert sorted(report.saved) == sorted(uids)
    assert report.deleted is not None and sorted(report.deleted.deleted) == sorted(uids)
    stored = world.folder_messages("Kept")
    assert sorted(stored) == sorted(sent[m] for m in wanted)
    folder = world.account.folders.folder("Kept")
    assert all(folder.has_source("rt", u) for u in uids)
    # The server, asked directly: only the third message is left, untouched.
    assert world.user.imap_message_ids() == ["<stay-c@example.com>"]
    files = [p for sub in ("new", "cur") for p in (world.user.maildir / sub).iterdir()]
    assert len(files) == 1
    assert crlf(files[0].read_bytes()) == sent["<stay-c@example.com>"]
    assert [e.message_id for e in world.account.index()] == ["<stay-c@example.com>"]


def test_saving_twice_does_not_duplicate(world: World) -> None:
    sent = _three(world)
    uid = _uid(world, "<keep-a@example.com>")
    first = world.account.save_to_folder([uid], "Twice")
    second = world.account.save_to_folder([uid], "Twice")
    assert list(first.saved) == [uid] and second.saved == {} and second.skipped == [uid]
    assert world.folder_messages("Twice") == [sent["<keep-a@example.com>"]]
    assert len(world.user.imap_message_ids()) == 3


@pytest.mark.parametrize("name", ["../escape", ".hidden", "a/b", "bad\nname", ""])
def test_invalid_folder_name_deletes_nothing(world: World, name: str) -> None:
    _three(world)
    uids = [e.key for e in world.account.index()]
    with pytest.raises(UsageError):
        world.account.save_to_folder(uids, name, delete=True)
    assert len(world.user.imap_message_ids()) == 3
    assert not (world.folders_root.parent / "escape").exists()


def test_unwritable_folder_store_deletes_nothing(
    tmp_path: Path,
    dovecot: DovecotServer,
    dovecot_user: DovecotUser,
    make_smtp_server: Callable[[SMTPOptions], SMTPTestServer],
) -> None:
    # A root that is a regular file: no folder can be made under it, even as root (chmod
    # would not stop root's writes). The disk refusing must reach the user as a
    # LocalStoreError, and the server must keep every message.
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"a file where the folders should be\n")
    relay = make_smtp_server(SMTPOptions())
    for w in make_world(
        tmp_path, dovecot, dovecot_user, relay, folder_store=FolderStore(blocker / "folders")
    ):
        _three(w)
        uids = [e.key for e in w.account.index()]
        with pytest.raises(MailError) as info:
            w.account.save_to_folder(uids, "Kept", delete=True)
        assert isinstance(info.value, LocalStoreError), repr(info.value)
        assert len(dovecot_user.imap_message_ids()) == 3
        assert len(w.account.index()) == 3


def test_save_stops_before_any_delete_when_a_message_vanished(world: World) -> None:
    # Another client expunges one message between our refresh and the save: the others
    # are still saved, the error says so, and no server delete runs at all.
    _three(world)
    uids = [_uid(world, f"<{t}@example.com>") for t in ("keep-a", "keep-b", "stay-c")]
    world.user.other_client_delete_by_message_id("<keep-b@example.com>")
    with pytest.raises(MailError, match="nothing was deleted"):
        world.account.save_to_folder(uids, "Kept", delete=True)
    assert world.user.imap_message_ids() == ["<keep-a@example.com>", "<stay-c@example.com>"]
    kept = sorted(parsed(m)["Message-ID"] for m in world.folder_messages("Kept"))
    assert kept == ["<keep-a@example.com>", "<stay-c@example.com>"]


# -- refused recipients ----------------------------------------------------------------


def test_partly_refused_send_is_filed_in_sent_and_reports_the_refusal(world: World) -> None:
    result = world.account.send(Draft(to=[TO, "reject.me@example.com"], subject="half", body="x\n"))
    assert result.accepted == ["bob@example.com"]
    assert list(result.refused) == ["reject.me@example.com"]
    assert result.refused["reject.me@example.com"][0] == 550
    assert world.relay is not None
    assert world.relay.received[-1].rcpt_tos == ["bob@example.com"]
    assert world.folder_messages(SENT) == [world.relay.received[-1].content]
    assert world.folder_messages(OUTBOX) == []


def test_all_recipients_refused_keeps_the_message_in_outbox(world: World) -> None:
    with pytest.raises(RecipientsRefused) as info:
        world.account.send(Draft(to=["reject.me@example.com"], subject="none", body="x\n"))
    assert list(info.value.refused) == ["reject.me@example.com"]
    assert world.relay is not None and world.relay.received == []
    (kept,) = world.folder_messages(OUTBOX)
    assert parsed(kept)["Subject"] == "none"
    assert world.folder_messages(SENT) == []


def test_header_injection_is_refused_before_anything_is_stored_or_sent(world: World) -> None:
    with pytest.raises(MessageError):
        world.account.send(Draft(to=[TO], subject="a\r\nBcc: x@example.com", body="x\n"))
    assert world.relay is not None and world.relay.received == []
    assert world.folder_messages(OUTBOX) == [] and world.folder_messages(SENT) == []


# -- saving parts where the disk says no -----------------------------------------------


def test_save_parts_into_a_file_path_is_a_mail_error(world: World, tmp_path: Path) -> None:
    data = world.send_and_fetch(
        Draft(
            to=[TO],
            subject="att",
            body="x\n",
            attachments=[("a.bin", b"abc", "application/octet-stream")],
        )
    )
    target = tmp_path / "a-file"
    target.write_bytes(b"not a directory")
    with pytest.raises(LocalStoreError) as info:
        world.account.save_parts(data, target)
    assert str(target) in str(info.value)
    assert target.read_bytes() == b"not a directory"


def test_reply_to_a_hostile_subject_injects_no_header(world: World) -> None:
    # RFC 2047 lets a Subject decode to CR LF; copied raw into the reply it would add a
    # Bcc (CWE-93). The reply must carry it on one line and send to Bob alone.
    raw = make_message(
        "=?utf-8?q?hi=0D=0ABcc:_spy@example.com?=",
        "hello\r\n",
        sender="Bob Builder <bob@example.com>",
        to=SENDER,
        message_id="<hostile-1@example.com>",
    )
    world.user.deliver(raw)
    world.account.refresh()
    original = world.account.fetch(_uid(world, "<hostile-1@example.com>"))
    data = world.send_and_fetch(world.account.reply_draft(original, reply_all=True))
    assert world.relay is not None
    assert world.relay.received[-1].rcpt_tos == ["bob@example.com"]
    msg = parsed(data)
    assert "Bcc" not in msg
    header_lines = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert not [line for line in header_lines if line.lower().startswith(b"bcc")]
    assert "\n" not in str(msg["Subject"]) and "\r" not in str(msg["Subject"])
    assert str(msg["Subject"]).startswith("Re: hi")


def test_unwritable_outbox_means_nothing_is_sent(
    tmp_path: Path,
    dovecot: DovecotServer,
    dovecot_user: DovecotUser,
    make_smtp_server: Callable[[SMTPOptions], SMTPTestServer],
) -> None:
    # "Never lost" starts with Outbox: if the message cannot be stored there first,
    # not one byte may go to the server.
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"x")
    relay = make_smtp_server(SMTPOptions())
    for w in make_world(
        tmp_path, dovecot, dovecot_user, relay, folder_store=FolderStore(blocker / "folders")
    ):
        with pytest.raises(LocalStoreError):
            w.account.send(Draft(to=[TO], subject="s", body="x\n"))
        assert relay.received == []
