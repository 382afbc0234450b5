"""Multi-line framing by buffer scans: the same answers as line-by-line reading, caps kept."""

from __future__ import annotations

import random
import socket
import threading
import time
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pymailgui.errors import ProtocolError
from pymailgui.pop import framing
from pymailgui.pop.parse import dot_stuff, split_lines, unstuff_lines
from pymailgui.pop.transport import Transport


def _line_by_line(wire: bytes) -> bytes:
    """The reference: what reading line by line (the old reader) made of ``wire``."""
    lines = []
    for line in wire.split(b"\n")[:-1]:
        line = line.removesuffix(b"\r")
        if line == b".":
            return unstuff_lines(lines)
        lines.append(line)
    raise AssertionError("no terminator")


# -- pure helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("buf", "expected"),
    [
        (b".\r\n", (0, 3)),
        (b".\n", (0, 2)),
        (b"a\r\n.\r\nnext", (3, 6)),
        (b"a\n.\nnext", (2, 4)),
        (b"..x\r\n.\r\n", (5, 8)),  # a stuffed line is no terminator
        (b"a\r\n.b\r\n.\r\n", (7, 10)),  # nor is an unstuffed one (broken server)
        (b"a\r\n.\r\r\n.\r\n", (7, 10)),  # ".\r\r\n" is a line holding ".\r"
    ],
)
def test_find_end(buf: bytes, expected: tuple[int, int]) -> None:
    assert framing.find_end(buf)[:2] == expected


@pytest.mark.parametrize("partial", [b".", b".\r", b"a\r\n.", b"a\r\n.\r", b"a\r\n", b"abc"])
def test_find_end_waits_for_the_rest(partial: bytes) -> None:
    end, after, resume = framing.find_end(partial)
    assert (end, after) == (-1, -1)
    # Resuming after the rest arrives finds the end the full scan finds.
    full = partial + b"\n" if partial.endswith(b"\r") else partial + b"\r\n.\r\n"
    assert framing.find_end(full, resume)[:2] == framing.find_end(full)[:2]


def test_lines_fit_is_exact_at_the_cap() -> None:
    cap = 10
    assert framing.lines_fit(b"x" * cap + b"\r\n", cap)
    assert framing.lines_fit(b"x" * cap + b"\n", cap)
    assert not framing.lines_fit(b"x" * (cap + 1) + b"\n", cap)
    assert not framing.lines_fit(b"x" * (cap + 1) + b"\r\n", cap)
    many = (b"y" * 7 + b"\r\n") * 50
    assert framing.lines_fit(many + b"x" * cap + b"\r\n" + many, cap)
    assert not framing.lines_fit(many + b"x" * (cap + 1) + b"\r\n" + many, cap)
    assert framing.lines_fit(many, cap, 9, len(many))


@given(st.lists(st.integers(0, 40), max_size=60), st.integers(5, 30))
@settings(max_examples=200, deadline=None)
def test_lines_fit_agrees_with_a_line_by_line_check(lengths: list[int], cap: int) -> None:
    rng = random.Random(sum(lengths) + cap)
    data = b"".join(b"z" * n + rng.choice([b"\r\n", b"\n"]) for n in lengths)
    expected = all(len(line.removesuffix(b"\r")) <= cap for line in data.split(b"\n")[:-1])
    assert framing.lines_fit(data, cap) is expected


def test_normalize_and_unstuff() -> None:
    assert framing.normalize(b"a\nb\r\n\n") == b"a\r\nb\r\n\r\n"
    assert framing.normalize(b"a\r\r\n") == b"a\r\r\n"
    assert framing.unstuff(b".a\r\n..b\r\nc.\r\n") == b"a\r\n.b\r\nc.\r\n"
    body = b"plain\r\n"
    assert framing.unstuff(body) is body  # nothing to do: no copy


# -- the transport ------------------------------------------------------------------------


_LINE = st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"").replace(b"\r", b""))


@given(st.lists(_LINE, max_size=40), st.booleans(), st.integers(1, 50))
@settings(max_examples=150, deadline=None)
def test_read_block_equals_line_by_line(lines: list[bytes], bare_lf: bool, chunk: int) -> None:
    """Whatever the chunking, stuffing and line ends, the block is what the line reader
    produced; the next answer is untouched."""
    wire = dot_stuff(b"".join(line + b"\r\n" for line in lines))
    if bare_lf:
        wire = wire.replace(b"\r\n", b"\n")
    ours, theirs = socket.socketpair()
    with theirs:
        transport = Transport(ours, "peer", timeout=5.0)
        try:
            data = wire + b"+OK next\r\n"

            def feed() -> None:
                for at in range(0, len(data), chunk):
                    theirs.sendall(data[at : at + chunk])

            writer = threading.Thread(target=feed)
            writer.start()
            assert transport.read_block() == _line_by_line(wire)
            assert transport.read_line() == b"+OK next"
            writer.join(5)
        finally:
            transport.close()


