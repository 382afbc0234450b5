"""Pure functions over the bytes of a message and its envelope, before SMTP sends them.

Nothing here touches a socket: the rules of RFC 5321 (line endings, envelope
addresses), RFC 5322 (header fields, line length), RFC 6152 (8BITMIME) and RFC 6531/6532
(SMTPUTF8) are applied to bytes and strings so they can be tested on their own.
"""

from __future__ import annotations

import io
import re
from email import policy
from email.generator import BytesGenerator
from email.parser import BytesParser

from pymailgui.errors import MessageError

# CRLF and dot-stuffing are shared with POP3 and the devserver (pymailgui.lines); the
# names stay importable from here, listed in __all__.
from pymailgui.lines import CRLF, dot_stuff, normalize_line_endings

__all__ = [
    "CRLF",
    "MAX_LINE_OCTETS",
    "MAX_PATH_OCTETS",
    "address_needs_utf8",
    "check_address",
    "dot_stuff",
    "downgrade_to_7bit",
    "has_8bit",
    "header_needs_utf8",
    "longest_line",
    "normalize_line_endings",
    "split_header",
    "strip_hidden_fields",
    "unique_recipients",
]

# RFC 5322 §2.1.1: a line MUST be at most 998 characters, excluding the CRLF.
MAX_LINE_OCTETS = 998

# RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets.
MAX_PATH_OCTETS = 254

# Characters that would break out of "MAIL FROM:<...>" / "RCPT TO:<...>" (command
# injection via CR/LF) or that no RFC 5321 Mailbox contains unquoted.
_FORBIDDEN_IN_PATH = re.compile(r"[\x00-\x20\x7f<>]")
# RFC 5322 §3.6.3: Bcc (and Resent-Bcc, §3.6.6) must not reach the To/Cc recipients.
_HIDDEN_FIELDS = frozenset({b"bcc", b"resent-bcc"})


def split_header(data: bytes) -> tuple[bytes, bytes]:
    """The header section (with its final CRLF) and the rest (blank line and body).

    ``data`` must already use CRLF. A message without a blank line is all header.
    """
    if data.startswith(CRLF):
        return b"", data
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return data, b""
    return data[: end + 2], data[end + 2 :]


def strip_hidden_fields(data: bytes) -> bytes:
    """``data`` (CRLF lines) without its Bcc and Resent-Bcc fields, other bytes unchanged.

    The Sent copy keeps Bcc so the user remembers who was told; the copy on the wire
    must not show it to the other recipients.
    """
    header, rest = split_header(data)
    kept: list[bytes] = []
    dropping = False
    for line in header.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):  # folded continuation of the previous field
            if not dropping:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower()
        dropping = b":" in line and name in _HIDDEN_FIELDS
        if not dropping:
            kept.append(line)
    return b"".join(kept) + rest


def has_8bit(data: bytes) -> bool:
    """True when any octet is outside US-ASCII."""
    return not data.isascii()


def header_needs_utf8(data: bytes) -> bool:
    """True when the header section carries raw UTF-8 (RFC 6532), so SMTPUTF8 is needed."""
    header, _ = split_header(data)
    return has_8bit(header)


def address_needs_utf8(address: str) -> bool:
    """True when an envelope address is non-ASCII (RFC 6531 §3.3)."""
    return not address.isascii()


def longest_line(data: bytes) -> int:
    """Length in octets of the longest line of ``data`` (CRLF lines), CRLF excluded."""
    return max((len(line) for line in data.split(CRLF)), default=0)


def check_address(address: str, *, role: str) -> str:
    """``address`` stripped, or :class:`MessageError` if it cannot go in an SMTP path.

    ``role`` names it in the message ("sender", "recipient"). The empty reverse-path
    ``<>`` (RFC 5321 §4.5.5, for bounces) is allowed for the sender only.
    """
    cleaned = address.strip()
    if cleaned.startswith("<") and cleaned.endswith(">"):
        cleaned = cleaned[1:-1].strip()
    if not cleaned and role == "sender":
        return ""
    if not cleaned:
        raise MessageError(f"The {role} address is empty.")
    if _FORBIDDEN_IN_PATH.search(cleaned) or "@" not in cleaned.strip("@"):
        raise MessageError(
            f"The {role} address {cleaned!r} is not a valid e-mail address "
            "(expected name@domain, without spaces or angle brackets)."
        )
    if len(cleaned.encode("utf-8")) > MAX_PATH_OCTETS:
        raise MessageError(f"The {role} address {cleaned[:40]!r}... is too long for SMTP.")
    return cleaned


def unique_recipients(recipients: list[str]) -> list[str]:
    """Checked recipients without duplicates (compared without case), in order.

    Sending the same RCPT twice would deliver two copies to that person.
    """
    seen: set[str] = set()
    result: list[str] = []
    for raw in recipients:
        address = check_address(raw, role="recipient")
        key = address.lower()
        if key not in seen:
            seen.add(key)
            result.append(address)
    if not result:
        raise MessageError("The message has no recipients: add at least one address.")
    return result


def downgrade_to_7bit(data: bytes) -> bytes | None:
    """``data`` with 8-bit body parts re-encoded (base64/quoted-printable), or None.

    For a server without 8BITMIME (RFC 6152 §3: the client must not send 8-bit data
    to it). Returns None when the result would still not be pure ASCII (raw UTF-8 in
    header fields, 8-bit parts without a charset).
    """
    out = io.BytesIO()
    try:
        parsed = BytesParser(policy=policy.SMTP).parsebytes(data)
        # policy.SMTP keeps CRLF; cte_type "7bit" makes the generator re-encode 8-bit
        # text parts that declare a charset (others raise UnicodeEncodeError).
        BytesGenerator(out, policy=policy.SMTP.clone(cte_type="7bit")).flatten(parsed)
    except Exception:  # broken mail makes the email package raise many error types
        return None
    result = out.getvalue()
    return result if result.isascii() else None
