"""Line endings and dot-stuffing: the one implementation POP3, SMTP and the devserver share.

Both protocols move mail as CRLF-terminated lines ended by a line holding a single "."
(RFC 1939 §3, RFC 5321 §4.1.1.4), and both double a leading "." so no line of the
message can end it early (RFC 1939 §3 "byte-stuffing", RFC 5321 §4.5.2 "transparency").
Pure functions over bytes, no I/O.

Two line-ending rules, because the protocols differ on a bare CR:
- :func:`to_crlf` turns a bare LF into CRLF and keeps a lone CR: it is message content
  to a POP3 server (Dovecot serves it as stored).
- :func:`normalize_line_endings` turns CR, LF and CRLF alike into CRLF: RFC 5321
  §2.3.8 forbids a bare CR or LF in SMTP, and some servers read a bare CR as a line end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pymailgui.errors import ProtocolError

CRLF = b"\r\n"
TERMINATOR = b"." + CRLF

_ANY_EOL = re.compile(rb"\r\n|\r|\n")


def to_crlf(data: bytes) -> bytes:
    """``data`` with every bare LF as CRLF, a lone CR kept, and a final CRLF if missing."""
    # Two C-level passes beat a regex on 100 MB messages; "\r\r\n" stays as it was.
    data = data.replace(CRLF, b"\n").replace(b"\n", CRLF)
    if data and not data.endswith(CRLF):
        data += CRLF
    return data


def normalize_line_endings(data: bytes) -> bytes:
    """Every line ending as CRLF (RFC 5321 §2.3.8): bare LF and bare CR become CRLF."""
    return _ANY_EOL.sub(CRLF, data)


def split_lines(body: bytes) -> list[bytes]:
    """Split a message into lines on CRLF or LF (no terminators; a final CR is dropped)."""
    if not body:
        return []
    lines = body.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]


def dot_stuff(body: bytes) -> bytes:
    """The wire form of a multi-line block: CRLF lines, leading dots doubled, then ".CRLF".

    ``body`` may use LF or CRLF line endings (see :func:`to_crlf`). An empty body is
    just the terminator: after the command or status line's own CRLF, ".CRLF" is the
    "<CRLF>.<CRLF>" that ends empty data (RFC 5321 §4.1.1.4).
    """
    data = to_crlf(body)
    if data.startswith(b"."):
        data = b"." + data
    return data.replace(b"\r\n.", b"\r\n..") + TERMINATOR


def unstuff_line(line: bytes) -> bytes:
    """One received line with the stuffed leading "." removed (RFC 1939 §3, RFC 5321 §4.5.2)."""
    return line[1:] if line.startswith(b".") else line


def unstuff_lines(lines: Iterable[bytes]) -> bytes:
    """Join the lines of a multi-line block (terminator excluded) with CRLF, unstuffed.

    Every line, including the last, ends with CRLF in the result.
    """
    out = [unstuff_line(line) for line in lines]
    if not out:
        return b""
    return CRLF.join(out) + CRLF


def dot_unstuff(wire: bytes) -> bytes:
    """Decode a complete multi-line block as sent on the wire (ending in ".\\r\\n")."""
    if wire == TERMINATOR:
        return b""
    if not wire.endswith(CRLF + TERMINATOR):
        raise ProtocolError("A multi-line answer from the server is not terminated by a '.' line.")
    lines = wire[: -len(CRLF + TERMINATOR)].split(CRLF)
    if b"." in lines:
        raise ProtocolError("A multi-line answer from the server ends before its last line.")
    return unstuff_lines(lines)
