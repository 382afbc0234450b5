"""The scripted POP3 server as fixtures, and a raw-socket client for protocol tests.

Fixtures:
- ``pop_server``: a started :class:`ScriptedPOP3Server` with user "alice"/"secret" and an
  empty in-memory maildrop (``pop_server.maildrop("alice")``).
- ``pop_server_factory``: ``make(behavior=None, users=None)`` starts another server (by
  default with the same alice/secret user and a fresh maildrop); all are stopped at the
  end of the test.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import pytest

from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.maildrop import Maildrop
from pymailgui.devserver.pop3server import ScriptedPOP3Server

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
    started: list[ScriptedPOP3Server] = []

    def make(
        behavior: ServerBehavior | None = None,
        users: dict[str, tuple[str, Maildrop]] | None = None,
    ) -> ScriptedPOP3Server:
        if users is None:
            users = {POP_USER: (POP_PASSWORD, Maildrop())}
        server = ScriptedPOP3Server(users, behavior)
        server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def pop_server(pop_server_factory: PopServerFactory) -> ScriptedPOP3Server:
    """A started scripted POP3 server: user alice/secret, empty maildrop."""
    return pop_server_factory()


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
        lines = self.raw_block().split(b"\r\n")[:-2]
        return [line[1:] if line.startswith(b".") else line for line in lines]

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
