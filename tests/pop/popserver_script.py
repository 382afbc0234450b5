"""A small threaded scripted POP3 server for the client tests.

A real TCP listener on 127.0.0.1 (port 0) serving an in-memory maildrop, with switches
for the faults and hostile answers the client must survive. It records every command
line with the number of the ``recv()`` that delivered it, so a test can prove that
pipelined commands arrived in one write, before any answer was read.
"""

from __future__ import annotations

import base64
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pymailgui.config.schema import Security, ServerConfig
from pymailgui.pop.parse import dot_stuff, split_lines

CRLF = b"\r\n"


@dataclass
class Options:
    """How the server behaves; the defaults are a well-behaved RFC 2449 server."""

    username: str = "alice"
    password: str = "s3cret-pa55"
    capa: bool = True  # False: CAPA answers -ERR (an RFC 1939-only server)
    pipelining: bool = True
    top: bool = True  # advertise TOP in CAPA
    top_works: bool = True  # False: TOP answers -ERR (unknown command)
    uidl: bool = True  # advertise UIDL in CAPA
    uidl_error: bool = False  # UIDL answers -ERR
    sasl: tuple[str, ...] = ("PLAIN",)
    stls_context: ssl.SSLContext | None = None  # STLS offered and working
    stls_offered: bool = True  # with stls_context: list STLS in CAPA
    stls_inject: bytes = b""  # sent in clear right after "+OK" to STLS
    implicit_tls: ssl.SSLContext | None = None
    greeting: bytes = b"+OK scripted POP3 server ready"
    drop_after_greeting: bool = False
    pass_error: bytes | None = None  # e.g. b"-ERR [IN-USE] mailbox locked"
    quit_error: bool = False
    drop_on_quit: bool = False
    stall_on: str | None = None  # verb after which the server goes silent
    raw_uidl: list[bytes] | None = None  # UIDL listing lines sent verbatim
    extra_capa: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class Received:
    connection: int
    batch: int  # global count of recv() calls: same batch = arrived in one read
    when: float
    line: bytes


@dataclass
class Maildrop:
    messages: list[bytes]
    uids: list[str] = field(default_factory=list)
    deleted_for_good: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.uids:
            self.uids = [f"uid-{i:06d}" for i in range(1, len(self.messages) + 1)]


