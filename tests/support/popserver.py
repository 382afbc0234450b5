"""The scripted POP3 server as fixtures, and a raw-socket client for protocol tests.

Fixtures:
- ``pop_server``: a started :class:`ScriptedPOP3Server` with user "alice"/"secret" and an
  empty in-memory maildrop (``pop_server.maildrop("alice")``).
- ``pop_server_factory``: ``make(behavior=None, users=None)`` starts another server (by
  default with the same alice/secret user and a fresh maildrop); all are stopped at the
  end of the test.
- ``scripted_pop``: ``make(messages=None, *rules, **behavior)``: a server whose alice
  maildrop holds ``messages`` (five :func:`sample_message` by default), with
  ``ServerBehavior(script=rules, **behavior)``.

Helpers: :func:`config_for` (a ServerConfig for a server), :func:`verbs` and
:func:`raw_lines` (what the client sent, all sessions in order).
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any, Protocol

import pytest

from pymailgui.config.schema import Security, ServerConfig
from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.maildrop import Maildrop
from pymailgui.devserver.pop3server import ScriptedPOP3Server
from pymailgui.devserver.script import Rule
from pymailgui.lines import unstuff_line

POP_USER = "alice"
POP_PASSWORD = "secret"
RAW_TIMEOUT = 5.0


class PopServerFactory(Protocol):
    def __call__(
        self,
        behavior: ServerBehavior | None = None,
        users: dict[str, tuple[str, Maildrop]] | None = None,
    ) -> ScriptedPOP3Server: ...


@pytest.fixture
def pop_server_factory() -> Iterator[PopServerFactory]:
    """Start scripted POP3 servers with a given behavior; stopped after the test."""
    with ExitStack() as running:

        def make(
            behavior: ServerBehavior | None = None,
            users: dict[str, tuple[str, Maildrop]] | None = None,
        ) -> ScriptedPOP3Server:
            if users is None:
                users = {POP_USER: (POP_PASSWORD, Maildrop())}
            return running.enter_context(ScriptedPOP3Server(users, behavior))

        yield make


@pytest.fixture
def pop_server(pop_server_factory: PopServerFactory) -> ScriptedPOP3Server:
    """A started scripted POP3 server: user alice/secret, empty maildrop."""
    return pop_server_factory()


def sample_message(i: int, body_lines: int = 3) -> bytes:
    """A small well-formed message, different for each ``i``."""
    body = b"".join(b"Body line %d of message %d.\r\n" % (j, i) for j in range(body_lines))
    return (
        b"From: sender%d@example.org\r\nTo: alice@example.org\r\n"
        b"Subject: Message number %d\r\nMessage-ID: <m%d@example.org>\r\n\r\n" % (i, i, i)
    ) + body


class ScriptedMaker(Protocol):
    def __call__(
        self,
        messages: list[bytes] | None = None,
        *rules: Rule,
        user: str = POP_USER,
        password: str = POP_PASSWORD,
        **behavior: Any,
    ) -> ScriptedPOP3Server: ...


@pytest.fixture
def scripted_pop(pop_server_factory: PopServerFactory) -> ScriptedMaker:
    """``make(messages=None, *rules, user=, password=, **ServerBehavior fields)``."""

    def make(
        messages: list[bytes] | None = None,
        *rules: Rule,
        user: str = POP_USER,
        password: str = POP_PASSWORD,
        **behavior: Any,
    ) -> ScriptedPOP3Server:
        drop = Maildrop()
        for data in messages if messages is not None else map(sample_message, range(1, 6)):
            drop.add(data)
        script = ServerBehavior(script=rules, **behavior)
        return pop_server_factory(script, users={user: (password, drop)})

    return make


def config_for(
    server: ScriptedPOP3Server, security: Security = Security.NONE, **kw: Any
) -> ServerConfig:
    """A ServerConfig pointing at ``server`` (cleartext unless ``security`` says)."""
    kw.setdefault("timeout", 5.0)
    kw.setdefault("username", POP_USER)
    return ServerConfig(host=server.host, port=server.port, security=security, **kw)


def verbs(server: ScriptedPOP3Server) -> list[str]:
    """The command verbs the server processed, every session in order."""
    return [verb for log in server.sessions for verb in log.verbs]


def raw_lines(server: ScriptedPOP3Server) -> list[bytes]:
    """Every line the server processed, raw (secrets included), every session in order."""
    return [line for log in server.sessions for line in log.lines()]


class RawPOP:
    """A deliberately dumb POP3 client over a raw socket: send bytes, read lines.

    It lets tests pipeline, send malformed commands and read exactly what the server
    wrote, which stdlib ``poplib`` hides.
    """

    def __init__(
        self,
        server: ScriptedPOP3Server,
        *,
        tls: ssl.SSLContext | None = None,
        read_greeting: bool = True,
    ) -> None:
        sock = socket.create_connection((server.host, server.port), timeout=RAW_TIMEOUT)
        self.sock: socket.socket = (
            tls.wrap_socket(sock, server_hostname=server.host) if tls else sock
        )
        self.file = self.sock.makefile("rb")
        self.greeting = self.line() if read_greeting else ""

    def close(self) -> None:
        self.file.close()
        self.sock.close()

    def __enter__(self) -> RawPOP:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def send(self, *lines: str) -> None:
        """Send the lines in one write (pipelined when more than one)."""
        self.sock.sendall("".join(line + "\r\n" for line in lines).encode("utf-8"))

    def line(self) -> str:
        raw = self.file.readline()
        if not raw:
            raise ConnectionError("server closed the connection")
        return raw.decode("utf-8").removesuffix("\r\n")

    def raw_block(self) -> bytes:
        """The raw bytes of a multi-line body up to and including ".CRLF" (still stuffed)."""
        chunks = []
        while True:
            raw = self.file.readline()
            if not raw:
                raise ConnectionError("server closed the connection")
            chunks.append(raw)
            if raw == b".\r\n":
                return b"".join(chunks)

    def block(self) -> list[bytes]:
        """The lines of a multi-line body, un-stuffed, without the terminator."""
        return [unstuff_line(line) for line in self.raw_block().split(b"\r\n")[:-2]]

    def cmd(self, line: str) -> str:
        self.send(line)
        return self.line()

    def multi(self, line: str) -> tuple[str, list[bytes]]:
        """Send a multi-line command; on +OK return the status and the body lines."""
        status = self.cmd(line)
        return status, (self.block() if status.startswith("+OK") else [])

    def login(self, user: str = POP_USER, password: str = POP_PASSWORD) -> str:
        assert self.cmd(f"USER {user}").startswith("+OK")
        return self.cmd(f"PASS {password}")

    def at_eof(self) -> bool:
        """True when the server closed the connection (and sent nothing more).

        A close with our unread command still in its buffer makes the peer's kernel
        send a reset: that is a close too.
        """
        try:
            return self.file.read(1) == b""
        except ConnectionResetError:
            return True


RawFactory = Callable[..., RawPOP]


@pytest.fixture
def raw_pop() -> Iterator[RawFactory]:
    """``raw_pop(server, tls=None, read_greeting=True)``: connected RawPOP, closed after."""
    clients: list[RawPOP] = []

    def connect(server: ScriptedPOP3Server, **kw: Any) -> RawPOP:
        client = RawPOP(server, **kw)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()