def test_read_multiline_keeps_the_stuffing(pair: tuple[Transport, socket.socket]) -> None:
    transport, peer = pair
    peer.sendall(b"l1\r\n..stuffed\nbare\r\n\r\n.\r\n")
    assert transport.read_multiline(1000) == [b"l1", b"..stuffed", b"bare", b""]
    peer.sendall(b".\r\n")
    assert transport.read_multiline(1000) == []


def test_a_line_over_the_cap_inside_a_block_is_cut_and_the_answers_stay_in_step(
    pair: tuple[Transport, socket.socket],
) -> None:
    transport, peer = pair
    peer.sendall(b"ok\r\n" + b"a" * 100 + b"\r\n.\r\n")
    assert transport.read_block(10_000) == b"ok\r\n" + b"a" * 100 + b"\r\n"
    # 101 bytes, then 5,000 (over one receive), then a bare LF end: each cut to 100.
    peer.sendall(b"ok\r\n" + b"b" * 101 + b"\r\n" + b"c" * 5000 + b"\n.x\r\n.\r\n+OK next\r\n")
    assert transport.read_block(10_000) == (
        b"ok\r\n" + b"b" * 100 + b"\r\n" + b"c" * 100 + b"\r\nx\r\n"
    )
    assert transport.read_line() == b"+OK next"


def test_a_line_over_the_cap_arriving_in_pieces_is_cut(
    pair: tuple[Transport, socket.socket],
) -> None:
    transport, peer = pair
    result: list[bytes] = []
    reader = threading.Thread(target=lambda: result.append(transport.read_block(1_000_000)))
    reader.start()
    for piece in (b"head\r\n", b"d" * 150, b"d" * 150 + b"\r", b"\ntail\r\n", b".\r\n"):
        peer.sendall(piece)
        time.sleep(0.02)
    reader.join(5)
    assert result == [b"head\r\n" + b"d" * 100 + b"\r\ntail\r\n"]


def test_dropped_bytes_of_a_long_line_count_against_the_answer_cap(
    pair: tuple[Transport, socket.socket],
) -> None:
    transport, peer = pair
    peer.sendall(b"fine\r\n" + b"e" * 3000 + b"\r\n.\r\n")
    with pytest.raises(ProtocolError, match="larger than the limit of 1000 bytes"):
        transport.read_block(1000)


def test_endless_line_in_a_block_is_cut_off(pair: tuple[Transport, socket.socket]) -> None:
    transport, peer = pair
    peer.sendall(b"fine\r\n" + b"c" * 500)  # the line never ends: the server gives up
    peer.shutdown(socket.SHUT_WR)
    with pytest.raises(ProtocolError, match="longer than 100 bytes"):
        transport.read_block(10_000)


def test_answer_cap_before_the_end_arrives(pair: tuple[Transport, socket.socket]) -> None:
    transport, peer = pair
    peer.sendall(b"12345678\r\n" * 10)  # no terminator yet: the cap still applies
    with pytest.raises(ProtocolError, match="larger than the limit of 50 bytes"):
        transport.read_block(50)


def _serve_block(body: bytes, chunk: int) -> tuple[Transport, socket.socket, threading.Thread]:
    ours, theirs = socket.socketpair()
    wire = dot_stuff(body)

    def feed() -> None:
        view = memoryview(wire)
        for at in range(0, len(wire), chunk):
            theirs.sendall(view[at : at + chunk])

    writer = threading.Thread(target=feed)
    writer.start()
    return Transport(ours, "peer", timeout=10.0), theirs, writer


def test_big_block_across_segments_with_stuffing_and_bare_lf() -> None:
    rng = random.Random(5)
    lines = [
        rng.choice([b".", b"..", b"", b"x"]) + rng.randbytes(rng.randint(0, 90)).hex().encode()
        for _ in range(60_000)
    ]
    body = b"".join(line + b"\r\n" for line in lines)  # about 5.6 MB
    transport, peer, writer = _serve_block(body, 70_001)
    try:
        assert transport.read_block() == body
    finally:
        writer.join(10)
        transport.close()
        peer.close()
    assert split_lines(body) == lines


def test_a_20_mb_block_costs_about_its_size_once() -> None:
    """No list of lines next to the joined bytes: the peak of Python allocations while
    reading is well under twice the message (the line reader needed about 3.5x)."""
    body = (b"A" * 76 + b"\r\n") * (20 * 1024 * 1024 // 78)
    transport, peer, writer = _serve_block(body, 256 * 1024)
    try:
        tracemalloc.start()
        try:
            got = transport.read_block()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert got == body
    finally:
        writer.join(10)
        transport.close()
        peer.close()
    assert peak < 1.5 * len(body)
