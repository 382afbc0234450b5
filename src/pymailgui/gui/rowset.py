"""The rows of a message list with what sorting and filtering need, built once.

A :class:`RowSet` is plain Python (no Qt), so a worker thread can build it from a fresh
index while the GUI keeps painting the old one: the lower-case haystack a filter
searches (From, To, Subject) and one sort key per column are computed here, never per
keystroke or per comparison. Measured on this machine, a key sort of 100,000 rows takes
~0.1 s, while a ``QSortFilterProxyModel`` asking ``data()`` for every comparison took
50 s (docs: STYLE.md, GUI section).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymailgui.message.summary import MessageRow


class Column(enum.IntEnum):
    """The list's columns, in display order."""

    NUMBER = 0
    ATTACHMENT = 1
    FROM = 2
    SUBJECT = 3
    DATE = 4
    TO = 5
    SIZE = 6


TITLES = {
    Column.NUMBER: "#",
    Column.ATTACHMENT: "",
    Column.FROM: "From",
    Column.SUBJECT: "Subject",
    Column.DATE: "Date",
    Column.TO: "To",
    Column.SIZE: "Size",
}

# "Re: Fwd: AW: hello" sorts with "hello", as in Thunderbird's subject sort.
_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|fwd?|aw|wg|sv|vs|tr|antw)\s*(?:\[\d+\])?\s*:)+\s*", re.I)


def subject_key(subject: str) -> str:
    return _REPLY_PREFIX.sub("", subject).casefold()


def haystack(row: MessageRow) -> str:
    """What the filter box searches: From, To and Subject, folded for case."""
    return f"{row.from_}\x00{row.to}\x00{row.subject}".casefold()


def needle(text: str) -> str:
    return text.strip().casefold()


@dataclass
class RowSet:
    """Rows in their base order (server order, or folder order) plus derived data."""

    rows: list[MessageRow] = field(default_factory=list)
    hay: list[str] = field(default_factory=list)
    keys: dict[Column, list[Any]] = field(default_factory=dict)
    pos: dict[str, int] = field(default_factory=dict)
    #: Rows new and not yet read when built (counted here, in the worker thread: a
    #: count over 100,000 rows on the GUI thread took 25 ms, measured).
    unread: int = 0
    #: The set this one replaces, with where each of its rows went (-1: gone) and the
    #: keys gone: computed by :meth:`follow` in the worker thread, because the same
    #: work on the GUI thread at a refresh of 100,000 rows stalled it ~100 ms.
    before: RowSet | None = field(default=None, repr=False)
    moved: list[int] = field(default_factory=list, repr=False)
    gone: list[str] = field(default_factory=list, repr=False)
    appended: bool = field(default=False, repr=False)

    @classmethod
    def build(cls, rows: Iterable[MessageRow]) -> RowSet:
        listed = list(rows)
        made = cls(rows=listed)
        made.hay = [haystack(r) for r in listed]
        made.pos = {r.key: i for i, r in enumerate(listed)}
        made.unread = sum(1 for r in listed if r.new and not r.seen)
        made.keys = {
            Column.NUMBER: [r.number for r in listed],
            Column.ATTACHMENT: [r.has_attachments for r in listed],
            Column.FROM: [r.from_.casefold() for r in listed],
            Column.SUBJECT: [subject_key(r.subject) for r in listed],
            Column.DATE: [r.sort_time() for r in listed],
            Column.TO: [r.to.casefold() for r in listed],
            Column.SIZE: [r.size for r in listed],
        }
        return made

    def follow(self, before: RowSet) -> RowSet:
        """Note how this set replaces ``before`` (keys are stable; rows may be replaced
        meanwhile by a mark as seen, which keeps their key); returns self."""
        pos = self.pos
        self.moved = [pos.get(r.key, -1) for r in before.rows]
        self.gone = [r.key for r, p in zip(before.rows, self.moved, strict=True) if p < 0]
        self.before = before
        # The usual refresh: every old row where it was, new ones after them.
        self.appended = self.moved == list(range(len(before.rows)))
        return self

    def moved_from(self, before: RowSet) -> list[int] | None:
        """Where each row of ``before`` is here (-1: gone), if :meth:`follow` saw it."""
        return self.moved if self.before is before else None

    def __len__(self) -> int:
        return len(self.rows)

    def matching(self, text: str, among: Sequence[int] | None = None) -> list[int]:
        """Positions (in ``among``'s order, else base order) whose haystack has ``text``."""
        wanted = needle(text)
        candidates: Iterable[int] = range(len(self.rows)) if among is None else among
        if not wanted:
            return list(candidates)
        hay = self.hay
        return [i for i in candidates if wanted in hay[i]]

    def sorted(self, positions: list[int], column: Column, descending: bool) -> list[int]:
        """``positions`` ordered by ``column``; ties keep base order (a stable sort)."""
        keys = self.keys[column]
        # Base order first, so equal keys (one sender's mail) stay in server order.
        return sorted(sorted(positions), key=keys.__getitem__, reverse=descending)
