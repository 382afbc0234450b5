"""Pure helpers of the scripted POP3 server: message-number arguments and TOP."""

from __future__ import annotations


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
