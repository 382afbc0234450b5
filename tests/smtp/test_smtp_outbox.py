"""send_and_file: Outbox first, Sent after acceptance; a failed send is never lost."""

from __future__ import annotations

import mailbox
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.smtp import SMTPTestServer, scripted_config
from tests.support.tls import TLSFiles

from pymailgui.config.schema import ServerConfig
from pymailgui.devserver.smtpscripted import ScriptedSMTPServer, SMTPScript
from pymailgui.errors import ConnectionFailed, LocalStoreError, MailError, RecipientsRefused
from pymailgui.smtp import DeliveryUncertain, FolderLike, send_and_file

MESSAGE = (
    b"From: alice@example.test\r\nTo: bob@example.test\r\nBcc: carol@example.test\r\n"
    b"Subject: s\r\n\r\nhi\r\n"
)


class MaildirFolder:
    """A FolderLike over stdlib Maildir; ``calls`` records the order of operations."""

    def __init__(self, path: Path, name: str, calls: list[str]) -> None:
        self.path = path
        self.box = mailbox.Maildir(path, create=True)
        self.name = name
        self.calls = calls

    def add(self, data: bytes, *, flags: str = "") -> str:
        message = mailbox.MaildirMessage(data)
        message.set_flags(flags)
        key = self.box.add(message)
        self.calls.append(f"{self.name}.add")
        return key

    def remove(self, key: str) -> None:
        self.box.remove(key)
        self.calls.append(f"{self.name}.remove")

    def contents(self) -> list[bytes]:
        # mailbox.Maildir stores lines with the platform's LF; compare in CRLF.
        return [self.box.get_bytes(key).replace(b"\n", b"\r\n") for key in self.box.iterkeys()]


class BrokenFolder(MaildirFolder):
    def add(self, data: bytes, *, flags: str = "") -> str:
        raise LocalStoreError("The Sent folder could not be written (disk full).")


@pytest.fixture
def folders(tmp_path: Path) -> tuple[MaildirFolder, MaildirFolder, list[str]]:
    calls: list[str] = []
    return (
        MaildirFolder(tmp_path / "Outbox", "outbox", calls),
        MaildirFolder(tmp_path / "Sent", "sent", calls),
        calls,
    )


def run(
    config: ServerConfig,
    outbox: FolderLike,
    sent: FolderLike,
    recipients: list[str] | None = None,
) -> object:
    return send_and_file(
        MESSAGE,
        "alice@example.test",
        recipients or ["bob@example.test", "carol@example.test"],
        config,
        None,
        outbox=outbox,
        sent=sent,
    )


def test_success_files_in_sent_and_empties_outbox(
    smtp_server: SMTPTestServer, folders: tuple[MaildirFolder, MaildirFolder, list[str]]
) -> None:
    outbox, sent, calls = folders
    result = run(smtp_server.config(), outbox, sent)

    assert calls == ["outbox.add", "sent.add", "outbox.remove"]
    assert outbox.contents() == []
    assert sent.contents() == [MESSAGE]  # Sent keeps Bcc for the user's record
    [key] = sent.box.keys()
    assert "S" in sent.box.get_message(key).get_flags()
    assert smtp_server.received[0].rcpt_tos == ["bob@example.test", "carol@example.test"]
    assert b"Bcc" not in smtp_server.received[0].content
    assert getattr(result, "accepted", None) == ["bob@example.test", "carol@example.test"]


def test_outbox_written_before_the_server_sees_anything(
    make_scripted_smtp: Callable[..., ScriptedSMTPServer],
    tls_files: TLSFiles,
    folders: tuple[MaildirFolder, MaildirFolder, list[str]],
) -> None:
    outbox, sent, calls = folders
    server = make_scripted_smtp()

    class Watching(MaildirFolder):
        def add(self, data: bytes, *, flags: str = "") -> str:
            assert server.sessions == []  # nothing connected yet
            return super().add(data, flags=flags)

    watching = Watching(outbox.path, "outbox", calls)
    run(scripted_config(server, tls_files), watching, sent)
    assert calls[0] == "outbox.add" and len(server.sessions) == 1


def test_drop_after_data_keeps_message_in_outbox(
    make_scripted_smtp: Callable[..., ScriptedSMTPServer],
    tls_files: TLSFiles,
    folders: tuple[MaildirFolder, MaildirFolder, list[str]],
) -> None:
    outbox, sent, calls = folders
    server = make_scripted_smtp(SMTPScript(drop_after_data=True))
    with pytest.raises(DeliveryUncertain):
        run(scripted_config(server, tls_files), outbox, sent)

    assert outbox.contents() == [MESSAGE]
    assert sent.contents() == []
    assert calls == ["outbox.add"]


@pytest.mark.parametrize(
    "script", [SMTPScript(reply_421_on="DATA"), SMTPScript(offer_starttls=False)]
)
def test_failures_keep_message_in_outbox(
    make_scripted_smtp: Callable[..., ScriptedSMTPServer],
    tls_files: TLSFiles,
    folders: tuple[MaildirFolder, MaildirFolder, list[str]],
    script: SMTPScript,
) -> None:
    outbox, sent, _ = folders
    server = make_scripted_smtp(script)
    with pytest.raises(MailError):
        run(scripted_config(server, tls_files), outbox, sent)
    assert outbox.contents() == [MESSAGE] and sent.contents() == []


def test_all_refused_and_unreachable_keep_message_in_outbox(
    smtp_server: SMTPTestServer, folders: tuple[MaildirFolder, MaildirFolder, list[str]]
) -> None:
    outbox, sent, _ = folders
    with pytest.raises(RecipientsRefused):
        run(smtp_server.config(), outbox, sent, ["reject@example.test"])
    with pytest.raises(ConnectionFailed):
        run(smtp_server.config(port=1), outbox, sent)
    assert outbox.contents() == [MESSAGE, MESSAGE] and sent.contents() == []


def test_sent_folder_failure_after_send_says_it_was_sent(
    smtp_server: SMTPTestServer,
    tmp_path: Path,
    folders: tuple[MaildirFolder, MaildirFolder, list[str]],
) -> None:
    outbox, _, calls = folders
    broken = BrokenFolder(tmp_path / "BrokenSent", "sent", calls)
    with pytest.raises(LocalStoreError, match="was sent"):
        run(smtp_server.config(), outbox, broken)
    assert outbox.contents() == [MESSAGE]
    assert len(smtp_server.received) == 1
