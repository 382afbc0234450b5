"""mbox import and export, in the mboxrd dialect.

Format (https://www.loc.gov/preservation/digital/formats/fdd/fdd000385.shtml): each
message starts with a "From sender asctime-date" line; a body line matching ``>*From ``
gets one more ">" on export and loses one on import, so any body line - "From ",
">From ", ">>From " - survives a round trip byte for byte (mboxo and mboxcl can't say
that). Every message is followed by one empty line, which import removes again.

Line endings, decided once: mbox is an LF format, so export writes LF (a stored CRLF
line becomes LF) and import stores LF (a CRLF mbox, as some Windows tools write, is
read as well). A message without a final newline gets one: mbox cannot represent its
absence (so a last line ending in a lone CR reads as a CRLF line). Hence import ->
export -> import gives the same bytes, and export -> import -> export the same file.
Maildir files added by other means (POP downloads, sending) are stored as given.

Import also skips empty messages, and turns the Status/X-Status headers of mbox
clients into Maildir flags without touching the bytes.

Both directions stream line by line: a huge message is never held in memory.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from pymailgui.errors import LocalStoreError, UsageError
from pymailgui.message.address_list import first_addr_spec
from pymailgui.message.summary import header_fields, summarize_headers
from pymailgui.store.durable import TmpFile, aside_name, sweep_aside
from pymailgui.store.entry import DRAFT, FLAGGED, REPLIED, SEEN, TRASHED
from pymailgui.store.folder import Folder
from pymailgui.store.headers import MAX_HEADER_BYTES, read_header_block

FROM_ = b"From "
_NEEDS_QUOTE = re.compile(rb">*From ")
_QUOTED = re.compile(rb">+From ")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ASCTIME_RE = re.compile(
    rb" (?P<month>" + "|".join(_MONTHS).encode() + rb") +(?P<day>\d{1,2})"
    rb" (?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d)(?: [^ \n]+)? (?P<year>\d{4})\b"
)
_BAD_SENDER = re.compile(rb"[\x00-\x20\x7f]")
DEFAULT_SENDER = b"MAILER-DAEMON"
_STATUS_FIELDS = frozenset((b"status", b"x-status"))
_SENDER_FIELDS = frozenset((b"return-path", b"from"))
#: The provenance of imported messages (with their bytes' SHA-256): importing again,
#: after a crash or a cancel, adds only the messages the folder does not hold yet.
IMPORT_ORIGIN = "mbox-import"


def import_mbox(path: Path | str, folder: Folder) -> int:
    """Add every message of the mbox file ``path`` to ``folder``; return how many.

    Messages are stored one by one, durably; if reading fails midway, those already
    stored stay and the error says how many. A message this folder already holds from
    an import (the same bytes) is not added again, so an import killed midway can
    simply be run again. The Status/X-Status headers that mbox
    clients (mutt, Thunderbird) keep become Maildir flags; the bytes are unchanged.
    """
    path = Path(path)
    count = 0
    try:
        with path.open("rb") as f:
            for separator, body in _MboxReader(f).messages():
                head = _header_lines(body)
                if not head:
                    continue  # an empty message: nothing to store
                added = folder.add_unique(
                    chain(head, body),
                    origin=IMPORT_ORIGIN,
                    flags=_status_flags(b"".join(head)),
                    mtime=_from_line_time(separator),
                )
                count += added is not None
    except OSError as exc:
        raise LocalStoreError(
            f"Cannot read {path} ({exc.strerror or exc}); {count} messages were imported."
        ) from exc
    except LocalStoreError as exc:
        raise LocalStoreError(f"{exc} {count} messages were imported before that.") from exc
    return count


def _header_lines(body: Iterator[bytes]) -> list[bytes]:
    """Take the header block (up to the first empty line, bounded) off ``body``."""
    head: list[bytes] = []
    size = 0
    for line in body:
        head.append(line)
        size += len(line)
        if line.startswith(b"\n") or size >= MAX_HEADER_BYTES:
            break
    return head


def _status_flags(header_block: bytes) -> str:
    """Maildir flags from mbox Status/X-Status (the mapping of ``mailbox.MaildirMessage``)."""
    fields = header_fields(header_block, _STATUS_FIELDS)
    status = (fields.get(b"status", b"") + fields.get(b"x-status", b"")).decode("latin-1")
    mapping = {"R": SEEN, "A": REPLIED, "F": FLAGGED, "T": DRAFT, "D": TRASHED}
    return "".join(sorted({mapping[c] for c in status if c in mapping}))


def export_mbox(
    folder: Folder,
    path: Path | str,
    *,
    keys: Iterable[str] | None = None,
    overwrite: bool = False,
) -> int:
    """Write ``keys`` of ``folder`` (all, in listing order, when None) to mbox ``path``.

    The file appears complete or not at all (written aside, fsynced, renamed); an
    existing file is replaced only with ``overwrite=True``. Returns the message count.
    """
    path = Path(path)
    if not overwrite and (path.exists() or path.is_symlink()):
        raise UsageError(f"{path} already exists; choose another name or allow overwriting.")
    chosen = [e.key for e in folder.entries()] if keys is None else list(keys)
    sweep_aside(path)  # what an export killed midway left behind
    with TmpFile(path.parent, aside_name(path)) as tmp:
        for key in chosen:
            with folder.open(key) as message:
                _write_message(tmp, message)
        tmp.commit(path, replace=overwrite)
    return len(chosen)


def from_line(header_block: bytes, fallback: datetime | None = None) -> bytes:
    """The "From sender date" separator line for a message with these headers.

    The date is the Date header's, else ``fallback`` (the file's delivery time), else now.
    """
    fields = header_fields(header_block, _SENDER_FIELDS)
    return_path = _text(fields.get(b"return-path", b""))
    sender = DEFAULT_SENDER
    if return_path.replace(" ", "").replace("\t", "") == "<>":
        candidate = ""  # a bounce (RFC 5321 4.5.5): the null sender
    else:
        candidate = first_addr_spec(return_path) or first_addr_spec(_text(fields.get(b"from", b"")))
    encoded = candidate.encode("utf-8", "replace")
    if encoded and not _BAD_SENDER.search(encoded):
        sender = encoded
    date = summarize_headers(header_block).date
    stamp = _asctime(date) or _asctime(fallback) or _asctime(datetime.now(UTC))
    return FROM_ + sender + b" " + (stamp or "").encode("ascii") + b"\n"


def _text(value: bytes) -> str:
    """A raw field as text (8-bit bytes read as UTF-8, else cp1252 per run)."""
    return value.decode("utf-8", "pymailgui-cp1252")


def _asctime(when: datetime | None) -> str | None:
    """asctime form in UTC (C locale names, space-padded day), as mbox readers expect."""
    if when is None:
        return None
    try:
        return time.asctime(when.astimezone(UTC).timetuple())
    except (OverflowError, ValueError):
        return None  # a Date in year 1 or 9999 that UTC pushes out of range


def _write_message(out: TmpFile, message: BinaryIO) -> None:
    header = read_header_block(message)
    message.seek(0)
    delivered = datetime.fromtimestamp(os.fstat(message.fileno()).st_mtime, UTC)
    out.write(from_line(header, delivered))
    for line in message:
        if line.endswith(b"\r\n"):
            line = line[:-2] + b"\n"
        elif not line.endswith(b"\n"):
            line += b"\n"  # only the last line can lack one
        if _NEEDS_QUOTE.match(line):
            line = b">" + line
        out.write(line)
    out.write(b"\n")


class _MboxReader:
    """Split an mbox stream into (From_ line, body lines) without reading it all."""

    def __init__(self, stream: BinaryIO) -> None:
        self._lines = _normalized_lines(stream)
        self._pending: bytes | None = None

    def messages(self) -> Iterator[tuple[bytes, Iterator[bytes]]]:
        for line in self._lines:
            if line.startswith(FROM_):
                self._pending = line
                break
            if line.strip():
                raise LocalStoreError(
                    'This is not an mbox file: it does not start with a "From " line.'
                )
        while self._pending is not None:
            separator, self._pending = self._pending, None
            body = self._body()
            yield separator, body
            for _ in body:  # whatever the caller left unread
                pass

    def _body(self) -> Iterator[bytes]:
        # Empty lines are held back: the last one before the next "From " line (or the
        # end) is the separator the writer added, not part of the message.
        blanks = 0
        for line in self._lines:
            if line.startswith(FROM_):
                self._pending = line
                break
            if line == b"\n":
                blanks += 1
                continue
            if blanks:
                yield b"\n" * blanks
                blanks = 0
            yield line[1:] if _QUOTED.match(line) else line
        if blanks > 1:
            yield b"\n" * (blanks - 1)


def _normalized_lines(stream: BinaryIO) -> Iterator[bytes]:
    for line in stream:
        if line.endswith(b"\r\n"):
            yield line[:-2] + b"\n"
        elif line.endswith(b"\n"):
            yield line
        else:
            yield line + b"\n"  # the file's last line had no newline


def _from_line_time(line: bytes) -> float | None:
    """The delivery time in a From_ line (kept as the file's mtime), if readable.

    Parsed by hand: ``time.strptime``'s %a and %b follow the process locale.
    """
    m = _ASCTIME_RE.search(line)
    if m is None:
        return None
    month = _MONTHS.index(m["month"].decode("ascii")) + 1
    try:
        when = datetime(
            int(m["year"]),
            month,
            int(m["day"]),
            int(m["h"]),
            int(m["m"]),
            int(m["s"]),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    return when.timestamp()
