"""Lenient header summaries for folder listings: broken mail must never raise.

Only the header block is read (a listing of thousands of messages must not read their
attachments). Every field falls back to a plain decoding of the raw value when
``email.policy.default`` cannot make sense of it, and to "" when even that fails.
"""

from __future__ import annotations

import email.utils
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

#: Bigger header blocks are cut here: no real header block comes close, and a listing
#: must not read a multi-megabyte "header" of a message with no blank line.
MAX_HEADER_BYTES = 256 * 1024

#: A listing field longer than this is cut (a 300 kB Subject is an attack, not a title).
MAX_FIELD_CHARS = 4096

_WS = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class HeaderSummary:
    """What a listing shows about one message, decoded for display."""

    from_: str
    to: str
    subject: str
    date: datetime | None  # timezone-aware (UTC when the header had no zone)
    message_id: str
    has_attachments: bool


def read_header_block(stream: BinaryIO) -> bytes:
    """Read the header block (up to and including the blank line) from ``stream``."""
    chunks: list[bytes] = []
    total = 0
    for line in stream:
        chunks.append(line)
        total += len(line)
        if line in (b"\n", b"\r\n") or total >= MAX_HEADER_BYTES:
            break
    return b"".join(chunks)


def read_header_file(path: Path) -> bytes:
    with path.open("rb") as f:
        return read_header_block(f)


def summarize(header_block: bytes) -> HeaderSummary:
    """Decode the listing fields of one header block; never raises on bad mail."""
    msg = parse_headers(header_block)
    return HeaderSummary(
        from_=header_text(msg, "From"),
        to=header_text(msg, "To"),
        subject=header_text(msg, "Subject"),
        date=header_date(msg),
        # No encoded-words in a msg-id (RFC 2047 section 5): the raw value is the text.
        message_id=_clean(_raw(msg, "Message-ID")),
        has_attachments=_has_attachments(msg),
    )


class _CachingRegistry(HeaderRegistry):
    """``HeaderRegistry`` builds a new class on every lookup (a quarter of the parse
    time of a listing); the classes depend only on the header name, so keep them."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(key)
        return made


#: ``email.policy.default`` semantics, with the faster header factory.
POLICY = policy.default.clone(header_factory=_CachingRegistry())


def parse_headers(header_block: bytes) -> EmailMessage:
    parser = BytesHeaderParser(policy=POLICY)
    msg = parser.parsebytes(header_block)
    assert isinstance(msg, EmailMessage)  # guaranteed by policy.default's factory
    return msg


def header_text(msg: EmailMessage, name: str) -> str:
    """The decoded value of header ``name`` on one line, "" when absent."""
    raw = _raw(msg, name)
    if _has_8bit(raw):
        # Raw 8-bit header (RFC 6532 allows UTF-8; older mailers sent their code
        # page): policy.default would turn each byte into U+FFFD, so decode it here.
        return _clean(_decode_8bit(raw))
    try:
        value = msg.get(name)
        text = "" if value is None else str(value)
    except Exception:  # the email package raises many kinds of errors on bad input
        text = _fallback_decode(raw)
    return _clean(text)


def header_date(msg: EmailMessage) -> datetime | None:
    """The Date header as an aware datetime; "-0000" and no zone mean UTC (RFC 5322 3.3)."""
    try:
        header = msg.get("Date")
        when = getattr(header, "datetime", None)
    except Exception:
        when = None
    if when is None:
        raw = _raw(msg, "Date")
        if not raw:
            return None
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if not isinstance(when, datetime):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


def address_spec(msg: EmailMessage, name: str) -> str:
    """The first addr-spec of an address header ("" when none can be found)."""
    try:
        header = msg.get(name)
        addresses = getattr(header, "addresses", ())
        if addresses:
            return str(addresses[0].addr_spec)
    except Exception:
        log.debug("unparsable %s header, using the raw value", name)
    raw = _raw(msg, name)
    parsed = email.utils.getaddresses([raw]) if raw else []
    return parsed[0][1] if parsed else ""


def _has_attachments(msg: EmailMessage) -> bool:
    # From the headers alone (the body is not read for a listing): multipart/mixed is
    # what mail clients use to carry attachments (RFC 2046 5.1.3); a whole message that
    # is a single non-text part (a bare PDF) is one attachment too. Only the type/subtype
    # token is needed (RFC 2045 5.1), so the parameters are not parsed.
    ctype = _raw(msg, "Content-Type").split(";", 1)[0].strip().lower()
    if "/" not in ctype:
        return False  # absent or invalid: text/plain (RFC 2045 5.2)
    if ctype == "multipart/mixed":
        return True
    maintype = ctype.split("/", 1)[0]
    return maintype not in {"text", "multipart", "message"}


def _raw(msg: EmailMessage, name: str) -> str:
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def _fallback_decode(raw: str) -> str:
    try:
        return str(make_header(decode_header(raw)))
    except Exception:
        return raw


def _has_8bit(text: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in text)


def _decode_8bit(text: str) -> str:
    raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def _clean(text: str) -> str:
    """One display line: unfolded, no control characters, bounded length."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> "?"
    text = _CONTROL.sub("", _WS.sub(" ", text)).strip()
    return text[:MAX_FIELD_CHARS]
