"""Wire-level helpers of the scripted POP3 server: line reading and multi-line blocks.

Pure functions over bytes, plus a buffered reader that serves pipelined commands in
order (RFC 2449 §6.6) and counts how many reads they took.
"""

from __future__ import annotations

import socket

_RECV_SIZE = 65536


class LineTooLongError(Exception):
    pass


class LineReader:
    """A buffered line reader: pipelined commands are served strictly in order."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.batch = 0  # incremented each time we must wait for more input

    def read_line(self, limit: int) -> bytes | None:
        """The next line without its line ending; None at end of input."""
        start = 0
        while True:
            idx = self.buf.find(b"\n", start)
            if idx >= 0:
                if idx + 1 > limit:
                    raise LineTooLongError
                line = bytes(self.buf[:idx])
                del self.buf[: idx + 1]
                return line.removesuffix(b"\r")
            if len(self.buf) >= limit:
                raise LineTooLongError
            start = len(self.buf)
            self.batch += 1
            chunk = self.sock.recv(_RECV_SIZE)
            if not chunk:
                return None
            self.buf += chunk


def is_number(arg: str) -> bool:
    return arg.isascii() and arg.isdigit() and len(arg) < 10


def top_of(data: bytes, lines: int) -> bytes:
    """The header block, the blank line and the first ``lines`` body lines (RFC 1939 §7)."""
    if data.startswith(b"\r\n"):
        head, body = b"\r\n", data[2:]
    else:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return data
        head, body = data[: end + 4], data[end + 4 :]
    pos = 0
    for _ in range(lines):
        nxt = body.find(b"\r\n", pos)
        if nxt < 0:
            pos = len(body)
            break
        pos = nxt + 2
    return head + body[:pos]
