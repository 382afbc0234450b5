"""Pure helpers of the scripted POP3 server: arguments, CAPA, AUTH PLAIN and TOP."""

from __future__ import annotations

import base64
import binascii

from pymailgui.devserver.behavior import ServerBehavior


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


def capabilities(behavior: ServerBehavior, *, tls: bool, logged_in: bool) -> list[str]:
    """The honest CAPA lines (RFC 2449 §6) of a server that behaves so."""
    offered = [
        ("TOP", behavior.top),
        ("UIDL", behavior.uidl),
        ("USER", behavior.user_pass),
        ("SASL PLAIN", behavior.sasl_plain),
        ("RESP-CODES", behavior.resp_codes),
        ("PIPELINING", behavior.pipelining),
        # RFC 2595 §4: no STLS once TLS is up, nor after login.
        ("STLS", behavior.stls is not None and not tls and not logged_in),
    ]
    caps = [name for name, on in offered if on]
    return [*caps, *behavior.extra_capa, "IMPLEMENTATION pymailgui-devserver"]


def decode_plain(response: str) -> tuple[str, str, str] | None:
    """(authzid, authcid, password) of an AUTH PLAIN response (RFC 4616), None if invalid."""
    try:
        decoded = b"" if response == "=" else base64.b64decode(response, validate=True)
        authzid, authcid, password = decoded.decode("utf-8").split("\0")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return authzid, authcid, password
