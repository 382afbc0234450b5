"""One POP3 session of the scripted server: the RFC 1939 state machine over a socket.

AUTHORIZATION -> TRANSACTION -> UPDATE (RFC 1939 §3). At login the session takes a
snapshot of the maildrop and numbers it 1..N; numbers mean nothing outside the session.
DELE only marks; QUIT in TRANSACTION removes the marked messages *by uid*; any other
ending (drop, timeout, error) removes nothing.

The handlers compute the honest answer; a :class:`~pymailgui.devserver.script.Player`
decides what is really sent (the behavior's rules), so every fault is played the same
way for every command, the greeting included.
"""

from __future__ import annotations

import functools
import hmac
import socket
import ssl
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.maildrop import Maildrop
from pymailgui.devserver.pop3log import SessionLog
from pymailgui.devserver.pop3wire import capabilities, decode_plain, is_number, top_of
from pymailgui.devserver.script import (
    GREETING,
    Command,
    LineReader,
    LineTooLongError,
    Outcome,
    Player,
    stall_until,
)
from pymailgui.lines import TERMINATOR, dot_stuff, to_crlf

if TYPE_CHECKING:
    from pymailgui.devserver.pop3server import ScriptedPOP3Server

# RFC 5034 §4: continuation responses are not bound by the 255-octet command limit.
_MAX_AUTH_LINE = 16384


class _Closed(Exception):
    """End the session now, without an answer and without committing."""


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
        self.reader = LineReader(sock, log.wire, tls=False)
        self.player = Player(behavior.rules(), self.send_raw, self._stall)
        self._out = bytearray()  # the honest answer being built by a handler
        self._after_send: Callable[[], None] | None = None
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

    def _stall(self) -> None:
        # Hold the connection open, reading and answering nothing, until the server
        # stops, the autologout timer (RFC 1939 §3) would fire, or the client hangs up.
        stall_until(self.sock, self.stop, self.b.idle_timeout)

    def ok(self, text: str = "", block: bytes | None = None) -> bool:
        """Add a +OK answer (and a multi-line block) to the honest answer."""
        self._delay(self.b.reply_delay)
        line = (f"+OK {text}" if text else "+OK") + "\r\n"
        data = line.encode("utf-8")
        if block is not None:
            # Without stuffing a lone "." line ends the answer early (cpython#95252).
            data += dot_stuff(block) if self.b.dot_stuff else to_crlf(block) + TERMINATOR
        self._out += data
        return True

    def err(self, text: str, code: str | None = None) -> bool:
        """Add an -ERR answer (with a RESP-CODE when they are on) to the honest answer."""
        self._delay(self.b.reply_delay)
        prefix = f"[{code}] " if code and self.b.resp_codes else ""
        self._out += f"-ERR {prefix}{text}\r\n".encode()
        return True

    def _honest(self, handler: Callable[[], bool]) -> Outcome:
        """Run a handler, capturing its answer instead of sending it."""
        self._out, self._after_send = bytearray(), None
        keep_open = handler()
        return Outcome(bytes(self._out), keep_open, self._after_send)

    def _command(self, verb: str, args: str, line: bytes, run: Callable[[], bool]) -> Command:
        return Command(
            verb=verb,
            args=args,
            line=line,
            tls=self.log.tls,
            logged_in=self.maildrop is not None,
            run=lambda: self._honest(run),
        )

    # -- main loop ---------------------------------------------------------------------

    def run(self) -> None:
        try:
            self.sock.settimeout(self.b.idle_timeout)
            if self.b.implicit_tls is not None:
                self._start_tls(self.b.implicit_tls)
            self._delay(self.b.greeting_delay)
            greeting = self._command(GREETING, "", b"", lambda: self.ok(self.b.greeting))
            if self.player.answer(greeting):
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
        while not self.stop.is_set():
            try:
                raw = self.reader.read_line(self.b.max_line)
            except LineTooLongError:
                self.send_raw(b"-ERR Input line too long.\r\n")
                return
            if raw is None:
                return
            line = raw.decode("utf-8", "replace")
            self._record(raw)
            keyword, _, rest = line.partition(" ")
            # Whatever the script answers, the server did receive it.
            self.log.quit_received |= keyword.upper() == "QUIT"
            args = line.split(" ")[1:] if line else []
            dispatch = functools.partial(self._dispatch, keyword, args)
            command = self._command(keyword.upper(), rest, raw, dispatch)
            if not self.player.answer(command):
                return

    def _dispatch(self, keyword: str, args: list[str]) -> bool:
        """The honest answer to one command (False ends the session)."""
        handlers = self.auth_handlers if self.maildrop is None else self.trans_handlers
        handler = handlers.get(keyword.upper())
        if handler is None:
            return self.err("Unknown command." if keyword else "Empty command.")
        return handler(args)

    def _record(self, raw: bytes, *, secret: bool = False) -> None:
        self.log.record(raw, self.reader.batch, secret=secret)

    def _start_tls(self, context: ssl.SSLContext) -> None:
        # RFC 2595 §4: whatever the client sent after STLS in clear is thrown away
        # unprocessed (the 2021 "NO STARTTLS" command injection); it is recorded.
        leftover = self.reader.take_buffer()
        self.log.discard(leftover, self.reader.batch)
        with self.sock_lock:  # abort() must see the socket the handshake will block on
            tls = context.wrap_socket(self.sock, server_side=True, do_handshake_on_connect=False)
            self.sock = tls
            if self.stop.is_set():
                raise _Closed
        tls.do_handshake()
        self.reader = LineReader(tls, self.log.wire, tls=True, batch=self.reader.batch)
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
            self.send_raw(b"-ERR Authentication response too long.\r\n")
            raise _Closed from None
        if raw is None:
            raise _Closed
        text = raw.decode("ascii", "replace")
        self._record(raw, secret=text != "*")
        return text

    def _auth_plain(self, response: str) -> bool:
        decoded = decode_plain(response)
        if decoded is None:
            return self.err("Invalid AUTH PLAIN response.")
        authzid, authcid, password = decoded
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
        self._after_send = functools.partial(self._start_tls, context)
        self.pending_user = None
        return True

    def cmd_capa(self, args: list[str]) -> bool:
        if not self.b.capa:
            return self.err("Unknown command.")
        caps = capabilities(self.b, tls=self.log.tls, logged_in=self.maildrop is not None)
        return self.ok("Capability list follows.", "".join(c + "\r\n" for c in caps).encode())

    def cmd_quit(self, args: list[str]) -> bool:
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
        if self.b.mark_read:
            for i in sorted(self.retrieved - self.marked):
                uid, data = self.messages[i]
                if not data.startswith(b"Status: R\r\n"):
                    maildrop.rewrite(uid, b"Status: R\r\n" + data)
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
