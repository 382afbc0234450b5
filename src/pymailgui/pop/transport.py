"""The POP3 transport: a connected socket, TLS, timeouts and size limits.

It knows lines and multi-line blocks, nothing of POP3 commands. Every read and write
has a timeout (never None), every line and every multi-line answer has a size cap, and
every socket or TLS failure leaves here as a :class:`~pymailgui.errors.MailError`.
"""

from __future__ import annotations

import io
import logging
import math
import selectors
import socket
import ssl
import time
from pathlib import Path
from typing import Protocol

from pymailgui.errors import ConfigError, ConnectionFailed, ProtocolError, TLSError
from pymailgui.pop import framing
from pymailgui.pop.framing import CRLF
from pymailgui.tls import client_context

#: Longest line kept from the server. RFC 1939 has no limit for message lines and real
#: mail has very long ones (poplib's 2,048 bytes broke on them: odoo#10920). A status
#: line over it ends the session; a line of a multi-line answer over it is cut to it
#: and the rest of the line skipped, so one message with a 50 MB line (unwrapped
#: base64, a hostile header) costs that message alone: its text arrives shorter than
#: the server listed it, which the inbox reports and never deletes on saving.
MAX_LINE = 1024 * 1024
#: Default cap of one multi-line answer (a RETR of a big message).
MAX_RESPONSE = 100 * 1024 * 1024
#: Default cap of what may arrive while we are still sending (pipelined answers that
#: are read early so the server never blocks); a server sending more is flooding us.
MAX_READ_AHEAD = 64 * 1024 * 1024
_RECV_SIZE = 256 * 1024
# A long answer leaves the receive buffer in segments of about this size.
_SEGMENT = 1024 * 1024
# Bytes offered to one send call (a TLS record holds 16 KB).
_SEND_PIECE = 64 * 1024

log = logging.getLogger(__name__)


def _too_big(max_bytes: int) -> ProtocolError:
    return ProtocolError(f"The server's answer is larger than the limit of {max_bytes} bytes.")


def make_tls_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """The only TLS context PyMailGUI uses (see :func:`pymailgui.tls.client_context`)."""
    return client_context(ca_file)


class TransportFactory(Protocol):
    """What the client calls to get a connected transport (a seam for tests)."""

    def __call__(
        self, host: str, port: int, *, timeout: float, ssl_context: ssl.SSLContext | None
    ) -> Transport: ...


def _tls_error(host: str, exc: ssl.SSLError) -> TLSError:
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = exc.verify_message or exc.reason or str(exc)
        return TLSError(f"The certificate of {host} is not trusted: {reason}.")
    reason = exc.reason or str(exc)
    return TLSError(f"A secure (TLS) connection with {host} could not be set up: {reason}.")


