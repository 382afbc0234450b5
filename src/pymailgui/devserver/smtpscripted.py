"""A small scripted SMTP server for the faults and hostile answers real servers won't give.

Threads over raw sockets, loopback only. An :class:`SMTPScript` says what the server
offers (EHLO lines before and after TLS, AUTH users) and how it misbehaves: its
``rules`` (:mod:`pymailgui.devserver.script`: any answer replaced, edited or hidden,
unsolicited lines, bytes injected right after "220 Ready to start TLS" in the same
segment - the "NO STARTTLS" attack -, a drop or stall after any command or after N
bytes; :data:`~pymailgui.devserver.script.END_OF_DATA` is the answer to the final
"."). The older named faults (``reply_421_on``, ``drop_after_data``, ``drop_on_quit``,
``inject_after_starttls``) are shorthands for rules. Every session is recorded - the
command lines with whether TLS was up, every byte read (``wire``), and the DATA
bytes exactly as they came off the wire - so tests can prove what a client did and
did not send.
"""

from __future__ import annotations

import base64
import binascii
import functools
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from pymailgui.devserver.running import Running
from pymailgui.devserver.script import (
    END_OF_DATA,
    GREETING,
    Command,
    LineReader,
    LineTooLongError,
    Outcome,
    Player,
    Rule,
    Wire,
    stall_until,
)
from pymailgui.devserver.smtpdemo import is_loopback
from pymailgui.lines import TERMINATOR, unstuff_line

_TIMEOUT = 10.0
_MAX_LINE = 65536


@dataclass
class SMTPScript:
    """How the scripted server behaves. The defaults are a well-behaved ESMTP server."""

    greeting: bytes = b"220 scripted.test ESMTP ready\r\n"
    extensions: tuple[str, ...] = ("8BITMIME", "SMTPUTF8", "SIZE 10485760")
    # EHLO lines once TLS is up (None: the same ``extensions``), RFC 3207 §4.2.
    extensions_after_tls: tuple[str, ...] | None = None
    offer_starttls: bool = True  # advertised (before TLS) when a TLS context is given
    users: dict[str, str] = field(default_factory=dict)  # AUTH offered when not empty
    auth_mechanisms: str = "PLAIN LOGIN"
    refuse_rcpt_containing: str = "reject"  # such recipients get 550
    data_reply: bytes = b"250 2.0.0 Ok: queued\r\n"  # the honest END_OF_DATA answer
    rules: tuple[Rule, ...] = ()
    # -- shorthands for rules ----------------------------------------------------------
    inject_after_starttls: bytes = b""  # sent in the same packet as the 220
    reply_421_on: str = ""  # verb ("MAIL", "RCPT", "DATA") answered by 421 + close
    drop_after_data: bool = False  # close after the final dot, no reply
    drop_on_quit: bool = False  # close instead of answering QUIT

    def all_rules(self) -> tuple[Rule, ...]:
        """``rules``, then the rules the named faults stand for."""
        rules = list(self.rules)
        if self.inject_after_starttls:
            rules.append(Rule("STARTTLS", tls=False, reply=_inject(self.inject_after_starttls)))
        if self.reply_421_on:
            closing = b"421 4.3.2 Service shutting down\r\n"
            rules.append(Rule(self.reply_421_on, reply=closing, then="drop"))
        if self.drop_after_data:
            rules.append(Rule(END_OF_DATA, reply=b"", then="drop"))
        if self.drop_on_quit:
            rules.append(Rule("QUIT", reply=b"", then="drop"))
        return tuple(rules)


def _inject(extra: bytes) -> Callable[[Command], bytes]:
    def reply(command: Command) -> bytes:
        honest = command.honest()
        # Only a "220 Ready" starts TLS; a refusal gets no injection.
        return honest + extra if honest.startswith(b"220") else honest

    return reply


@dataclass
class Delivery:
    """One message the server accepted or at least read."""

    mail_from: str
    rcpt_tos: list[str]
    wire: bytes  # DATA content as sent: dot-stuffed, up to and including ".\r\n"
    content: bytes  # after un-stuffing, without the terminating line


@dataclass
class SessionRecord:
    commands: list[tuple[bool, str]] = field(default_factory=list)  # (tls up?, line)
    deliveries: list[Delivery] = field(default_factory=list)
    wire: Wire = field(default_factory=Wire)  # every byte read, with the TLS state

    def verbs(self, *, tls: bool | None = None) -> list[str]:
        """Command verbs in order, optionally only those sent with/without TLS."""
        return [
            line.split(" ", 1)[0].upper() for up, line in self.commands if tls is None or up == tls
        ]


