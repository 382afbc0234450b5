"""What a message list shows: one row type and one header summarizer for every list.

The server inbox and the local folders both show :class:`MessageRow`; both build it
from a header block with :func:`summarize_headers`, so a message looks the same in
the inbox and after it was saved to a folder, and one set of caps protects both.

Header blocks are hostile input, and a list summarizes thousands of them, so the
summarizer is lean and linear: the block is split and unfolded once (at most
:data:`MAX_HEADER_BYTES`), only the seven fields a list needs are kept, each is cut to
:data:`MAX_SOURCE_CHARS` before any decoding, and every decoder it uses looks at each
character a bounded number of times. What it shows is what the full ``email`` parser
showed (``reference_summary``, compared in the tests), except where that parser
is wrong or gives up; nothing here raises on bad mail.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, NamedTuple

from pymailgui.message import headers as message_headers
from pymailgui.message.address_list import format_address_list
from pymailgui.message.unstructured import unstructured_text

#: A header block is cut here: no real one comes close, and a list must not read a
#: multi-megabyte "header" of a message with no blank line.
MAX_HEADER_BYTES = 256 * 1024

#: A list field longer than this is cut (a 300 kB Subject is an attack, not a title).
MAX_FIELD_CHARS = 4096

#: Characters of one field's source read at all: decoding only shortens text (words
#: decoded, comments and folding dropped), so this still fills MAX_FIELD_CHARS.
MAX_SOURCE_CHARS = 4 * MAX_FIELD_CHARS

_WS = re.compile(r"\s+")
_SPACES = re.compile(r" {2,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# "Mon, 5 Jan 2026 17:29:58 +0100 (CET)": what email.utils.parsedate_to_datetime reads
# from it (it ignores what follows the zone), without its general token juggling.
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_PLAIN_DATE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (" + "|".join(_MONTHS) + r") "
    r"([1-9]\d{3}) (\d\d):(\d\d)(?::(\d\d))? ([+-])(\d\d)(\d\d)(?: .*)?"
)
_ADDRESS_FIELDS = (b"from", b"to", b"cc")
_WANTED = frozenset((*_ADDRESS_FIELDS, b"subject", b"date", b"message-id", b"content-type"))
# Field-name characters (RFC 5322 section 2.2: printable ASCII except ":"); a line
# whose "name" has any other byte is not a header line, and the body starts there.
_NAME_BYTES = bytes(range(0x21, 0x7F)).replace(b":", b"")
# A header line (email.feedparser's headerRE): a continuation, an mbox "From " line or a
# field name and colon; the first line after an LF that is none of these ends the block.
_HEADER_LINE = re.compile(rb"[ \t]|From |[\x21-\x39\x3b-\x7e]*:")
# Where the header block ends: a line after LF that is no header line. A CR that is no
# CRLF ends lines too: such blocks are read line by line. (Two searches: one pattern
# with both alternatives loses the regex engine's literal-prefix scan, 8x slower.)
_BLOCK_END = re.compile(rb"\n(?![ \t]|From |[\x21-\x39\x3b-\x7e]*:)")
_LONE_CR = re.compile(rb"\r(?!\n)")


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


class MessageRow(NamedTuple):
    """One message in a list: a server inbox row or a local folder row.

    ``key`` is the stable identity a verb takes: the UIDL (or ``fp:...`` fingerprint
    key) of a server message, the Maildir key of a folder message. ``number`` is the
    server's number at the last session, a hint that is verified before any use (0 for
    folder rows). ``flags`` are Maildir letters (S seen, R replied, P passed on, F
    flagged, D draft); ``new`` marks mail that arrived with the latest refresh (server)
    or is still in the Maildir's new/ (folder). ``received`` is when it arrived here
    (seconds since the epoch), used when a message has no Date.

    A named tuple, not a dataclass: a list of 100,000 rows is built at every start,
    and a frozen dataclass costs six times as much to construct. Use ``_replace`` to
    derive a changed row.
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
    def from_fields(cls, key: str, size: int, fields: HeaderFields, **extra: Any) -> MessageRow:
        return cls(
            key,
            size,
            fields.from_,
            fields.to,
            fields.cc,
            fields.subject,
            fields.date,
            fields.message_id,
            fields.has_attachments,
            **extra,
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


def summarize_headers(block: bytes) -> HeaderFields:
    """Decode the list columns of one header block (or whole message); never raises."""
    fields = header_fields(block)
    date = fields.get(b"date")
    return HeaderFields(
        from_=_column(fields.get(b"from"), _addresses),
        to=_column(fields.get(b"to"), _addresses),
        cc=_column(fields.get(b"cc"), _addresses),
        subject=_column(fields.get(b"subject"), _unstructured),
        date=None if date is None else _date(_source(date)),
        # No encoded-words in a msg-id (RFC 2047 section 5): the raw value is the text.
        message_id=clean(_source(fields.get(b"message-id", b""))),
        has_attachments=message_headers.attachments_from_type(
            _source(fields.get(b"content-type", b""))
        ),
    )


def header_fields(block: bytes, wanted: frozenset[bytes] = _WANTED) -> dict[bytes, bytes]:
    """The first value of each ``wanted`` field (lower-case names), unfolded and capped.

    The block is read as ``email.feedparser`` reads it, so both agree on where the
    headers end: lines end at CRLF, CR or LF; a line that starts with SP/TAB continues
    the field above (RFC 5322 section 2.2.3); an mbox "From " line is no field; the
    first line that is not a field (a blank line, or no valid name before a colon)
    starts the body. Unfolding removes the line breaks and keeps the white space.
    """
    data = block[:MAX_HEADER_BYTES]
    if not _HEADER_LINE.match(data):
        return {}
    stop = _BLOCK_END.search(data)
    end = len(data) if stop is None else stop.start() + 1
    if _LONE_CR.search(data, 0, end):
        return _fields_line_by_line(data, wanted)  # CR-only line ends (old Mac mail)
    # Every line ends in LF here: one scan finds the wanted fields with their
    # continuation lines, instead of looking at each line in Python.
    head = b"\n" + data[:end]
    found: dict[bytes, bytes] = {}
    for m in _field_pattern(wanted).finditer(head.lower()):
        name = m.group(1)
        if name not in found:
            start, end = m.end(1) + 1, m.end()
            eol = head.find(b"\n", start, end) + 1 or end
            found[name] = _unfold(head[start:eol].lstrip(b" \t") + head[eol:end])
    return found


@functools.lru_cache(maxsize=16)
def _field_pattern(wanted: frozenset[bytes]) -> re.Pattern[bytes]:
    """A wanted field at a line start (after LF), with its continuation lines.

    The lookahead on the first letters lets the engine skip most lines at once.
    """
    names = b"|".join(re.escape(name) for name in sorted(wanted))
    first = b"".join(sorted({re.escape(name[:1]) for name in wanted}))
    return re.compile(rb"\n(?=[" + first + rb"])(" + names + rb"):[^\n]*+(?:\n[ \t][^\n]*+)*+")


def _unfold(value: bytes) -> bytes:
    return value.replace(b"\r", b"").replace(b"\n", b"")[:MAX_SOURCE_CHARS]


def _fields_line_by_line(data: bytes, wanted: frozenset[bytes]) -> dict[bytes, bytes]:
    """:func:`header_fields` for blocks with CR-only line ends (old Mac mail)."""
    lines = data[: _first_blank_line(data)].splitlines(keepends=True)
    found: dict[bytes, list[bytes]] = {}
    current: list[bytes] | None = None
    for line in lines:
        if line[0] in (0x20, 0x09):
            if current is not None:
                current.append(line)
            continue
        current = None
        if line.startswith(b"From "):
            continue  # the mbox envelope line (or a misplaced one): never a field
        colon = line.find(b":")
        if colon < 0 or line[:colon].translate(None, _NAME_BYTES):
            break
        name = line[:colon].lower()
        if colon and name in wanted and name not in found:
            current = found[name] = [line[colon + 1 :].lstrip(b" \t")]
    return {name: _unfold(b"".join(parts)) for name, parts in found.items()}


def _first_blank_line(data: bytes) -> int:
    """Where the first empty line starts (len(data) when there is none)."""
    if data[:1] in (b"\r", b"\n"):
        return 0
    end = len(data)
    # An empty line is a line break right after another one; "\r\n" is a single break.
    for pair in (b"\n\r", b"\n\n", b"\r\r"):
        at = data.find(pair, 0, end)
        if at >= 0:
            end = at + 1
    return end


def _date(text: str) -> datetime | None:
    """The Date column: the common RFC 5322 form by one match, the rest by the stdlib."""
    m = _PLAIN_DATE.fullmatch(text.strip())
    if m is None:
        return message_headers.date_from_text(text)
    day, month, year, hour, minute, second, sign, zone_h, zone_m = m.groups()
    offset = (int(zone_h) * 3600 + int(zone_m) * 60) * (-1 if sign == "-" else 1)
    try:
        # RFC 5322 section 3.3: -0000 says the time is UTC but the local zone is unknown.
        zone = UTC if offset == 0 else timezone(timedelta(seconds=offset))
        return datetime(
            int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second or 0), 0, zone
        )
    except ValueError:
        return None  # 31 Feb, 25:00, a zone of a day or more: the stdlib refuses them too