class Transport:
    """A connected socket with buffered CRLF line reading and bounded sizes."""

    def __init__(
        self, sock: socket.socket, host: str, *, timeout: float, max_line: int = MAX_LINE
    ) -> None:
        _check_timeout(timeout)
        sock.settimeout(timeout)
        self._sock: socket.socket = sock
        self.host = host
        self.timeout = timeout
        self.max_line = max_line
        self.max_read_ahead = MAX_READ_AHEAD
        self._buffer = bytearray()
        self._closed = False
        #: Bytes read from the stream so far (lines and blocks handed out).
        self.consumed = 0

    @classmethod
    def open(
        cls,
        host: str,
        port: int,
        *,
        timeout: float,
        ssl_context: ssl.SSLContext | None = None,
        max_line: int = MAX_LINE,
    ) -> Transport:
        """Connect to ``host``:``port``; with ``ssl_context``, implicit TLS (RFC 8314)."""
        _check_timeout(timeout)
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except TimeoutError as exc:
            raise ConnectionFailed(
                f"Could not connect to {host} port {port}: no answer within {timeout:g} seconds."
            ) from exc
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ConnectionFailed(f"Could not connect to {host} port {port}: {reason}.") from exc
        transport = cls(sock, host, timeout=timeout, max_line=max_line)
        if ssl_context is not None:
            transport._wrap(ssl_context, host)
        return transport

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def is_tls(self) -> bool:
        return isinstance(self._sock, ssl.SSLSocket)

    @property
    def buffered(self) -> int:
        """Bytes received but not yet read as lines."""
        return len(self._buffer)

    def starttls(self, ssl_context: ssl.SSLContext, server_hostname: str) -> int:
        """Upgrade to TLS after STLS; returns how many buffered bytes were thrown away.

        Anything the server sent after its STLS answer and before the handshake was
        sent in clear and could be an attacker's injected answers (the "NO STARTTLS"
        study, 2021): it is discarded, never read as a response.
        """
        discarded = len(self._buffer)
        self._buffer.clear()
        self._wrap(ssl_context, server_hostname)
        return discarded

    def _wrap(self, ssl_context: ssl.SSLContext, server_hostname: str) -> None:
        try:
            self._sock = ssl_context.wrap_socket(self._sock, server_hostname=server_hostname)
        except ssl.SSLError as exc:
            self.close()
            raise _tls_error(server_hostname, exc) from exc
        except OSError as exc:
            self.close()
            raise self._os_error(exc) from exc

    def send(self, data: bytes) -> None:
        """Send all of ``data``; while the socket cannot take more, read what the server
        sends meanwhile (kept for the next reads).

        A pipelining client that only wrote while the server only wrote answers would
        deadlock once both sides' buffers were full (POP-NOTES, "Speed"): the server
        stops reading commands while its answers are not read. Reading whenever the
        write would block makes that impossible, whatever the buffer sizes. The wait
        for progress either way is bounded by the timeout.
        """
        self._check_open()
        try:
            self._send_reading(data)
        except OSError as exc:
            self.close()
            raise self._os_error(exc) from exc

    def _send_reading(self, data: bytes) -> None:
        sock = self._sock
        view = memoryview(data)
        done = 0
        deadline = time.monotonic() + self.timeout
        sock.settimeout(0.0)
        try:
            while done < len(data):
                try:
                    # A TLS write that would block must be repeated with the same bytes:
                    # the same piece is offered again until it is taken.
                    sent = sock.send(view[done : done + _SEND_PIECE])
                except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
                    sent = 0
                if sent:
                    done += sent
                    deadline = time.monotonic() + self.timeout
                elif self._wait_then_read(deadline):
                    deadline = time.monotonic() + self.timeout
        finally:
            if not self._closed:
                sock.settimeout(self.timeout)

    def _wait_then_read(self, deadline: float) -> bool:
        """Wait until the socket is writable or readable; read one chunk of what
        arrived (enough for the server to go on; draining all of it here would pile up
        a whole window in the buffer). True when something was read (progress: the
        server is alive)."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        with selectors.DefaultSelector() as sel:
            sel.register(self._sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
            events = sel.select(left)
        if not events:
            raise TimeoutError
        if not any(mask & selectors.EVENT_READ for _key, mask in events):
            return False
        try:
            chunk = self._sock.recv(_RECV_SIZE)
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return False
        if not chunk:
            raise self._peer_closed()
        self._buffer += chunk
        if len(self._buffer) > self.max_read_ahead:
            raise self._flooded()
        return True

    def read_line(self) -> bytes:
        """One line without its CRLF (a bare LF is accepted as a line end too)."""
        self._check_open()
        start = 0
        while True:
            end = self._buffer.find(b"\n", start)
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                self.consumed += end + 1
                if line.endswith(b"\r"):
                    line = line[:-1]
                if len(line) > self.max_line:
                    raise self._too_long()
                return line
            # +1 leaves room for a CR already received whose LF is still in flight.
            if len(self._buffer) > self.max_line + 1:
                raise self._too_long()
            start = len(self._buffer)
            self._fill()

    def read_block(self, max_bytes: int = MAX_RESPONSE, *, unstuff: bool = True) -> bytes:
        """The body of a multi-line answer: CRLF lines, dot-unstuffed unless ``unstuff``
        is False, without the "." line (b"" for an empty answer).

        ``max_bytes`` bounds the answer (counted with CRLFs, before unstuffing); over it
        the answer is abandoned and the connection must be closed (its rest is still in
        flight). The buffer is scanned, not read line by line (:mod:`.framing`); an
        answer bigger than one segment is moved out segment by segment into one growing
        buffer that becomes the result without a copy, so a 20 MB message costs about
        its size once, never a list of its lines next to the joined bytes.
        """
        self._check_open()
        buf = self._buffer
        out: io.BytesIO | None = None
        total = 0
        resume = 0
        while True:
            end, after, resume = framing.find_end(buf, resume)
            if end >= 0:
                piece, size = self._take(end, after, unstuff)
                total += size
                if total > max_bytes:
                    raise _too_big(max_bytes)
                if out is None:
                    return piece
                out.write(piece)
                return out.getvalue()
            tail = len(buf) - (buf.rfind(b"\n") + 1)
            if tail > self.max_line + 1:
                start = len(buf) - tail
                total += self._skip_long_line(start, total, max_bytes)
                # The cut line starts at ``start``: nothing before it ends the answer.
                resume = min(resume, max(start - 1, 0))
                continue
            if total + len(buf) - tail > max_bytes:
                raise _too_big(max_bytes)
            if len(buf) - tail >= _SEGMENT:
                # Whole lines leave the buffer; what stays starts at a line start.
                piece, size = self._take(len(buf) - tail, len(buf) - tail, unstuff)
                total += size
                if total > max_bytes:
                    raise _too_big(max_bytes)
                out = out or io.BytesIO()
                out.write(piece)
                resume = 0
            self._fill()

    def _take(self, end: int, after: int, unstuff: bool) -> tuple[bytes, int]:
        """Remove ``buf[:after]`` and return its whole lines ``buf[:end]``, lines over
        the line cap cut to it, CRLF-normalized and (if asked) unstuffed, with their
        size as counted by the answer cap (CRLF lines, before unstuffing)."""
        buf = self._buffer
        fits = framing.lines_fit(buf, self.max_line, 0, end)
        with memoryview(buf) as view:
            piece = bytes(view[:end])
        del buf[:after]
        self.consumed += after
        dropped = 0
        if not fits:
            cut = framing.cut_lines(piece, self.max_line)
            dropped, piece = len(piece) - len(cut), cut
            self._log_cut()
        piece = framing.normalize(piece)
        return (framing.unstuff(piece) if unstuff else piece), len(piece) + dropped

    def read_multiline(self, max_bytes: int = MAX_RESPONSE) -> list[bytes]:
        """The lines of a multi-line answer, still dot-stuffed, without the "." line.

        ``max_bytes`` bounds the whole answer (counted with CRLFs); over it the answer
        is abandoned and the connection must be closed (its rest is still in flight).
        """
        block = self.read_block(max_bytes, unstuff=False)
        return block.split(CRLF)[:-1] if block else []

    def interrupt(self) -> None:
        """Shut the socket down from another thread so a blocked recv/send returns.

        close() alone does not wake a thread blocked in recv() on Linux; shutdown does.
        The reading thread then closes the transport itself.
        """
        if self._closed:
            return
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def close(self) -> None:
        """Close the socket at once (no QUIT: nothing is committed on the server)."""
        if self._closed:
            return
        self._closed = True
        self._buffer.clear()
        try:
            self._sock.close()
        except OSError:
            pass

    def _fill(self) -> None:
        self._buffer += self._recv()

    def _recv(self) -> bytes:
        try:
            chunk = self._sock.recv(_RECV_SIZE)
        except OSError as exc:
            self.close()
            raise self._os_error(exc) from exc
        if not chunk:
            raise self._peer_closed()
        return chunk

    def _skip_long_line(self, start: int, total: int, max_bytes: int) -> int:
        """Cut the unfinished line at ``buf[start:]`` to the line cap and read on,
        dropping the rest of it, until its line end is in the buffer; the bytes dropped.

        The answer stays in step with the session (the later lines and answers are
        read as they come); the dropped bytes count against the answer cap
        ``max_bytes`` with the ``total`` already read. A server that never ends the
        line is cut off by that cap or by the timeout, with the line named as the reason.
        """
        buf = self._buffer
        keep = start + self.max_line
        dropped = len(buf) - keep
        del buf[keep:]
        self._log_cut()
        while True:
            if total + len(buf) + dropped > max_bytes:
                raise _too_big(max_bytes)
            try:
                chunk = self._recv()
            except ConnectionFailed as exc:
                raise self._too_long() from exc
            lf = chunk.find(b"\n")
            if lf < 0:
                dropped += len(chunk)
                continue
            # The line end stays (with its CR when the CR came in the same chunk).
            end = lf - 1 if lf > 0 and chunk[lf - 1] == 0x0D else lf
            dropped += end
            buf += chunk[end:]
            return dropped

    def _check_open(self) -> None:
        if self._closed:
            raise ConnectionFailed(f"The connection to {self.host} is already closed.")

    def _peer_closed(self) -> ConnectionFailed:
        self.close()
        return ConnectionFailed(f"The server {self.host} closed the connection unexpectedly.")

    def _flooded(self) -> ProtocolError:
        return ProtocolError(
            f"The server {self.host} sent more than {self.max_read_ahead} bytes that were "
            "not asked for yet."
        )

    def _log_cut(self) -> None:
        log.warning("%s sent a line longer than %d bytes: cut", self.host, self.max_line)

    def _too_long(self) -> ProtocolError:
        return ProtocolError(
            f"The server {self.host} sent a line longer than {self.max_line} bytes."
        )

    def _os_error(self, exc: OSError) -> ConnectionFailed:
        if isinstance(exc, ssl.SSLError):
            return _tls_error(self.host, exc)
        if isinstance(exc, TimeoutError):
            return ConnectionFailed(
                f"The server {self.host} did not answer within {self.timeout:g} seconds."
            )
        reason = exc.strerror or str(exc) or type(exc).__name__
        return ConnectionFailed(f"The connection to {self.host} failed: {reason}.")


def _check_timeout(timeout: float) -> None:
    # A None or zero timeout would let a silent server hang the client forever.
    if timeout is None or not math.isfinite(timeout) or timeout <= 0:
        raise ConfigError(f"The timeout must be a positive number of seconds, not {timeout!r}.")