class _Closed(Exception):
    pass


class _Session:
    def __init__(
        self,
        conn: socket.socket,
        script: SMTPScript,
        tls: ssl.SSLContext | None,
        *,
        implicit: bool,
        record: SessionRecord,
        stopping: threading.Event,
    ) -> None:
        self.conn = conn
        self.script = script
        self.tls_context = tls
        self.tls = implicit
        self.record = record
        self.reader = LineReader(conn, record.wire, tls=implicit)
        self.player = Player(script.all_rules(), self.send_now, self._stall)
        self.stopping = stopping
        self.authed = False
        self.mail_from = ""
        self.rcpts: list[str] = []
        self._out = bytearray()
        self._after_send: Callable[[], None] | None = None

    def run(self) -> None:
        greeting = self._command(GREETING, "", b"", self._greet)
        if not self.player.answer(greeting):
            return
        while True:
            line = self.readline()
            text = line.decode("utf-8", "replace")
            self.record.commands.append((self.tls, text))
            verb, _, arg = text.partition(" ")
            honest = functools.partial(self._dispatch, verb, arg)
            if not self.player.answer(self._command(verb.upper(), arg, line, honest)):
                return

    def _greet(self) -> bool:
        self.send(self.script.greeting)
        return True

    def _dispatch(self, verb: str, arg: str) -> bool:
        handler = getattr(self, f"do_{verb.lower()}", None) if verb.isalpha() else None
        if handler is None:
            self.send(b"500 5.5.1 Unknown command\r\n")
            return True
        return handler(arg) is not False

    def _command(self, verb: str, arg: str, line: bytes, run: Callable[[], bool]) -> Command:
        return Command(verb, arg, line, self.tls, self.authed, run=lambda: self._honest(run))

    def _honest(self, handler: Callable[[], bool]) -> Outcome:
        self._out, self._after_send = bytearray(), None
        keep_open = handler()
        return Outcome(bytes(self._out), keep_open, self._after_send)

    # -- I/O ---------------------------------------------------------------------------

    def readline(self, *, keep_ending: bool = False) -> bytes:
        try:
            line = self.reader.read_line(_MAX_LINE, keep_ending=keep_ending)
        except LineTooLongError:
            raise _Closed from None
        if line is None:
            raise _Closed
        return line

    def send(self, data: bytes) -> None:
        """Add to the honest answer being built."""
        self._out += data

    def send_now(self, data: bytes) -> None:
        self.conn.sendall(data)

    def _stall(self) -> None:
        stall_until(self.conn, self.stopping, _TIMEOUT)

    # -- commands ----------------------------------------------------------------------

    def do_ehlo(self, arg: str) -> None:
        extensions = self.script.extensions
        if self.tls and self.script.extensions_after_tls is not None:
            extensions = self.script.extensions_after_tls
        lines = ["scripted.test", *extensions]
        if self.tls_context is not None and self.script.offer_starttls and not self.tls:
            lines.append("STARTTLS")
        if self.script.users:
            lines.append(f"AUTH {self.script.auth_mechanisms}")
        out = [f"250-{x}" for x in lines[:-1]] + [f"250 {lines[-1]}"]
        self.send(("\r\n".join(out) + "\r\n").encode())

    def do_helo(self, arg: str) -> None:
        self.send(b"250 scripted.test\r\n")

    def do_starttls(self, arg: str) -> None:
        if self.tls_context is None or self.tls:
            self.send(b"454 4.7.0 TLS not available\r\n")
            return
        self.send(b"220 2.0.0 Ready to start TLS\r\n")
        self._after_send = functools.partial(self._start_tls, self.tls_context)

    def _start_tls(self, context: ssl.SSLContext) -> None:
        # RFC 3207 §4.2: what the client sent before the handshake is thrown away.
        self.reader.take_buffer()
        try:
            self.conn = context.wrap_socket(self.conn, server_side=True)
        except (ssl.SSLError, OSError):
            raise _Closed from None
        self.tls = True
        self.reader = LineReader(self.conn, self.record.wire, tls=True)

    def do_auth(self, arg: str) -> None:
        mechanism, _, initial = arg.partition(" ")
        mechanism = mechanism.upper()
        if mechanism == "PLAIN":
            response = initial or self._challenge(b"")
            parts = _b64(response).split("\0")
            user, password = (parts[1], parts[2]) if len(parts) == 3 else ("", "")
        elif mechanism == "LOGIN":
            # RFC 4954 §4: the user name may come as the initial response (smtplib's way).
            user = _b64(initial or self._challenge(b"Username:"))
            password = _b64(self._challenge(b"Password:"))
        else:
            self.send(b"504 5.5.4 Unrecognized authentication type\r\n")
            return
        if user and self.script.users.get(user) == password:
            self.authed = True
            self.send(b"235 2.7.0 Authentication successful\r\n")
        else:
            self.send(b"535 5.7.8 Authentication credentials invalid\r\n")

    def _challenge(self, prompt: bytes) -> str:
        self.send_now(b"334 " + base64.b64encode(prompt) + b"\r\n")
        line = self.readline().decode("ascii", "replace")
        self.record.commands.append((self.tls, line))
        return line

    def do_mail(self, arg: str) -> None:
        self.mail_from = _path(arg)
        self.rcpts = []
        self.send(b"250 2.1.0 Ok\r\n")

    def do_rcpt(self, arg: str) -> None:
        address = _path(arg)
        if self.script.refuse_rcpt_containing and self.script.refuse_rcpt_containing in address:
            self.send(b"550 5.1.1 No such user here\r\n")
        else:
            self.rcpts.append(address)
            self.send(b"250 2.1.5 Ok\r\n")

    def do_data(self, arg: str) -> None:
        if not self.rcpts:
            self.send(b"503 5.5.1 Need RCPT first\r\n")
            return
        self.send(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        self._after_send = self._read_data

    def _read_data(self) -> None:
        wire: list[bytes] = []
        while True:
            line = self.readline(keep_ending=True)
            wire.append(line)
            if line == TERMINATOR:
                break
        content = b"".join(unstuff_line(x) for x in wire[:-1])
        delivery = Delivery(self.mail_from, list(self.rcpts), b"".join(wire), content)
        self.record.deliveries.append(delivery)
        end = self._command(END_OF_DATA, "", b".", self._end_of_data)
        if not self.player.answer(end):
            raise _Closed

    def _end_of_data(self) -> bool:
        self.send(self.script.data_reply)
        return True

    def do_rset(self, arg: str) -> None:
        self.mail_from, self.rcpts = "", []
        self.send(b"250 2.0.0 Ok\r\n")

    def do_noop(self, arg: str) -> None:
        self.send(b"250 2.0.0 Ok\r\n")

    def do_quit(self, arg: str) -> bool:
        self.send(b"221 2.0.0 Bye\r\n")
        return False


def _b64(text: str) -> str:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


def _path(arg: str) -> str:
    """The address inside "FROM:<a@b> OPTIONS" / "TO:<a@b>"."""
    start, end = arg.find("<"), arg.find(">")
    return arg[start + 1 : end] if 0 <= start < end else ""


class ScriptedSMTPServer(Running):
    """Listens on loopback; each connection runs the script in its own thread.

    ``tls_context`` (a server context) enables STARTTLS, or TLS from the first byte
    with ``implicit_tls=True``. ``sessions`` holds one record per connection.
    """

    def __init__(
        self,
        script: SMTPScript | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls_context: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
    ) -> None:
        if not is_loopback(host):
            raise ValueError(f"the scripted server listens on loopback only, not {host}")
        self.script = script or SMTPScript()
        self.host = host
        self._requested_port = port
        self._tls = tls_context
        self._implicit = implicit_tls
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.sessions: list[SessionRecord] = []

    @property
    def port(self) -> int:
        if self._listener is None:
            return self._requested_port
        return int(self._listener.getsockname()[1])

    def start(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self._requested_port))
        listener.listen(8)
        listener.settimeout(0.05)  # lets the accept loop notice stop()
        self._listener = listener
        self._spawn(self._accept_loop)

    def stop(self) -> None:
        self._stopping.set()
        for thread in list(self._threads):
            thread.join(timeout=_TIMEOUT)
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            record = SessionRecord()
            with self._lock:
                self.sessions.append(record)
            self._spawn(self._serve, conn, record)

    def _serve(self, conn: socket.socket, record: SessionRecord) -> None:
        conn.settimeout(_TIMEOUT)
        session: _Session | None = None
        try:
            if self._implicit and self._tls is not None:
                conn = self._tls.wrap_socket(conn, server_side=True)
            session = _Session(
                conn,
                self.script,
                self._tls,
                implicit=self._implicit,
                record=record,
                stopping=self._stopping,
            )
            session.run()
        except (_Closed, OSError):
            pass
        finally:
            (session.conn if session is not None else conn).close()
