"""The message list model: a ``QAbstractTableModel`` over a :class:`RowSet`.

Shared by the server inbox and the local folder windows. Design rules measured in
STYLE.md: no ``QSortFilterProxyModel`` (sorting goes through a Python key and one
``layoutChanged``), the filter searches precomputed haystacks, and changes arrive as a
few batched ``rowsRemoved``/``rowsInserted`` runs, so the view keeps the selection and
scroll position of every row that is still there. When a change would take too many
runs, the model is reset instead and the view restores the selection by key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from pymailgui.gui import icons
from pymailgui.gui.folderlist import MIME_TYPE, encode_keys
from pymailgui.gui.rowset import TITLES, Column, RowSet
from pymailgui.message.summary import MessageRow
from pymailgui.units import human_size

#: The role that answers a row's key (the identity every verb takes).
KEY_ROLE = Qt.ItemDataRole.UserRole + 1

#: More contiguous runs than this in one change and a reset is cheaper than the runs.
MAX_RUNS = 64

Index = QModelIndex | QPersistentModelIndex
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignCenter


format_size = human_size  # the one size formatter (pymailgui.units)


def format_date(date: datetime | None, today: datetime | None = None) -> str:
    """Local time: "14:30" today, "2026-03-06 07:00" otherwise, "" without a Date."""
    if date is None:
        return ""
    try:
        local = date.astimezone()
    except (OverflowError, ValueError, OSError):
        return ""
    now = today or datetime.now().astimezone()
    if local.date() == now.date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


class MessageListModel(QAbstractTableModel):
    """The rows a list shows: a filtered, optionally sorted view of a :class:`RowSet`."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._set = RowSet.build([])
        self._shown: list[int] = []  # positions in self._set, in display order
        self._where: dict[str, int] | None = None  # key -> display row, built on demand
        self._filter = ""
        self._hidden: set[str] = set()
        self._sort: tuple[Column, bool] | None = None  # None: base (server) order
        self._bold = QFont()
        self._bold.setBold(True)
        self._read_since = 0  # rows of this RowSet opened since it was built
        #: The local folder these rows are in: set, rows can be dragged to another one.
        self.drag_folder: str | None = None

    # -- what the view asks -------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        column = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return TITLES[column]
        if role == Qt.ItemDataRole.DecorationRole and column is Column.ATTACHMENT:
            return icons.paperclip()
        if role == Qt.ItemDataRole.ToolTipRole and column is Column.ATTACHMENT:
            return "Has attachments"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: PLR0911
        if not index.isValid():
            return None
        row = self._set.rows[self._shown[index.row()]]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == KEY_ROLE:
            return row.key
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if row.new and not row.seen else None
        if role == Qt.ItemDataRole.DecorationRole and column == Column.ATTACHMENT:
            return icons.paperclip() if row.has_attachments else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (Column.NUMBER, Column.SIZE):
                return _RIGHT
            return _CENTER if column == Column.ATTACHMENT else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return _display(row, column) or ("attachment" if row.has_attachments else "")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if self.drag_folder is not None and index.isValid():
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return encode_keys(self.drag_folder or "", [self.key_at(r) for r in rows])

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (-1: back to server order), keeping persistent indexes."""
        wanted = None if column < 0 else (Column(column), order == Qt.SortOrder.DescendingOrder)
        if wanted == self._sort:
            return
        self.layoutAboutToBeChanged.emit()
        old_keys = [self._set.rows[p].key for p in self._shown]
        self._sort = wanted
        self._shown = self._ordered(self._shown)
        self._where = None
        self._move_persistent(old_keys)
        self.layoutChanged.emit()

    # -- what the windows ask -----------------------------------------------------------
    @property
    def rowset(self) -> RowSet:
        return self._set

    @property
    def filter_text(self) -> str:
        return self._filter

    @property
    def unread(self) -> int:
        """Rows shown bold: new and not opened yet (not counting those being deleted)."""
        rows, pos = self._set.rows, self._set.pos
        hidden = sum(
            1 for k in self._hidden if k in pos and rows[pos[k]].new and not rows[pos[k]].seen
        )
        return self._set.unread - self._read_since - hidden

    @property
    def total(self) -> int:
        """Rows in the list before the filter (and not hidden for a pending delete)."""
        return len(self._set) - len(self._hidden & self._set.pos.keys())

    def row_at(self, display_row: int) -> MessageRow:
        return self._set.rows[self._shown[display_row]]

    def key_at(self, display_row: int) -> str:
        return self.row_at(display_row).key

    def get(self, key: str) -> MessageRow | None:
        pos = self._set.pos.get(key)
        return None if pos is None else self._set.rows[pos]

    def display_row(self, key: str) -> int | None:
        if self._where is None:
            rows = self._set.rows
            self._where = {rows[p].key: i for i, p in enumerate(self._shown)}
        return self._where.get(key)

    def keys(self) -> list[str]:
        """Keys of the shown rows, in display order."""
        rows = self._set.rows
        return [rows[p].key for p in self._shown]

    # -- changing what is shown (batched) -----------------------------------------------
    def set_rowset(self, rowset: RowSet) -> None:
        """Show ``rowset`` instead (a refresh): removed rows go, new ones come, in runs."""
        self._hidden = {k for k in self._hidden if k in rowset.pos}
        had_rows = bool(self._shown)
        if not (had_rows and self._appended(rowset)):
            self._transition(rowset, self._visible(rowset))
        rowset.before = None  # the old rows go now, not with the next refresh
        if had_rows and self._shown:
            # Numbers and "new" marks of the rows that stayed may have changed.
            last = self.index(len(self._shown) - 1, len(Column) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def set_filter(self, text: str) -> None:
        if text == self._filter:
            return
        narrowing = bool(self._filter) and self._filter.casefold() in text.casefold()
        self._filter = text
        if narrowing:  # each keystroke searches only what the last one left
            among = [p for p in self._shown]
            self._transition(self._set, self._set.matching(text, among))
        else:
            self._transition(self._set, self._visible(self._set))

    def hide(self, keys: Iterable[str]) -> list[MessageRow]:
        """Take rows out of the list (a delete waiting for its undo time); returns them."""
        found = [self._set.rows[self._set.pos[k]] for k in keys if k in self._set.pos]
        self._hidden.update(r.key for r in found)
        self._transition(
            self._set, [p for p in self._shown if self._set.rows[p].key not in self._hidden]
        )
        return found

    def unhide(self, keys: Iterable[str]) -> None:
        """Put hidden rows back where they belong (undo, or a delete that did not happen)."""
        self._hidden.difference_update(keys)
        self._transition(self._set, self._visible(self._set))

    def mark_seen(self, key: str) -> None:
        """The user opened ``key``: it is no longer shown as new."""
        pos = self._set.pos.get(key)
        if pos is None:
            return
        row = self._set.rows[pos]
        if row.seen and not row.new:
            return
        flags = row.flags if row.seen else row.flags + "S"
        if row.new and not row.seen:
            self._read_since += 1
        self._set.rows[pos] = row._replace(new=False, flags=flags)
        shown = self.display_row(key)
        if shown is not None:
            self.dataChanged.emit(self.index(shown, 0), self.index(shown, len(Column) - 1))

    @property
    def hidden(self) -> set[str]:
        return set(self._hidden)

    # -- internals ----------------------------------------------------------------------
    def _visible(self, rowset: RowSet) -> list[int]:
        matching = rowset.matching(self._filter)
        if self._hidden:
            rows = rowset.rows
            matching = [p for p in matching if rows[p].key not in self._hidden]
        if self._sort is None:
            return matching
        column, descending = self._sort
        return rowset.sorted(matching, column, descending)

    def _ordered(self, positions: list[int]) -> list[int]:
        if self._sort is None:
            return sorted(positions)
        column, descending = self._sort
        return self._set.sorted(positions, column, descending)

    def _appended(self, rowset: RowSet) -> bool:
        """The usual refresh in server order (old rows kept in place, new mail after
        them) as one insertion at the end: the general matching costs ~50 ms of GUI
        thread at 100,000 rows. False (nothing done) when that is not the case."""
        if self._sort is not None or not rowset.appended or rowset.moved_from(self._set) is None:
            return False
        new = range(len(self._set), len(rowset))
        added = rowset.matching(self._filter, new)
        if self._hidden:
            added = [p for p in added if rowset.rows[p].key not in self._hidden]
        self._where = None
        self._read_since = 0
        self._set = rowset  # same positions for the rows already shown
        if added:
            first = len(self._shown)
            self.beginInsertRows(QModelIndex(), first, first + len(added) - 1)
            self._shown.extend(added)
            self.endInsertRows()
        return True

    def _transition(self, rowset: RowSet, target: list[int]) -> None:
        """Go from what is shown to ``target`` (positions in ``rowset``) in few runs.

        Works on row positions, not keys: a keystroke in the filter box over 100,000
        rows must cost a few set lookups per row, and the run count stops being
        computed as soon as a reset is known to be cheaper.
        """
        self._where = None
        if rowset is not self._set:
            self._read_since = 0
        if not self._shown:  # the first list, or a filter that had left nothing
            if target:
                self.beginInsertRows(QModelIndex(), 0, len(target) - 1)
                self._set, self._shown = rowset, list(target)
                self.endInsertRows()
            else:
                self._set = rowset
            return
        if rowset is self._set:
            old = self._shown
        else:  # a refresh: where each shown row is in the new index (-1: gone)
            moved = rowset.moved_from(self._set)
            if moved is not None:
                old = [moved[p] for p in self._shown]
            else:
                pos, rows = rowset.pos, self._set.rows
                old = [pos.get(rows[p].key, -1) for p in self._shown]
        wanted = set(target)
        removals = _missing_runs(old, wanted, MAX_RUNS)
        kept = [p for p in old if p in wanted] if removals is not None else []
        # One set for both uses: rebuilt inside the comprehension below it made every
        # refresh quadratic (1.4 s of GUI thread at 10,000 rows, 148 s at 100,000).
        staying = set(kept)
        insertions = (
            _missing_runs(target, staying, MAX_RUNS - len(removals))
            if removals is not None
            else None
        )
        if insertions is None or (
            rowset is not self._set and kept != [p for p in target if p in staying]
        ):
            # Too many runs, or a new index that orders the kept rows differently.
            self.beginResetModel()
            self._set, self._shown = rowset, target
            self.endResetModel()
            return
        assert removals is not None
        for first, last in reversed(removals):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._shown[first : last + 1]
            self.endRemoveRows()
        # What is left is exactly the rows common to both: switch to the new positions.
        self._set, self._shown = rowset, kept
        for first, last in insertions:
            self.beginInsertRows(QModelIndex(), first, last)
            self._shown[first:first] = target[first : last + 1]
            self.endInsertRows()
        self._where = None

    def _move_persistent(self, old_keys: Sequence[str]) -> None:
        persistent = self.persistentIndexList()
        if not persistent:
            return
        where = {self._set.rows[p].key: i for i, p in enumerate(self._shown)}
        moved = []
        for index in persistent:
            row = where.get(old_keys[index.row()]) if index.row() < len(old_keys) else None
            moved.append(QModelIndex() if row is None else self.index(row, index.column()))
        self.changePersistentIndexList(persistent, moved)


def _missing_runs(items: list[int], present: set[int], limit: int) -> list[tuple[int, int]] | None:
    """(first, last) runs of the indexes whose item is not in ``present``; None as soon
    as there are more than ``limit`` runs."""
    runs: list[tuple[int, int]] = []
    start = -1
    for i, item in enumerate(items):
        if item in present:
            if start >= 0:
                runs.append((start, i - 1))
                start = -1
                if len(runs) > limit:
                    return None
        elif start < 0:
            start = i
    if start >= 0:
        runs.append((start, len(items) - 1))
    return runs if len(runs) <= limit else None


_DISPLAY: dict[int, Callable[[MessageRow], str]] = {
    Column.NUMBER: lambda r: str(r.number) if r.number else "",
    Column.ATTACHMENT: lambda r: "",
    Column.FROM: lambda r: r.from_,
    Column.SUBJECT: lambda r: r.subject or "(no subject)",
    Column.DATE: lambda r: format_date(r.date),
    Column.TO: lambda r: r.to,
    Column.SIZE: lambda r: format_size(r.size),
}


def _display(row: MessageRow, column: int) -> str:
    return _DISPLAY[column](row)


def _tooltip(row: MessageRow, column: int) -> str | None:
    if column == Column.ATTACHMENT:
        return "Has attachments" if row.has_attachments else None
    if column == Column.DATE and row.date is not None:
        return row.date.strftime("%a, %d %b %Y %H:%M:%S %z")
    if column in (Column.FROM, Column.SUBJECT, Column.TO):
        text = _display(row, column)
        return text if len(text) > 40 else None
    return None
