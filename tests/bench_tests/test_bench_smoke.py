"""The bench runs and its pieces are right; nothing is timed here (figures are the bench's)."""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.corpus import big_message, make_messages
from bench.proxy import LatencyProxy

from pymailgui.config import Security, ServerConfig
from pymailgui.devserver.maildrop import Maildrop
from pymailgui.devserver.pop3server import ScriptedPOP3Server
from pymailgui.pop import open_session

TIMEOUT = 10.0


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


class SinkThenReply:
    """A one-connection server: reads until EOF, then sends ``reply`` and closes."""

    def __init__(self, reply: bytes) -> None:
        self.reply = reply
        self.received = b""
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(TIMEOUT)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.listener.getsockname()[:2]
        return host, port

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        with conn:
            conn.settimeout(TIMEOUT)
            self.received = _read_all(conn)
            conn.sendall(self.reply)

    def close(self) -> None:
        self.thread.join(TIMEOUT)
        self.listener.close()


@pytest.fixture
def sink() -> Iterator[SinkThenReply]:
    rng = random.Random(7)
    server = SinkThenReply(rng.randbytes(3 * 1024 * 1024 + 17))
    yield server
    server.close()


def test_bytes_pass_unchanged_both_ways(sink: SinkThenReply) -> None:
    payload = random.Random(8).randbytes(5 * 1024 * 1024 + 3)  # more than max_in_flight
    with LatencyProxy(sink.address, 0.0, max_in_flight=256 * 1024) as proxy:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT) as client:
            client.sendall(payload)
            client.shutdown(socket.SHUT_WR)  # the half-close must reach the server
            answer = _read_all(client)
        assert proxy.connections == 1
    sink.thread.join(TIMEOUT)
    assert sink.received == payload
    assert answer == sink.reply


def test_pop_session_through_proxy_sees_the_maildrop() -> None:
    drop = Maildrop(uid_validity=1)
    messages = [*make_messages(5, seed=3), big_message(300_000)]
    uids = [drop.add(m) for m in messages]
    with (
        ScriptedPOP3Server({"alice": ("secret", drop)}) as server,
        LatencyProxy((server.host, server.port), 0.0) as proxy,
    ):
        config = ServerConfig(
            host="127.0.0.1", port=proxy.port, security=Security.NONE, timeout=TIMEOUT
        )
        client = open_session(config, "alice", "secret")
        try:
            assert list((client.uidl_all() or {}).values()) == uids
            got = dict(client.retr_many(range(1, len(uids) + 1)))
            client.quit()
        finally:
            client.abort()
    assert [got[n] for n in range(1, len(uids) + 1)] == messages


def test_corpus_is_deterministic() -> None:
    assert make_messages(12, seed=5) == make_messages(12, seed=5)
    assert make_messages(3, seed=5) != make_messages(3, seed=6)


def test_proxy_stops_itself_after_its_lifetime(sink: SinkThenReply) -> None:
    proxy = LatencyProxy(sink.address, 0.0, lifetime=0.2)
    proxy.start()
    try:
        deadline = time.monotonic() + TIMEOUT
        while not proxy.stopped and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proxy.stopped
        proxy.stop()  # joins the acceptor, which has closed the listener
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT).close()
    finally:
        proxy.stop()
        # The sink still waits for its one connection: serve it so its thread ends.
        with socket.create_connection(sink.address, timeout=TIMEOUT) as direct:
            direct.shutdown(socket.SHUT_WR)
            assert _read_all(direct) == sink.reply


def test_the_whole_bench_runs_on_a_tiny_mailbox(tmp_path: Path) -> None:
    """One command, both servers (Dovecot when installed), two links, every client and
    verb, the report and its JSON: on 20 messages, so it takes seconds. The classic
    client's budget is tiny so its extrapolation runs too. Nothing is timed here."""
    from bench import bench_pop, dovecot

    servers = ("dovecot", "scripted") if dovecot.available() is None else ("scripted",)
    out = tmp_path / "run.json"
    settings = bench_pop.Settings(
        sizes=(20,),
        rtts=(0, 10),
        servers=servers,
        repeats=1,
        new=3,
        classic_budget=0.01,
        big=200_000,
        json=out,
    )
    figures = bench_pop.run(settings)
    keys = {(f.server, f.key) for f in figures}
    for server in servers:
        for key in ("cold.cli", "cold.rss", "cold.reference", "cold.classic", "cold.floor",
                    "warm.cli", "new.cli", "offline.cli", "all.inproc", "all.floor"):  # fmt: skip
            assert (server, key) in keys
    assert ("scripted", "mem.big.inproc") in keys and ("scripted", "delete.inproc") in keys
    assert any(f.estimated for f in figures if f.key == "cold.classic")
    data = json.loads(out.read_text())
    assert {t["verdict"] for t in data["targets"]} <= {"PASS", "MISS", "-"}
    assert len(data["figures"]) == len(figures)