def _source(value: bytes) -> str:
    """Bytes as the email package holds them: ASCII, other bytes surrogate-escaped."""
    return value.decode("ascii", "surrogateescape")


def _column(value: bytes | None, read: Callable[[str], str]) -> str:
    """One text column: ``read`` parses an ASCII field; 8-bit fields are taken as text."""
    if value is None:
        return ""
    if not value.isascii():
        return _eight_bit(value)
    return _finish(read(value.decode("ascii")))


def _addresses(source: str) -> str:
    text = format_address_list(source)
    # Where the full parser raises on a header, the viewer shows its words decoded.
    return message_headers.decode_words(source) if text is None else text


def _unstructured(source: str) -> str:
    return unstructured_text(source) if "=?" in source else source


def _eight_bit(value: bytes) -> str:
    """A raw 8-bit field (RFC 6532 UTF-8, or legacy bytes): taken as text, not parsed."""
    text = value.decode("utf-8", "pymailgui-cp1252")  # cp1252 for each non-UTF-8 run
    return _finish(message_headers.decode_words(text))


def _finish(text: str) -> str:
    if "=?" in text:  # words the grammar left alone (inside quotes, glued to text)
        text = message_headers.decode_words(text)
    # Printable text has no line breaks, controls or bidi marks: one_line only strips it.
    return clean(text.strip() if text.isprintable() else message_headers.one_line(text))


def clean(text: str) -> str:
    """One display line: unfolded, no control characters, bounded length."""
    text = text[: MAX_FIELD_CHARS * 4]
    if text.isprintable():  # the common case: no white space but SP, nothing to remove
        if "  " in text:
            text = _SPACES.sub(" ", text)
        return text.strip()[:MAX_FIELD_CHARS]
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> "?"
    text = _CONTROL.sub("", _WS.sub(" ", text)).strip()
    return text[:MAX_FIELD_CHARS]


__all__ = [
    "MAX_FIELD_CHARS",
    "MAX_HEADER_BYTES",
    "MAX_SOURCE_CHARS",
    "HeaderFields",
    "MessageRow",
    "clean",
    "header_block",
    "header_fields",
    "summarize_headers",
]
