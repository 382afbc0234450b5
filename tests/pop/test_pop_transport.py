"""Transport: line framing, size limits, timeouts, TLS setup, over real sockets."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from pymailgui.errors import ConfigError, ConnectionFailed, ProtocolError, TLSError
from pymailgui.pop.transport import Transport, make_tls_context
from tests.support.tls import TLSFiles


def test_lines_crlf_and_bare_lf(pair: tuple[Transport, socket.socket]) -> None:
    transport, peer = pair
    peer.sendall(b"+OK one\r\n+OK two\n\r\n")
    assert transport.read_line() == b"+OK one"
    assert transport.read_line() == b"+OK two"
    assert transport.read_line() == b""


def test_line_split_across_reads(pair: tuple[Transport, socket.socket]) -> None:
    transport, peer = pair
    result: list[bytes] = []
    reader = threading.Thread(target=lambda: result.append(transport.read_line()))
    reader.start()
    for piece in (b"+O", b"K spl", b"it\r", b"\n"):
        peer.sendall(piece)
    reader.join(5)
    assert result == [b"+OK split"]


def test_line_length_limit_is_exact(pair: tuple[Transport, socket.socket]) -> None:
    transport, peer = pair
    peer.sendall(b"a" * 100 + b"\r\n")
    assert transport.read_line() == b"a" * 100
    peer.sendall(b"b" * 101 + b"\r\n")
    with pytest.raises(ProtocolError, match="longer than 100 bytes"):
        transport.read_line()


def test_endless_line_is_cut_off_without_waiting_for_its_end(
    pair: tuple[Transport, socket.socket],
) -> None:
    transport, peer = pair
    peer.sendall(b"c" * 500)  # no line end ever comes
    with pytest.raises(ProtocolError, match="longer than"):
        transport.read_line()


def test_multiline_block_and_cap(pair: tuple[Transport, socket.socket]) -> None:
    transport, peer = pair
    peer.sendall(b"l1\r\n..stuffed\r\n\r\n.\r\nnext\r\n")
    assert transport.read_multiline(1000) == [b"l1", b"..stuffed", b""]
    assert transport.read_line() == b"next"
    peer.sendall(b"12345678\r\n12345678\r\n.\r\n")
    with pytest.raises(ProtocolError, match="larger than the limit of 15 bytes"):
        transport.read_multiline(15)


def test_peer_close_and_timeout(pair: tuple[Transport, socket.socket]) -> None:
    transport, peer = pair
    ours, silent = socket.socketpair()
    with silent:
        quick = Transport(ours, "slow", timeout=0.2)
        with pytest.raises(ConnectionFailed, match=r"did not answer within 0\.2 seconds"):
            quick.read_line()
        assert quick.closed
    peer.sendall(b"partial")
    peer.shutdown(socket.SHUT_WR)
    with pytest.raises(ConnectionFailed, match="closed the connection unexpectedly"):
        transport.read_line()
    with pytest.raises(ConnectionFailed, match="already closed"):
        transport.send(b"NOOP\r\n")


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), float("nan")])
def test_timeout_must_be_positive_and_finite(timeout: float) -> None:
    with pytest.raises(ConfigError, match="positive number of seconds"):
        Transport.open("127.0.0.1", 1, timeout=timeout)


def test_tls_context_is_verifying(tls_files: TLSFiles, tmp_path: Path) -> None:
    import ssl

    context = make_tls_context(tls_files.ca_file)
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    bad = tmp_path / "not-a-ca.pem"
    bad.write_text("garbage")
    with pytest.raises(ConfigError, match="cannot be used"):
        make_tls_context(bad)
    with pytest.raises(ConfigError, match="cannot be used"):
        make_tls_context(tmp_path / "missing.pem")


def _tls_peer(listener: socket.socket, tls_files: TLSFiles, before: bytes, after: bytes) -> None:
    conn, _ = listener.accept()
    with conn:
        conn.sendall(before)
        with tls_files.server_context().wrap_socket(conn, server_side=True) as tls:
            tls.sendall(after)
            tls.recv(10)


def test_starttls_discards_cleartext_buffer(tls_files: TLSFiles) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        peer = threading.Thread(
            target=_tls_peer,
            args=(listener, tls_files, b"+OK go\r\n+OK forged\r\n", b"+OK secure\r\n"),
        )
        peer.start()
        transport = Transport.open("127.0.0.1", port, timeout=5.0)
        try:
            assert transport.read_line() == b"+OK go"
            context = make_tls_context(tls_files.ca_file)
            assert transport.starttls(context, "127.0.0.1") == len(b"+OK forged\r\n")
            assert transport.is_tls
            assert transport.read_line() == b"+OK secure"
            transport.send(b"bye\r\n")
        finally:
            transport.close()
            peer.join(5)


def test_implicit_tls_untrusted_is_tls_error(
    tls_files: TLSFiles, untrusted_tls_files: TLSFiles
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def serve() -> None:
            conn, _ = listener.accept()
            with conn, pytest.raises(OSError):
                untrusted_tls_files.server_context().wrap_socket(conn, server_side=True)

        peer = threading.Thread(target=serve)
        peer.start()
        try:
            with pytest.raises(TLSError, match=r"certificate of 127\.0\.0\.1 is not trusted"):
                Transport.open(
                    "127.0.0.1", port, timeout=5.0, ssl_context=make_tls_context(tls_files.ca_file)
                )
        finally:
            peer.join(5)