class ScriptedPOP3Server:
    def __init__(self, maildrop: Maildrop, options: Options | None = None) -> None:
        self.maildrop = maildrop
        self.options = options or Options()
        self.received: list[Received] = []
        self.failures: list[str] = []  # exceptions that ended a connection
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.host = "127.0.0.1"
        self.port: int = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._handlers: list[_Connection] = []
        self._batch = 0
        self._accepter = threading.Thread(target=self._accept_loop, daemon=True)
        self._accepter.start()

    # -- lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        self._stop.set()
        try:  # wakes the accept() at once on Linux
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._accepter.join(5)
        self._listener.close()
        with self._lock:
            handlers = list(self._handlers)
        for handler in handlers:
            try:
                handler.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in self._threads:
            thread.join(5)

    def commands(self, verb: str | None = None) -> list[Received]:
        with self._lock:
            items = list(self.received)
        if verb is None:
            return items
        return [r for r in items if r.line.split(b" ")[0].upper() == verb.encode()]

    def _accept_loop(self) -> None:
        number = 0
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            number += 1
            conn.settimeout(10)
            handler = _Connection(self, conn, number)
            with self._lock:
                self._handlers.append(handler)
            thread = threading.Thread(target=self._serve, args=(handler,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, handler: _Connection) -> None:
        raw = handler.sock
        try:
            handler.run()
        except OSError as exc:  # includes ssl.SSLError: a refused handshake lands here
            self.failures.append(repr(exc))
        finally:
            handler.sock.close()
            raw.close()

    def next_batch(self) -> int:
        with self._lock:
            self._batch += 1
            return self._batch

    def record(self, number: int, batch: int, line: bytes) -> None:
        with self._lock:
            self.received.append(Received(number, batch, time.monotonic(), line))


class _Connection:
    """One client session: reads lines, answers them."""

    def __init__(self, server: ScriptedPOP3Server, sock: socket.socket, number: int) -> None:
        self.server = server
        self.opts = server.options
        self.sock = sock
        self.number = number
        self.buffer = b""
        self.authed = False
        self.user: str | None = None
        self.deleted: set[int] = set()
        self.auth_pending = False
        self.tls = False

    def run(self) -> None:
        if self.opts.implicit_tls is not None:
            self.sock = self.opts.implicit_tls.wrap_socket(self.sock, server_side=True)
            self.tls = True
        self.send(self.opts.greeting)
        if self.opts.drop_after_greeting:
            return
        while not self.server._stop.is_set():
            chunk = self.sock.recv(65536)
            if not chunk:
                return
            batch = self.server.next_batch()
            self.buffer += chunk
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                line = line.rstrip(b"\r")
                self.server.record(self.number, batch, line)
                if not self.handle(line):
                    return

    def send(self, *lines: bytes) -> None:
        self.sock.sendall(b"".join(line + CRLF for line in lines))

    def handle(self, line: bytes) -> bool:
        """Answer one line; False ends the connection."""
        if self.auth_pending:
            self.auth_pending = False
            self.check_plain(line)
            return True
        verb, _, arg = line.partition(b" ")
        verb = verb.upper()
        if self.opts.stall_on and verb == self.opts.stall_on.encode():
            self.server._stop.wait(30)
            return False
        if verb == b"QUIT":
            return self.quit()
        method = getattr(self, "cmd_" + verb.decode("ascii", "replace"), None)
        if method is None:
            self.send(b"-ERR unknown command")
            return True
        if verb not in {b"CAPA", b"STLS", b"USER", b"PASS", b"AUTH", b"NOOP"} and not self.authed:
            self.send(b"-ERR [AUTH] log in first")
            return True
        method(arg)
        return True

    # -- session -----------------------------------------------------------------------

    def cmd_CAPA(self, arg: bytes) -> None:
        o = self.opts
        if not o.capa:
            self.send(b"-ERR unknown command")
            return
        caps = [b"USER", b"RESP-CODES", b"IMPLEMENTATION scripted-test-server 1.0"]
        caps += [b"PIPELINING"] * o.pipelining + [b"TOP"] * o.top + [b"UIDL"] * o.uidl
        if o.sasl:
            caps.append(b"SASL " + " ".join(o.sasl).encode())
        if o.stls_context is not None and o.stls_offered and not self.tls:
            caps.append(b"STLS")
        self.send(b"+OK capability list follows", *caps, *o.extra_capa, b".")

    def cmd_STLS(self, arg: bytes) -> None:
        if self.opts.stls_context is None or self.tls:
            self.send(b"-ERR STLS not available")
            return
        # The injection goes out in the same write as the +OK, as an attacker would.
        self.sock.sendall(b"+OK begin TLS" + CRLF + self.opts.stls_inject)
        self.sock = self.opts.stls_context.wrap_socket(self.sock, server_side=True)
        self.tls = True
        self.buffer = b""

    def cmd_USER(self, arg: bytes) -> None:
        self.user = arg.decode()
        self.send(b"+OK send PASS")

    def cmd_PASS(self, arg: bytes) -> None:
        if self.opts.pass_error is not None:
            self.send(self.opts.pass_error)
            return
        self.finish_login(self.user == self.opts.username and arg.decode() == self.opts.password)

    def cmd_AUTH(self, arg: bytes) -> None:
        mech, _, initial = arg.partition(b" ")
        if mech.upper() != b"PLAIN" or "PLAIN" not in self.opts.sasl:
            self.send(b"-ERR unsupported mechanism")
        elif initial:
            self.check_plain(initial)
        else:
            self.auth_pending = True
            self.send(b"+ ")

    def check_plain(self, token: bytes) -> None:
        try:
            _authz, user, password = base64.b64decode(token, validate=True).split(b"\0")
        except ValueError:
            self.send(b"-ERR bad base64")
            return
        expected = (self.opts.username.encode(), self.opts.password.encode())
        self.finish_login((user, password) == expected)

    def finish_login(self, ok: bool) -> None:
        if ok:
            self.authed = True
            self.send(b"+OK logged in")
        else:
            self.send(b"-ERR [AUTH] invalid user name or password")

    def quit(self) -> bool:
        if self.opts.drop_on_quit:
            return False
        if self.opts.quit_error:
            self.send(b"-ERR [SYS/TEMP] could not remove messages")
            return False
        if self.authed:
            drop = self.server.maildrop
            drop.deleted_for_good.extend(sorted(self.deleted))
        self.send(b"+OK bye")
        return False

    # -- transaction -------------------------------------------------------------------

    def live(self, arg: bytes) -> int | None:
        try:
            num = int(arg.split(b" ")[0])
        except ValueError:
            return None
        count = len(self.server.maildrop.messages)
        if 1 <= num <= count and num not in self.deleted:
            return num
        return None

    def cmd_NOOP(self, arg: bytes) -> None:
        self.send(b"+OK")

    def cmd_RSET(self, arg: bytes) -> None:
        self.deleted.clear()
        self.send(b"+OK")

    def cmd_STAT(self, arg: bytes) -> None:
        msgs = self.server.maildrop.messages
        alive = [i for i in range(1, len(msgs) + 1) if i not in self.deleted]
        total = sum(len(msgs[i - 1]) for i in alive)
        self.send(b"+OK %d %d" % (len(alive), total))

    def cmd_LIST(self, arg: bytes) -> None:
        msgs = self.server.maildrop.messages
        if arg:
            num = self.live(arg)
            if num is None:
                self.send(b"-ERR no such message")
            else:
                self.send(b"+OK %d %d" % (num, len(msgs[num - 1])))
            return
        lines = [b"%d %d" % (i, len(m)) for i, m in enumerate(msgs, 1) if i not in self.deleted]
        self.send(b"+OK scan listing follows", *lines, b".")

    def cmd_UIDL(self, arg: bytes) -> None:
        if self.opts.uidl_error:
            self.send(b"-ERR unknown command")
            return
        uids = self.server.maildrop.uids
        if arg:
            num = self.live(arg)
            if num is None:
                self.send(b"-ERR no such message")
            else:
                self.send(b"+OK %d %s" % (num, uids[num - 1].encode()))
            return
        if self.opts.raw_uidl is not None:
            self.send(b"+OK", *self.opts.raw_uidl, b".")
            return
        count = len(self.server.maildrop.messages)
        lines = [
            b"%d %s" % (i, uids[i - 1].encode())
            for i in range(1, count + 1)
            if i not in self.deleted
        ]
        self.send(b"+OK unique-id listing follows", *lines, b".")

    def cmd_TOP(self, arg: bytes) -> None:
        parts = arg.split(b" ")
        num = self.live(arg)
        if not self.opts.top_works or len(parts) != 2 or not parts[1].isdigit():
            self.send(b"-ERR unknown command")
        elif num is None:
            self.send(b"-ERR no such message")
        else:
            head = top_of(self.message(num), int(parts[1]))
            self.sock.sendall(b"+OK top follows" + CRLF + dot_stuff(head))

    def cmd_RETR(self, arg: bytes) -> None:
        num = self.live(arg)
        if num is None:
            self.send(b"-ERR no such message")
        else:
            self.sock.sendall(b"+OK message follows" + CRLF + dot_stuff(self.message(num)))

    def cmd_DELE(self, arg: bytes) -> None:
        num = self.live(arg)
        if num is None:
            self.send(b"-ERR no such message")
        else:
            self.deleted.add(num)
            self.send(b"+OK marked")

    def message(self, num: int) -> bytes:
        return self.server.maildrop.messages[num - 1]


def top_of(message: bytes, lines: int) -> bytes:
    """The header block, the blank line and ``lines`` body lines (RFC 1939 §7)."""
    all_lines = split_lines(message)
    try:
        blank = all_lines.index(b"")
    except ValueError:
        return message
    kept = all_lines[: blank + 1 + lines]
    return b"".join(line + CRLF for line in kept)


def sample_message(i: int, body_lines: int = 3) -> bytes:
    """A small well-formed message, different for each ``i``."""
    body = b"".join(b"Body line %d of message %d.\r\n" % (j, i) for j in range(body_lines))
    return (
        b"From: sender%d@example.org\r\nTo: alice@example.org\r\n"
        b"Subject: Message number %d\r\nMessage-ID: <m%d@example.org>\r\n\r\n" % (i, i, i)
    ) + body


def config_for(
    server: ScriptedPOP3Server, security: Security = Security.NONE, **kw: Any
) -> ServerConfig:
    """A ServerConfig pointing at ``server`` (cleartext unless ``security`` says)."""
    kw.setdefault("timeout", 5.0)
    return ServerConfig(
        host=server.host,
        port=server.port,
        security=security,
        username=server.options.username,
        **kw,
    )


#: The type of the ``scripted_pop`` fixture: ``scripted_pop(messages=..., uids=..., **Options)``.
ServerMaker = Callable[..., ScriptedPOP3Server]
