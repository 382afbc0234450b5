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
from datetime import datetime
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import BinaryIO

from pymailgui.message import headers as message_headers

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
        has_attachments=message_headers.attachments_from_headers(msg),
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
    """The decoded value of header ``name`` on one line, "" when absent (bounded)."""
    return _clean(message_headers.header_text(msg, name))


def header_date(msg: EmailMessage) -> datetime | None:
    """The Date header as an aware datetime; "-0000" and no zone mean UTC (RFC 5322 3.3)."""
    return message_headers.header_date(msg)


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


def _raw(msg: EmailMessage, name: str) -> str:
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def _clean(text: str) -> str:
    """One display line: unfolded, no control characters, bounded length."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> "?"
    text = _CONTROL.sub("", _WS.sub(" ", text)).strip()
    return text[:MAX_FIELD_CHARS]
