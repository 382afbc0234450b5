"""One POP3 session of the scripted server: the RFC 1939 state machine over a socket.

AUTHORIZATION -> TRANSACTION -> UPDATE (RFC 1939 §3). At login the session takes a
snapshot of the maildrop and numbers it 1..N; numbers mean nothing outside the session.
DELE only marks; QUIT in TRANSACTION removes the marked messages *by uid*; any other
ending (drop, timeout, error) removes nothing.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.maildrop import Maildrop
from pymailgui.devserver.pop3wire import LineReader, LineTooLongError, is_number, top_of
from pymailgui.lines import TERMINATOR, dot_stuff, to_crlf

if TYPE_CHECKING:
    from pymailgui.devserver.pop3server import ScriptedPOP3Server

# RFC 5034 §4: continuation responses are not bound by the 255-octet command limit.
_MAX_AUTH_LINE = 16384


class _Closed(Exception):
    """End the session now, without an answer and without committing."""


@dataclass
class SessionLog:
    """What one session did, for tests to assert on. Passwords are never recorded."""

    number: int
    peer: tuple[str, int]
    commands: list[str] = field(default_factory=list)  # as received, secrets redacted
    batches: list[int] = field(default_factory=list)  # read batch of each command
    user: str | None = None
    tls: bool = False
    quit_received: bool = False
    committed: bool = False
    deleted: list[str] = field(default_factory=list)  # uids removed by this QUIT
    ended: bool = False

    @property
    def verbs(self) -> list[str]:
        """The command keywords, upper-cased."""
        return [c.split(" ", 1)[0].upper() for c in self.commands]

    @property
    def batch_count(self) -> int:
        """How many reads the commands arrived in (fewer than commands = pipelined)."""
        return len(set(self.batches))


Handler = Callable[[list[str]], bool]


class POP3Session:
    """Serves one connection; run in its own thread by :class:`ScriptedPOP3Server`."""

    def __init__(
        self,
        server: ScriptedPOP3Server,
        sock: socket.socket,
        log: SessionLog,
        behavior: ServerBehavior,
        stop: threading.Event,
    ) -> None:
        self.server = server
        self.sock = sock
        self.sock_lock = threading.Lock()
        self.log = log
        self.b = behavior
        self.stop = stop
        self.reader = LineReader(sock)
        self.session_id = f"session-{log.number}"
        self.pending_user: str | None = None
        self.maildrop: Maildrop | None = None
        self.messages: list[tuple[str, bytes]] = []
        self.marked: set[int] = set()
        self.retrieved: set[int] = set()
        self.auth_handlers: dict[str, Handler] = {
            "USER": self.cmd_user, "PASS": self.cmd_pass, "AUTH": self.cmd_auth,
            "STLS": self.cmd_stls, "CAPA": self.cmd_capa, "QUIT": self.cmd_quit,
        }  # fmt: skip
        self.trans_handlers: dict[str, Handler] = {
            "STAT": self.cmd_stat, "LIST": self.cmd_list, "RETR": self.cmd_retr,
            "DELE": self.cmd_dele, "NOOP": self.cmd_noop, "RSET": self.cmd_rset,
            "TOP": self.cmd_top, "UIDL": self.cmd_uidl, "CAPA": self.cmd_capa,
            "QUIT": self.cmd_quit,
        }  # fmt: skip

    # -- I/O ---------------------------------------------------------------------------

    def abort(self) -> None:
        """Unblock the session thread (server shutdown; the stop event is already set)."""
        with self.sock_lock:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _delay(self, seconds: float) -> None:
        if seconds > 0 and self.stop.wait(seconds):
            raise _Closed

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def ok(self, text: str = "", block: bytes | None = None) -> bool:
        self._delay(self.b.reply_delay)
        line = (f"+OK {text}" if text else "+OK") + "\r\n"
        data = line.encode("utf-8")
        if block is not None:
            # Without stuffing a lone "." line ends the answer early (cpython#95252).
            data += dot_stuff(block) if self.b.dot_stuff else to_crlf(block) + TERMINATOR
        self.send_raw(data)
        return True

    def err(self, text: str, code: str | None = None) -> bool:
        self._delay(self.b.reply_delay)
        prefix = f"[{code}] " if code and self.b.resp_codes else ""
        self.send_raw(f"-ERR {prefix}{text}\r\n".encode())
        return True

    # -- main loop ---------------------------------------------------------------------

    def run(self) -> None:
        try:
            self.sock.settimeout(self.b.idle_timeout)
            if self.b.implicit_tls is not None:
                self._start_tls(self.b.implicit_tls)
            self._delay(self.b.greeting_delay)
            self.ok(self.b.greeting)
            self._serve()
        except (_Closed, OSError):
            # A drop, a timeout (RFC 1939 §3 autologout) or a shutdown: commit nothing.
            pass
        finally:
            self._release()
            try:
                self.sock.close()
            finally:
                self.log.ended = True
                self.server._session_ended(self)

    def _release(self) -> None:
        if self.maildrop is not None:
            self.maildrop.unlock(self.session_id)

    def _serve(self) -> None:
        answered = 0
        while not self.stop.is_set():
            try:
                raw = self.reader.read_line(self.b.max_line)
            except LineTooLongError:
                self.err("Input line too long.")
                return
            if raw is None:
                return
            line = raw.decode("utf-8", "replace")
            self._record(line)
            keyword, *args = line.split(" ") if line else [""]
            handlers = self.auth_handlers if self.maildrop is None else self.trans_handlers
            handler = handlers.get(keyword.upper())
            if handler is None:
                self.err("Unknown command." if keyword else "Empty command.")
            elif not handler(args):
                return
            answered += 1
            if self.b.drop_after_commands is not None and answered >= self.b.drop_after_commands:
                return

    def _record(self, line: str) -> None:
        keyword = line.split(" ", 1)[0].upper()
        if keyword == "PASS":
            line = "PASS ***"
        elif keyword == "AUTH" and len(line.split(" ")) > 2:
            line = " ".join(line.split(" ")[:2]) + " ***"
        self.log.commands.append(line)
        self.log.batches.append(self.reader.batch)

    def _start_tls(self, context: ssl.SSLContext) -> None:
        with self.sock_lock:  # abort() must see the socket the handshake will block on
            tls = context.wrap_socket(self.sock, server_side=True, do_handshake_on_connect=False)
            self.sock = tls
            if self.stop.is_set():
                raise _Closed
        tls.do_handshake()
        batch = self.reader.batch
        self.reader = LineReader(tls)  # plaintext read before TLS is discarded (RFC 2595 §4)
        self.reader.batch = batch
        self.log.tls = True

    # -- AUTHORIZATION -----------------------------------------------------------------

    def _auth_blocked(self) -> bool:
        if not self.b.plaintext_auth and not self.log.tls:
            self.err("Plaintext authentication disallowed on non-secure connections.", "AUTH")
            return True
        return False

    def cmd_user(self, args: list[str]) -> bool:
        if not self.b.user_pass:
            return self.err("USER is not available.")
        if self._auth_blocked():
            return True
        if len(args) != 1 or not args[0]:
            return self.err("USER takes one argument.")
        self.pending_user = args[0]
        return self.ok()

    def cmd_pass(self, args: list[str]) -> bool:
        if not self.b.user_pass:
            return self.err("PASS is not available.")
        if self._auth_blocked():
            return True
        user, self.pending_user = self.pending_user, None
        if user is None:
            return self.err("No user name given, send USER first.")
        # RFC 1939 §7: the password may contain spaces.
        return self._login(user, " ".join(args))

    def cmd_auth(self, args: list[str]) -> bool:
        if not self.b.sasl_plain:
            return self.err("AUTH is not available.")
        if not args:
            return self.ok("Mechanisms follow.", b"PLAIN\r\n")
        if self._auth_blocked():
            return True
        if args[0].upper() != "PLAIN" or len(args) > 2:
            return self.err("Unsupported authentication mechanism.")
        response = args[1] if len(args) == 2 else self._continuation()
        if response == "*":
            return self.err("Authentication cancelled.")
        return self._auth_plain(response)

    def _continuation(self) -> str:
        """Ask for the SASL response with an empty challenge (RFC 5034 §4)."""
        self._delay(self.b.reply_delay)
        self.send_raw(b"+ \r\n")
        try:
            raw = self.reader.read_line(_MAX_AUTH_LINE)
        except LineTooLongError:
            self.err("Authentication response too long.")
            raise _Closed from None
        if raw is None:
            raise _Closed
        return raw.decode("ascii", "replace")

    def _auth_plain(self, response: str) -> bool:
        try:
            decoded = b"" if response == "=" else base64.b64decode(response, validate=True)
            authzid, authcid, password = decoded.decode("utf-8").split("\0")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return self.err("Invalid AUTH PLAIN response.")
        if authzid and authzid != authcid:
            return self.err("Authorization identity not allowed.", "AUTH")
        return self._login(authcid, password)

    def _login(self, user: str, password: str) -> bool:
        entry = self.server.users.get(user)
        good = entry is not None and hmac.compare_digest(
            entry[0].encode("utf-8"), password.encode("utf-8")
        )
        if entry is None or not good:
            return self.err("Authentication failed.", "AUTH")
        if self.b.login_delay:
            return self.err("Logins are too frequent, try again later.", "LOGIN-DELAY")
        maildrop = entry[1]
        if self.b.always_in_use or (
            self.b.lock_maildrop and not maildrop.try_lock(self.session_id, self.b.lock_wait)
        ):
            # RFC 1939 §8: refuse while another session holds the maildrop.
            return self.err("Mailbox is locked by another POP3 session.", "IN-USE")
        self.maildrop = maildrop
        self.messages = maildrop.snapshot()[: self.b.list_limit]
        self.log.user = user
        return self.ok(f"Logged in, {len(self.messages)} messages.")

    def cmd_stls(self, args: list[str]) -> bool:
        context = self.b.stls
        if context is None or self.log.tls:
            return self.err("STLS is not available.")
        self.ok("Begin TLS negotiation.")
        if self.b.inject_before_tls:
            self.send_raw(self.b.inject_before_tls)
        self._start_tls(context)
        self.pending_user = None
        return True

    def cmd_capa(self, args: list[str]) -> bool:
        if not self.b.capa:
            return self.err("Unknown command.")
        caps = []
        if self.b.top:
            caps.append("TOP")
        if self.b.uidl:
            caps.append("UIDL")
        if self.b.user_pass:
            caps.append("USER")
        if self.b.sasl_plain:
            caps.append("SASL PLAIN")
        if self.b.resp_codes:
            caps.append("RESP-CODES")
        if self.b.pipelining:
            caps.append("PIPELINING")
        if self.b.stls is not None and not self.log.tls and self.maildrop is None:
            caps.append("STLS")
        caps.extend(self.b.extra_capa)
        caps.append("IMPLEMENTATION pymailgui-devserver")
        return self.ok("Capability list follows.", "".join(c + "\r\n" for c in caps).encode())

    def cmd_quit(self, args: list[str]) -> bool:
        self.log.quit_received = True
        if self.maildrop is None:
            self.ok("Bye.")
            return False
        if self.b.drop_before_quit_reply:
            return False
        if self.b.quit_error:
            self._release()
            self.err("Some deleted messages not removed.")
            return False
        # RFC 1939 §6 (UPDATE): remove by uid, never by the session's numbers.
        uids = [self.messages[i][0] for i in sorted(self.marked)]
        maildrop = self.maildrop
        removed = maildrop.remove_committed(uids)
        self.server._committed(removed)
        if self.b.hide_retrieved:
            maildrop.hide([self.messages[i][0] for i in sorted(self.retrieved - self.marked)])
        self.log.deleted = removed
        self.log.committed = True
        # Unlock before answering: a client that reconnects right after +OK must not
        # find its own finished session still holding the maildrop.
        self._release()
        self.ok(f"Bye, {len(removed)} messages deleted.")
        return False

    # -- TRANSACTION -------------------------------------------------------------------

    def _number(self, arg: str) -> int | None:
        """The 0-based index of a live message number, or None after an -ERR answer."""
        if not is_number(arg) or not 1 <= int(arg) <= len(self.messages):
            self.err("No such message.")
            return None
        index = int(arg) - 1
        if index in self.marked:
            self.err(f"Message {arg} already deleted.")
            return None
        return index

    def _one_arg(self, args: list[str]) -> int | None:
        if len(args) != 1:
            self.err("Exactly one message number expected.")
            return None
        return self._number(args[0])

    def _live(self) -> list[int]:
        return [i for i in range(len(self.messages)) if i not in self.marked]

    def cmd_stat(self, args: list[str]) -> bool:
        live = self._live()
        return self.ok(f"{len(live)} {sum(len(self.messages[i][1]) for i in live)}")

    def cmd_list(self, args: list[str]) -> bool:
        if args:
            index = self._one_arg(args)
            return True if index is None else self.ok(f"{index + 1} {len(self.messages[index][1])}")
        lines = [f"{i + 1} {len(self.messages[i][1])}\r\n" for i in self._live()]
        return self.ok(f"{len(lines)} messages.", "".join(lines).encode("ascii"))

    def _shown_uid(self, index: int) -> str:
        uid = self.messages[index][0]
        return self.b.uidl_override(index + 1, uid) if self.b.uidl_override else uid

    def cmd_uidl(self, args: list[str]) -> bool:
        if not self.b.uidl:
            return self.err("Unknown command.")
        if args:
            index = self._one_arg(args)
            return True if index is None else self.ok(f"{index + 1} {self._shown_uid(index)}")
        lines = [f"{i + 1} {self._shown_uid(i)}\r\n" for i in self._live()]
        return self.ok("Unique-id listing follows.", "".join(lines).encode("utf-8"))

    def _readable(self, index: int) -> bytes | None:
        uid, data = self.messages[index]
        if uid not in self.maildrop_or_fail():
            # Another client removed it during our session (Dovecot answers the same).
            self.err("Message was deleted.")
            return None
        return data

    def maildrop_or_fail(self) -> Maildrop:
        assert self.maildrop is not None  # only TRANSACTION handlers call this
        return self.maildrop

    def cmd_retr(self, args: list[str]) -> bool:
        index = self._one_arg(args)
        data = None if index is None else self._readable(index)
        if index is None or data is None:
            return True
        self.retrieved.add(index)
        return self.ok(f"{len(data)} octets.", data)

    def cmd_top(self, args: list[str]) -> bool:
        if not self.b.top:
            return self.err("Unknown command.")
        if len(args) != 2 or not is_number(args[1]):
            return self.err("TOP takes a message number and a line count.")
        index = self._number(args[0])
        data = None if index is None else self._readable(index)
        if data is None:
            return True
        return self.ok("Top of message follows.", top_of(data, int(args[1])))

    def cmd_dele(self, args: list[str]) -> bool:
        index = self._one_arg(args)
        if index is None:
            return True
        self.marked.add(index)
        return self.ok(f"Message {index + 1} deleted.")

    def cmd_noop(self, args: list[str]) -> bool:
        return self.ok()

    def cmd_rset(self, args: list[str]) -> bool:
        self.marked.clear()
        return self.ok(f"{len(self.messages)} messages.")
