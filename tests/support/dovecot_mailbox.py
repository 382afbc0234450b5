"""A Dovecot test mailbox: MDA-style delivery, server-side expiry, and "another client"
(IMAP through Dovecot) changing the mailbox under a POP3 client's feet.

Test-only helpers: they use the stdlib's poplib and imaplib over 127.0.0.1, with a
timeout on every socket. Built by :meth:`tests.support.dovecot.DovecotServer.add_user`.
"""

from __future__ import annotations

import contextlib
import email.policy
import imaplib
import itertools
import os
import poplib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.support.dovecot import DovecotServer

TIMEOUT = 10.0  # seconds for every socket the helpers open; never None

_HEADER_PARSER = BytesHeaderParser(policy=email.policy.default)
_counter = itertools.count(1)

#: A predicate over a message's headers, Message-IDs, or 1-based sequence numbers.
MessageSelector = Callable[[EmailMessage], bool] | Iterable[str] | Iterable[int]


@dataclass
class DovecotUser:
    """One mailbox on the test Dovecot, plus "other client" helpers that go through it."""

    server: DovecotServer
    name: str
    password: str
    maildir: Path

    # --- delivery and server-side changes (as an MDA or an expiry job would do) ---

    def deliver(self, data: bytes) -> str:
        """Store one message in Maildir/new the way an MDA does: write and fsync a file
        in tmp/, then rename it into new/ (the Maildir protocol's atomic step). The bytes
        are stored as given (Dovecot serves LF or CRLF files with CRLF). Returns the
        file's base name."""
        unique = f"{time.time_ns() // 1000}.P{os.getpid()}Q{next(_counter)}.pymailgui-test"
        tmp = self.maildir / "tmp" / unique
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fchown(out.fileno(), self.server.owner.uid, self.server.owner.gid)
            os.fsync(out.fileno())
        os.rename(tmp, self.maildir / "new" / unique)
        return unique

    def deliver_many(self, messages: list[bytes]) -> list[str]:
        return [self.deliver(data) for data in messages]

    def server_side_delete_file(self, base_name: str) -> Path:
        """Remove a message's file directly (new/NAME or cur/NAME:2,FLAGS), as a
        server-side expiry would; Dovecot finds out on its next sync."""
        for path in (self.maildir / "new" / base_name, *self._cur_files(base_name)):
            if path.exists():
                path.unlink()
                return path
        raise FileNotFoundError(f"no maildir file {base_name} for {self.name}")

    def _cur_files(self, base_name: str) -> Iterator[Path]:
        yield from (self.maildir / "cur").glob(f"{base_name}:*")
        yield self.maildir / "cur" / base_name

    # --- POP3 (a test-only look at what the server lists) ---

    def pop3_uidls(self) -> dict[int, str]:
        """Message number -> UIDL from a fresh plain-text loopback POP3 session."""
        pop = poplib.POP3(self.server.host, self.server.pop3_port, timeout=TIMEOUT)
        try:
            pop.user(self.name)
            pop.pass_(self.password)
            _resp, lines, _octets = pop.uidl()
            result: dict[int, str] = {}
            for line in lines:
                number, uid = line.split()
                result[int(number)] = uid.decode("ascii")
            return result
        finally:
            with contextlib.suppress(poplib.error_proto, OSError):
                pop.quit()
            pop.close()

    # --- IMAP: "another client" changing the mailbox through Dovecot ---

    @contextlib.contextmanager
    def imap(self) -> Iterator[imaplib.IMAP4]:
        """A logged-in IMAP session with INBOX selected (read-write)."""
        conn = imaplib.IMAP4(self.server.host, self.server.imap_port, timeout=TIMEOUT)
        try:
            conn.login(self.name, self.password)
            conn.select("INBOX")
            yield conn
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                conn.logout()

    @staticmethod
    def _headers(conn: imaplib.IMAP4) -> list[tuple[bytes, EmailMessage]]:
        """(UID, parsed headers) of every INBOX message in sequence order."""
        typ, data = conn.uid("FETCH", "1:*", "(UID BODY.PEEK[HEADER])")
        if typ != "OK":
            raise RuntimeError(f"IMAP FETCH failed: {data!r}")
        result: list[tuple[bytes, EmailMessage]] = []
        for item in data:
            if isinstance(item, tuple):
                uid = item[0].split(b"UID ", 1)[1].split()[0].rstrip(b")")
                message = _HEADER_PARSER.parsebytes(item[1])
                assert isinstance(message, EmailMessage)
                result.append((uid, message))
        return result

    def imap_message_ids(self) -> list[str]:
        """The Message-ID of each INBOX message in order ("" when it has none)."""
        with self.imap() as conn:
            return [str(msg.get("Message-ID", "")).strip() for _uid, msg in self._headers(conn)]

    def imap_delete(self, which: MessageSelector) -> list[str]:
        r"""Flag \Deleted and EXPUNGE through IMAP (another client deleting). ``which`` is
        a predicate over the headers, Message-IDs, or 1-based sequence numbers. Returns
        the Message-IDs of the messages deleted."""
        with self.imap() as conn:
            listing = self._headers(conn)
            if isinstance(which, str):  # one Message-ID, not an iterable of characters
                which = [which]
            if callable(which):
                chosen = [(u, m) for u, m in listing if which(m)]
            else:
                wanted = list(which)
                chosen = [
                    (u, m)
                    for seq, (u, m) in enumerate(listing, 1)
                    if seq in wanted or str(m.get("Message-ID", "")).strip() in wanted
                ]
            if chosen:
                uids = b",".join(u for u, _m in chosen).decode("ascii")
                typ, data = conn.uid("STORE", uids, "+FLAGS.SILENT", r"(\Deleted)")
                if typ != "OK":
                    raise RuntimeError(f"IMAP STORE failed: {data!r}")
                typ, data = conn.expunge()
                if typ != "OK":
                    raise RuntimeError(f"IMAP EXPUNGE failed: {data!r}")
            return [str(m.get("Message-ID", "")).strip() for _u, m in chosen]

    def other_client_delete_by_message_id(self, msgid: str) -> list[str]:
        """Delete the messages with this Message-ID (with its angle brackets)."""
        deleted = self.imap_delete([msgid])
        if not deleted:
            raise LookupError(f"no message with Message-ID {msgid} in {self.name}'s INBOX")
        return deleted

    def other_client_delete_by_subject(self, subject: str) -> list[str]:
        """Delete every message whose decoded Subject equals ``subject`` exactly."""
        deleted = self.imap_delete(lambda m: str(m.get("Subject", "")) == subject)
        if not deleted:
            raise LookupError(f"no message with Subject {subject!r} in {self.name}'s INBOX")
        return deleted
