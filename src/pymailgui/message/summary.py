"""What a message list shows: one row type and one header summarizer for every list.

The server inbox and the local folders both show :class:`MessageRow`; both build it
from a header block with :func:`summarize_headers`, so a message looks the same in
the inbox and after it was saved to a folder, and one set of caps protects both.
Header blocks are hostile input: nothing here raises on bad mail, and the work is
bounded by :data:`MAX_HEADER_BYTES` and :data:`MAX_FIELD_CHARS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.parser import BytesHeaderParser

from pymailgui.message import headers as message_headers

#: A header block is cut here: no real one comes close, and a list must not read a
#: multi-megabyte "header" of a message with no blank line.
MAX_HEADER_BYTES = 256 * 1024

#: A list field longer than this is cut (a 300 kB Subject is an attack, not a title).
MAX_FIELD_CHARS = 4096

_WS = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def header_block(data: bytes) -> bytes:
    """The header block of a message (without the blank line), whatever its line ends."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        at = data.find(sep)
        if at != -1:
            return data[:at]
    return data.rstrip(b"\r\n")


@dataclass(frozen=True, slots=True)
class HeaderFields:
    """The list columns of one message, decoded for display (one line each, capped)."""

    from_: str
    to: str
    cc: str
    subject: str
    date: datetime | None  # timezone-aware (UTC when the header had no zone)
    message_id: str
    has_attachments: bool  # a guess from the top-level headers (as Thunderbird does)


@dataclass(frozen=True, slots=True)
class MessageRow:
    """One message in a list: a server inbox row or a local folder row.

    ``key`` is the stable identity a verb takes: the UIDL (or ``fp:...`` fingerprint
    key) of a server message, the Maildir key of a folder message. ``number`` is the
    server's number at the last session, a hint that is verified before any use (0 for
    folder rows). ``flags`` are Maildir letters (S seen, R replied, P passed on, F
    flagged, D draft); ``new`` marks mail that arrived with the latest refresh (server)
    or is still in the Maildir's new/ (folder). ``received`` is when it arrived here
    (seconds since the epoch), used when a message has no Date.
    """

    key: str
    size: int
    from_: str
    to: str
    cc: str
    subject: str
    date: datetime | None
    message_id: str
    has_attachments: bool
    flags: str = ""
    new: bool = False
    number: int = 0
    fingerprint: str = ""
    received: float | None = None

    @classmethod
    def from_fields(cls, key: str, size: int, fields: HeaderFields, **extra: object) -> MessageRow:
        return cls(
            key=key,
            size=size,
            from_=fields.from_,
            to=fields.to,
            cc=fields.cc,
            subject=fields.subject,
            date=fields.date,
            message_id=fields.message_id,
            has_attachments=fields.has_attachments,
            **extra,  # type: ignore[arg-type]
        )

    @property
    def seen(self) -> bool:
        return "S" in self.flags

    @property
    def replied(self) -> bool:
        return "R" in self.flags

    def date_iso(self) -> str | None:
        return self.date.isoformat() if self.date else None

    def sort_time(self) -> float:
        """The Date as a timestamp, else the arrival time, else 0 (for sorting)."""
        if self.date is not None:
            try:
                return self.date.timestamp()
            except (OverflowError, ValueError, OSError):
                pass
        return self.received or 0.0


class _CachingRegistry(HeaderRegistry):
    """``HeaderRegistry`` builds a new class on every lookup; the classes depend only on
    the header name, so keep them."""

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
POLICY = policy.default.clone(header_factory=_CachingRegistry(), max_line_length=0)


def parse_header_block(block: bytes) -> EmailMessage:
    """The header block parsed as a message with no body (for the attachment hint)."""
    parser = BytesHeaderParser(policy=POLICY)
    msg = parser.parsebytes(header_block(block[:MAX_HEADER_BYTES]) + b"\r\n\r\n")
    assert isinstance(msg, EmailMessage)  # guaranteed by policy.default's factory
    return msg


def summarize_headers(block: bytes) -> HeaderFields:
    """Decode the list columns of one header block (or whole message); never raises."""
    msg = parse_header_block(block)
    return HeaderFields(
        from_=_field(msg, "From"),
        to=_field(msg, "To"),
        cc=_field(msg, "Cc"),
        subject=_field(msg, "Subject"),
        date=message_headers.header_date(msg),
        # No encoded-words in a msg-id (RFC 2047 section 5): the raw value is the text.
        message_id=clean(message_headers.raw_header(msg, "Message-ID") or ""),
        has_attachments=message_headers.attachments_from_headers(msg),
    )


def _field(msg: EmailMessage, name: str) -> str:
    return clean(message_headers.header_text(msg, name))


def clean(text: str) -> str:
    """One display line: unfolded, no control characters, bounded length."""
    text = text[: MAX_FIELD_CHARS * 4]
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> "?"
    text = _CONTROL.sub("", _WS.sub(" ", text)).strip()
    return text[:MAX_FIELD_CHARS]
