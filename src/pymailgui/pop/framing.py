"""Multi-line framing over whole buffers: find the end, check the lines, unstuff, at C speed.

A multi-line answer (RFC 1939 §3) is lines ending in CRLF, byte-stuffed, ended by a line
holding a single ".". Reading it one line per Python call cost about 55 calls a message
header; these helpers instead let ``bytes.find``, ``count`` and one regular expression
walk the buffer, so the Python work per answer is a handful of calls whatever its size.
The rules stay those of the line reader they replace: a bare LF ends a line too (and
becomes CRLF), ``"." CRLF`` and ``"." LF`` end the answer, a line over the line cap is
cut to it (:func:`cut_lines`), and the first "." of a line starting with one is removed.

Pure functions over bytes; the transport does the I/O.
"""

from __future__ import annotations

import re

CRLF = b"\r\n"

# A line end without its CR (servers that send bare LF); it becomes CRLF.
_BARE_LF = re.compile(rb"(?<!\r)\n")


def find_end(buf: bytes | bytearray, start: int = 0) -> tuple[int, int, int]:
    """Where the answer in ``buf`` ends: ``(body_end, after, resume)``.

    ``buf`` must begin at a line start. ``body_end`` is the length of the body (its
    lines, each with its line end) and ``after`` the index just past the terminator
    line; both are -1 when the terminator has not arrived yet, and ``resume`` is then
    where the next search may start (everything before it is known not to hold it).
    """
    if start == 0 and buf[:1] == b".":
        found = _terminator_at(buf, 0)
        if found > 0:
            return 0, found, 0
        if found < 0:
            return -1, -1, 0  # "." or ".\r" so far: wait for the next byte
    at = buf.find(b"\n.", start)
    while at >= 0:
        found = _terminator_at(buf, at + 1)
        if found > 0:
            return at + 1, found, at
        if found < 0:
            return -1, -1, at
        at = buf.find(b"\n.", at + 1)
    # A trailing LF may be the start of "\n." in the next read.
    return -1, -1, max(len(buf) - 1, start)


def _terminator_at(buf: bytes | bytearray, dot: int) -> int:
    """For the "." at ``dot`` (a line start): the index after a terminator line there,
    0 when the line is an ordinary one, -1 when its end has not arrived yet."""
    follow = buf[dot + 1 : dot + 3]
    if follow == CRLF or follow[:1] == b"\n":
        return dot + 1 + (2 if follow == CRLF else 1)
    if follow in (b"", b"\r"):
        return -1
    return 0


def lines_fit(data: bytes | bytearray, max_line: int, start: int = 0, end: int = -1) -> bool:
    """Whether every line of ``data[start:end]`` (whole lines, each ending in LF) holds at
    most ``max_line`` bytes without its line end.

    Each step asks ``rfind`` for the last LF within the next ``max_line + 1`` bytes and
    jumps past it, so the steps number about ``len / max_line``, not one per line.
    """
    pos = start
    stop = len(data) if end < 0 else end
    step = max_line + 1
    while stop - pos > step:
        lf = data.rfind(b"\n", pos, pos + step)
        if lf >= 0:
            pos = lf + 1
            continue
        # No LF in max_line + 1 bytes: too long, unless they are max_line bytes and a CR.
        if data[pos + step : pos + step + 1] == b"\n" and data[pos + max_line] == 0x0D:
            pos += step + 1
            continue
        return False
    return True


def cut_lines(data: bytes, max_line: int) -> bytes:
    """Whole lines with each line longer than ``max_line`` bytes (without its line end)
    cut to its first ``max_line`` bytes, its line end kept. Only for the rare answer
    :func:`lines_fit` refused, so a plain loop over its lines is fine."""
    lines = data.split(b"\n")
    for i, line in enumerate(lines[:-1]):
        body = line[:-1] if line.endswith(b"\r") else line
        if len(body) > max_line:
            lines[i] = body[:max_line] + line[len(body) :]
    return b"\n".join(lines)


def normalize(body: bytes) -> bytes:
    """Whole lines as CRLF lines: each bare LF gets its CR (what the line reader did)."""
    if body.count(b"\n") == body.count(CRLF):
        return body
    return _BARE_LF.sub(CRLF, body)


def unstuff(body: bytes) -> bytes:
    """Remove the stuffing "." of every line that starts with one (RFC 1939 §3).

    Every line but the first starts right after an LF, so one ``replace`` does it (at
    twice the speed of a multi-line regular expression).
    """
    if body.startswith(b"."):
        body = body[1:]
    return body.replace(b"\n.", b"\n") if b"\n." in body else body
