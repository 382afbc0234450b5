"""The pipelining window: bounded by bytes in flight, and no deadlock with full buffers."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from pymailgui.config.schema import Security, ServerConfig
from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.maildrop import Maildrop
from pymailgui.devserver.pop3server import ScriptedPOP3Server
from pymailgui.errors import ConnectionFailed
from pymailgui.pop import POP3Client, Transport
from pymailgui.pop.session import ANSWER_OVERHEAD, FIRST_GUESS, Window
from tests.support.tls import TLSFiles

PASSWORD = "secret"
SMALL_BUFFER = 4096


# -- the window's arithmetic ----------------------------------------------------------------


def test_window_counts_bytes_not_commands() -> None:
    win = Window(answer_bytes=100_000, command_bytes=1_000)
    sent = 0
    while win.room(win.guess(30_000), 10):
        win.sent(win.guess(30_000), 10)
        sent += 1
    assert sent == 3  # three 30 KB answers fit in 100 KB, a fourth does not
    small = Window(answer_bytes=100_000, command_bytes=1_000)
    while small.room(small.guess(10), 10):
        small.sent(small.guess(10), 10)
    assert small.count == 100  # tiny answers: the command bytes are the bound


def test_window_always_lets_one_command_through() -> None:
    win = Window(answer_bytes=1_000)
    assert win.wants_refill() and win.room(win.guess(50_000_000), 12)
    win.sent(win.guess(50_000_000), 12)
    assert not win.wants_refill() and not win.room(win.guess(1), 12)


def test_without_pipelining_one_in_flight() -> None:
    win = Window(pipelining=False)
    win.sent(win.guess(10), 8)
    assert not win.wants_refill() and not win.room(win.guess(10), 8)
    win.answered(win.guess(10), 8, None)
    assert win.wants_refill()


def test_window_learns_the_size_of_unknown_answers() -> None:
    win = Window()
    assert win.guess(None) == FIRST_GUESS
    win.sent(FIRST_GUESS, 12)
    win.answered(FIRST_GUESS, 12, 1_000)
    win.sent(FIRST_GUESS, 12)
    win.answered(FIRST_GUESS, 12, 3_000)
    assert win.guess(None) == 2_000
    assert win.guess(5_000) == 5_000 + ANSWER_OVERHEAD  # a known size is taken as is
    assert (win.count, win.answers, win.commands) == (0, 0, 0)


def test_refill_waits_for_a_quarter_of_the_budget() -> None:
    win = Window(answer_bytes=4_000, command_bytes=10_000)
    for _ in range(4):
        win.sent(1_000, 10)
    assert not win.wants_refill()
    win.answered(1_000, 10, None)
    assert win.wants_refill()


# -- against the scripted server ------------------------------------------------------------


def _messages(count: int, body_lines: int) -> list[bytes]:
    return [
        b"From: a@example.org\r\nSubject: %d\r\n\r\n" % i
        + b"".join(b"line %d of message %d\r\n" % (j, i) for j in range(body_lines))
        for i in range(1, count + 1)
    ]


@dataclass
class Lab:
    server: ScriptedPOP3Server
    messages: list[bytes]
    tls: TLSFiles | None


@pytest.fixture(params=["plain", "tls"])
def tiny_buffer_server(request: pytest.FixtureRequest, tls_files: TLSFiles) -> Iterator[Lab]:
    """The scripted server (plain or implicit TLS) with every accepted socket's buffers
    at their minimum."""
    drop = Maildrop(uid_validity=9)
    messages = _messages(3000, 20)
    for data in messages:
        drop.add(data)
    tls = tls_files if request.param == "tls" else None
    behavior = ServerBehavior(implicit_tls=tls.server_context() if tls else None)
    server = ScriptedPOP3Server({"alice": (PASSWORD, drop)}, behavior)
    server.start()
    listener = server._listener  # accepted sockets inherit the listener's buffer sizes
    assert listener is not None
    for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
        listener.setsockopt(socket.SOL_SOCKET, option, SMALL_BUFFER)
    try:
        yield Lab(server, messages, tls)
    finally:
        server.stop()


def _small_buffer_transport(cls: type[Transport]) -> object:
    def factory(
        host: str, port: int, *, timeout: float, ssl_context: ssl.SSLContext | None
    ) -> Transport:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            sock.setsockopt(socket.SOL_SOCKET, option, SMALL_BUFFER)
        sock.settimeout(timeout)
        sock.connect((host, port))
        transport = cls(sock, host, timeout=timeout)
        if ssl_context is not None:
            transport._wrap(ssl_context, host)
        return transport

    return factory


class _WriteOnlyTransport(Transport):
    """The old way: a plain sendall that never reads while it waits to write."""

    def send(self, data: bytes) -> None:
        self._check_open()
        try:
            self._sock.sendall(data)
        except OSError as exc:
            self.close()
            raise self._os_error(exc) from exc


def _client(lab: Lab, cls: type[Transport], timeout: float) -> POP3Client:
    server = lab.server
    config = ServerConfig(
        host=server.host,
        port=server.port,
        security=Security.TLS if lab.tls else Security.NONE,
        ca_file=str(lab.tls.ca_file) if lab.tls else "",
        timeout=timeout,
    )
    client = POP3Client.connect(config, transport_factory=_small_buffer_transport(cls))  # type: ignore[arg-type]
    client.login("alice", PASSWORD)
    # Every RETR in one write: 3,000 commands (36 KB) against 4 KB socket buffers.
    client.window_bytes = client.window_command_bytes = 1 << 40
    return client


def test_huge_retr_batch_with_tiny_buffers_does_not_deadlock(tiny_buffer_server: Lab) -> None:
    server, messages = tiny_buffer_server.server, tiny_buffer_server.messages
    client = _client(tiny_buffer_server, Transport, timeout=10.0)
    try:
        got = dict(client.retr_many(range(1, len(messages) + 1)))
        client.quit()
    finally:
        client.abort()
    assert [got[n] for n in range(1, len(messages) + 1)] == messages
    # The commands did go out faster than the server read them (one write, many reads).
    retr_batches = {batch for batch, command in server.transcript[0] if command.startswith("RETR")}
    assert len(retr_batches) > 1


def test_the_same_batch_written_without_reading_deadlocks(tiny_buffer_server: Lab) -> None:
    """The set-up above really is a deadlock for a client that only writes: both sides
    block on full buffers until the timeout."""
    messages = tiny_buffer_server.messages
    client = _client(tiny_buffer_server, _WriteOnlyTransport, timeout=1.0)
    try:
        with pytest.raises(ConnectionFailed, match="did not answer within"):
            dict(client.retr_many(range(1, len(messages) + 1)))
    finally:
        client.abort()


def test_retr_window_follows_the_list_sizes() -> None:
    """Big messages: only as many RETRs in flight as their LIST sizes fit in the window."""
    drop = Maildrop(uid_validity=10)
    messages = _messages(12, 20_000)  # about 500 KB each
    for data in messages:
        drop.add(data)
    with ScriptedPOP3Server({"alice": (PASSWORD, drop)}) as server:
        config = ServerConfig(
            host=server.host, port=server.port, security=Security.NONE, timeout=10.0
        )
        with POP3Client.connect(config) as client:
            client.login("alice", PASSWORD)
            client.window_bytes = 1_200_000
            client.listing()
            got = dict(client.retr_many(range(1, 13)))
        assert [got[n] for n in range(1, 13)] == messages
        per_batch: dict[int, int] = {}
        for batch, command in server.transcript[0]:
            if command.startswith("RETR"):
                per_batch[batch] = per_batch.get(batch, 0) + 1
    assert max(per_batch.values()) <= 2  # 2 x 500 KB fit in 1.2 MB, 3 do not
    assert len(per_batch) >= 6
