"""What the index keeps of each server message: decoded headers, size, identity.

Headers come from ``TOP n 0`` (or RETR on servers without TOP) and are decoded leniently:
broken mail is normal input, so nothing here raises on a bad header.
"""

from __future__ import annotations

import email.parser
import email.policy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from pymailgui.message.headers import attachments_from_headers, header_date, header_text

# Parsing headers only; policy.default decodes RFC 2047 and gives datetime objects.
_POLICY = email.policy.default.clone(max_line_length=0)


def header_block(data: bytes) -> bytes:
    """The header block of a message (without the blank line), whatever its line ends."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        at = data.find(sep)
        if at != -1:
            return data[:at]
    return data.rstrip(b"\r\n")


@dataclass(frozen=True)
class MessageSummary:
    """One message of the server index, as the user sees it in a list."""

    uid: str  # the identity key: the UIDL, or "fp:..." on servers without UIDL
    num: int  # the server's number at the last session (valid only within a session)
    size: int  # LIST size in octets
    from_: str
    to: str
    cc: str
    subject: str
    date: datetime | None
    message_id: str
    has_attachments: bool
    fingerprint: str  # hash of header block and size (always computed)

    def date_iso(self) -> str | None:
        return self.date.isoformat() if self.date else None


def _text(msg: EmailMessage, name: str) -> str:
    # The message package's lenient decoder: RFC 2047, raw 8-bit (UTF-8 or legacy),
    # broken words; one line, control characters gone (a Subject can't inject lines).
    return header_text(msg, name)


def _date(msg: EmailMessage) -> datetime | None:
    return header_date(msg)


def guess_attachments(msg: EmailMessage, body_known: bool) -> bool:
    """Whether the message has attachments: exactly from its parts when the whole
    message is known, else from the top-level headers (as Thunderbird does)."""
    if body_known:
        try:
            return any(True for _ in msg.iter_attachments()) or any(
                part.get_content_disposition() == "attachment" for part in msg.walk()
            )
        except Exception:
            return False
    return attachments_from_headers(msg)


def parse_headers(data: bytes) -> EmailMessage:
    block = header_block(data) + b"\r\n\r\n"
    parser = email.parser.BytesParser(policy=_POLICY)
    msg = parser.parsebytes(block, headersonly=True)
    assert isinstance(msg, EmailMessage)
    return msg


def summarize(
    uid: str, num: int, size: int, data: bytes, fingerprint: str, *, full: bool = False
) -> MessageSummary:
    """Build the index entry from a header block (or the full message when ``full``)."""
    if full:
        parser = email.parser.BytesParser(policy=_POLICY)
        parsed = parser.parsebytes(data)
        assert isinstance(parsed, EmailMessage)
        msg = parsed
    else:
        msg = parse_headers(data)
    return MessageSummary(
        uid=uid,
        num=num,
        size=size,
        from_=_text(msg, "From"),
        to=_text(msg, "To"),
        cc=_text(msg, "Cc"),
        subject=_text(msg, "Subject"),
        date=_date(msg),
        message_id=_text(msg, "Message-ID"),
        has_attachments=guess_attachments(msg, full),
        fingerprint=fingerprint,
    )
