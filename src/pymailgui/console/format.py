"""How the console shows lists and messages (plain text and JSON).

A list row is exactly as wide as the terminal, counted in terminal cells: wide (East
Asian) characters take two, combining marks none, so no row ever wraps.
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO

from pymailgui.message.summary import MessageRow
from pymailgui.units import human_size

#: Cells of everything in a row but the number, sender and subject (see row_line).
_FIXED_CELLS = 33
_SIZE_CELLS = 7
_DATE_CELLS = 16


def char_cells(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes."""
    return sum(char_cells(c) for c in text)


def fit(text: str, width: int) -> str:
    """``text`` cut (with "…") or padded to exactly ``width`` terminal cells."""
    if width <= 0:
        return ""
    # Control and format characters (bidi overrides too) would move the cursor or hide
    # text: each becomes a visible blank.
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    used = cells(text)
    if used <= width:
        return text + " " * (width - used)
    out: list[str] = []
    used = 0
    for ch in text:
        w = char_cells(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - 1 - used)


def sender_name(text: str) -> str:
    """The display name of a From value, else its address."""
    if "<" in text and not text.startswith("<"):
        return text.split("<", 1)[0].strip().strip('"') or text
    return text


def date_column(when: datetime | None) -> str:
    """A date as a fixed 16-column list field, in local time (as the GUI shows it)."""
    if when is None:
        return "(no date)".ljust(_DATE_CELLS)
    try:
        when = when.astimezone()
    except (OverflowError, OSError, ValueError):
        pass  # a year the platform's local-time conversion can't take: as written
    return when.strftime("%Y-%m-%d %H:%M")


def status_mark(row: MessageRow) -> str:
    """One letter: N new and unread, U unread, R replied, blank when read."""
    if not row.seen:
        return "N" if row.new else "U"
    return "R" if row.replied else " "


def terminal_columns() -> int:
    return shutil.get_terminal_size((100, 24)).columns


def row_lines(
    rows: Sequence[MessageRow],
    columns: int | None = None,
    *,
    marks: Sequence[str] | None = None,
) -> list[str]:
    """One line per row, numbered 1..N in the order given, each exactly ``columns`` wide.

    ``marks`` (the interactive mode's "D" for marked for deletion) adds a column in
    front; the rest of the row narrows to make room for it.
    """
    columns = columns or terminal_columns()
    prefix = 2 if marks is not None else 0
    num_w = len(str(len(rows))) if rows else 1
    from_w = max(12, min(28, columns // 4))
    subj_w = max(10, columns - prefix - num_w - from_w - _FIXED_CELLS)
    lines = []
    for i, row in enumerate(rows, start=1):
        lead = f"{fit(marks[i - 1], 1)} " if marks is not None else ""
        attach = "@" if row.has_attachments else " "
        lines.append(
            f"{lead}{i:>{num_w}} {status_mark(row)} {date_column(row.date)}  "
            f"{fit(sender_name(row.from_), from_w)}  "
            f"{fit(row.subject or '(no subject)', subj_w)} {attach} "
            f"{human_size(row.size):>{_SIZE_CELLS}}"
        )
    return lines


def rows_json(rows: Sequence[MessageRow], *, key_name: str, start: int = 1) -> str:
    """The rows as a JSON array, numbered from ``start``; the key is "uid" on the
    server (a UIDL or fingerprint key), "key" in a folder (a Maildir key)."""
    return json.dumps(_json_items(rows, key_name, start), ensure_ascii=False, indent=2)


#: Rows encoded per piece when the JSON is written compact.
JSON_CHUNK = 500


def write_rows_json(out: TextIO, rows: Sequence[MessageRow], *, key_name: str) -> None:
    """:func:`rows_json` written to ``out``: indented for a person at a terminal,
    compact for a program reading a pipe or file, and then in pieces of
    :data:`JSON_CHUNK` rows. (The indenting encoder is pure Python, 0.3 s for 10,000
    rows, and one string of them all took 40 MB.)"""
    if out.isatty():
        print(rows_json(rows, key_name=key_name), file=out, flush=True)
        return
    out.write("[")
    for at in range(0, len(rows), JSON_CHUNK):
        items = _json_items(rows[at : at + JSON_CHUNK], key_name, at + 1)
        out.write((", " if at else "") + json.dumps(items, ensure_ascii=False)[1:-1])
    out.write("]\n")
    out.flush()


def _json_items(rows: Sequence[MessageRow], key_name: str, start: int) -> list[dict[str, Any]]:
    return [
        {
            "num": i,
            key_name: row.key,
            "from": row.from_,
            "to": row.to,
            "subject": row.subject,
            "date": row.date_iso(),
            "size": row.size,
            "attachments": row.has_attachments,
            "flags": row.flags,
        }
        | ({"new": row.new} if key_name == "uid" else {})
        for i, row in enumerate(rows, start=start)
    ]


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"
