"""A small scripted SMTP server for the faults and hostile answers real servers won't give.

Threads over raw sockets, loopback only. A :class:`SMTPScript` says how to misbehave:
inject clear-text bytes right after "220 Ready to start TLS" (the "NO STARTTLS"
attack), never offer STARTTLS, answer 421 in the middle of a session, drop the
connection after the message data, and so on. Every session is recorded — the command
lines with whether TLS was up, and the DATA bytes exactly as they came off the wire —
so tests can prove what a client did and did not send.
"""

from __future__ import annotations

import base64
import binascii
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from pymailgui.devserver.running import Running
from pymailgui.devserver.smtpdemo import is_loopback

_TIMEOUT = 10.0
_MAX_LINE = 65536


@dataclass
class SMTPScript:
    """How the scripted server behaves. The defaults are a well-behaved ESMTP server."""

    greeting: bytes = b"220 scripted.test ESMTP ready\r\n"
    extensions: tuple[str, ...] = ("8BITMIME", "SMTPUTF8", "SIZE 10485760")
    offer_starttls: bool = True  # advertised (before TLS) when a TLS context is given
    inject_after_starttls: bytes = b""  # sent in the same packet as the 220
    users: dict[str, str] = field(default_factory=dict)  # AUTH offered when not empty
    auth_mechanisms: str = "PLAIN LOGIN"
    refuse_rcpt_containing: str = "reject"  # such recipients get 550
    reply_421_on: str = ""  # verb ("MAIL", "RCPT", "DATA") answered by 421 + close
    drop_after_data: bool = False  # close after the final dot, no reply
    data_reply: bytes = b"250 2.0.0 Ok: queued\r\n"
    drop_on_quit: bool = False  # close instead of answering QUIT


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
    ) -> None:
        self.conn = conn
        self.script = script
        self.tls_context = tls
        self.tls = implicit
        self.record = record
        self.buf = bytearray()
        self.mail_from = ""
        self.rcpts: list[str] = []

    def run(self) -> None:
        self.conn.sendall(self.script.greeting)
        while True:
            line = self.readline()
            text = line.rstrip(b"\r\n").decode("utf-8", "replace")
            self.record.commands.append((self.tls, text))
            verb, _, arg = text.partition(" ")
            handler = getattr(self, f"do_{verb.lower()}", None) if verb.isalpha() else None
            if verb.upper() == self.script.reply_421_on.upper():
                self.send(b"421 4.3.2 Service shutting down\r\n")
                return
            if handler is None:
                self.send(b"500 5.5.1 Unknown command\r\n")
            elif handler(arg) is False:
                return

    # -- I/O ---------------------------------------------------------------------------

    def readline(self) -> bytes:
        while True:
            end = self.buf.find(b"\n")
            if end >= 0:
                line = bytes(self.buf[: end + 1])
                del self.buf[: end + 1]
                return line
            if len(self.buf) > _MAX_LINE:
                raise _Closed
            chunk = self.conn.recv(65536)
            if not chunk:
                raise _Closed
            self.buf += chunk

    def send(self, data: bytes) -> None:
        self.conn.sendall(data)

    # -- commands ----------------------------------------------------------------------

    def do_ehlo(self, arg: str) -> None:
        lines = ["scripted.test", *self.script.extensions]
        if self.tls_context is not None and self.script.offer_starttls and not self.tls:
            lines.append("STARTTLS")
        if self.script.users:
            lines.append(f"AUTH {self.script.auth_mechanisms}")
        out = [f"250-{x}" for x in lines[:-1]] + [f"250 {lines[-1]}"]
        self.send(("\r\n".join(out) + "\r\n").encode())

    def do_helo(self, arg: str) -> None:
        self.send(b"250 scripted.test\r\n")

    def do_starttls(self, arg: str) -> bool:
        if self.tls_context is None or self.tls:
            self.send(b"454 4.7.0 TLS not available\r\n")
            return True
        # The injection rides in the same packet as the 220, as a MITM would send it.
        self.send(b"220 2.0.0 Ready to start TLS\r\n" + self.script.inject_after_starttls)
        self.buf.clear()
        try:
            self.conn = self.tls_context.wrap_socket(self.conn, server_side=True)
        except (ssl.SSLError, OSError):
            return False
        self.tls = True
        return True

    def do_auth(self, arg: str) -> None:
        mechanism, _, initial = arg.partition(" ")
        mechanism = mechanism.upper()
        if mechanism == "PLAIN":
            response = initial or self._challenge(b"")
            parts = _b64(response).split("\0")
            user, password = (parts[1], parts[2]) if len(parts) == 3 else ("", "")
        elif mechanism == "LOGIN":
            user = _b64(self._challenge(b"Username:"))
            password = _b64(self._challenge(b"Password:"))
        else:
            self.send(b"504 5.5.4 Unrecognized authentication type\r\n")
            return
        if user and self.script.users.get(user) == password:
            self.send(b"235 2.7.0 Authentication successful\r\n")
        else:
            self.send(b"535 5.7.8 Authentication credentials invalid\r\n")

    def _challenge(self, prompt: bytes) -> str:
        self.send(b"334 " + base64.b64encode(prompt) + b"\r\n")
        line = self.readline().rstrip(b"\r\n").decode("ascii", "replace")
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

    def do_data(self, arg: str) -> bool:
        if not self.rcpts:
            self.send(b"503 5.5.1 Need RCPT first\r\n")
            return True
        self.send(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        wire: list[bytes] = []
        while True:
            line = self.readline()
            wire.append(line)
            if line == b".\r\n":
                break
        content = b"".join(x[1:] if x.startswith(b".") else x for x in wire[:-1])
        delivery = Delivery(self.mail_from, list(self.rcpts), b"".join(wire), content)
        self.record.deliveries.append(delivery)
        if self.script.drop_after_data:
            return False
        self.send(self.script.data_reply)
        return True

    def do_rset(self, arg: str) -> None:
        self.mail_from, self.rcpts = "", []
        self.send(b"250 2.0.0 Ok\r\n")

    def do_noop(self, arg: str) -> None:
        self.send(b"250 2.0.0 Ok\r\n")

    def do_quit(self, arg: str) -> bool:
        if not self.script.drop_on_quit:
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
            session = _Session(conn, self.script, self._tls, implicit=self._implicit, record=record)
            session.run()
        except (_Closed, OSError):
            pass
        finally:
            (session.conn if session is not None else conn).close()
