"""The message list widget: a ``QTableView`` that keeps the user's place by key.

Rows have one fixed height (a vertical header that resizes to contents took 8.7 s for
10,000 rows here), the list starts in server order and sorts when a column header is
clicked, and whenever the model had to be reset the selection, the current row and
the top visible row are put back by message key, so a refresh never loses the place.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QByteArray, QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import (
    QDrag,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from pymailgui.gui.listmodel import MessageListModel
from pymailgui.gui.rowset import Column

#: Initial widths in average characters; the user's own widths are remembered.
_WIDTHS = {
    Column.NUMBER: 5,
    Column.ATTACHMENT: 3,
    Column.FROM: 28,
    Column.SUBJECT: 48,
    Column.DATE: 20,
    Column.TO: 22,
    Column.SIZE: 9,
}


class MessageTable(QTableView):
    """A sortable, multi-select list of messages; speaks in message keys."""

    #: The user asked to open these messages (Enter or double-click).
    open_requested = Signal(list)
    #: The selection changed; the keys in display order.
    selection_changed = Signal(list)

    def __init__(self, model: MessageListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._saved: tuple[list[str], str | None, str | None] | None = None
        self._empty_text = ""
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionsMovable(True)
        header.setMinimumSectionSize(self.fontMetrics().averageCharWidth() * 3)
        char = self.fontMetrics().averageCharWidth()
        for column, width in _WIDTHS.items():
            header.resizeSection(column, width * char)
        # A date of a new (bold) row must fit whole.
        bold = QFont(self.font())
        bold.setBold(True)
        header.resizeSection(
            Column.DATE, QFontMetrics(bold).horizontalAdvance("2026-12-31 23:59") + 3 * char
        )
        # The subject takes the room the other columns leave (they stay user-resizable).
        header.setSectionResizeMode(Column.SUBJECT, QHeaderView.ResizeMode.Stretch)
        # Unsorted (server order) until the user clicks a header, as Trojitá starts.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.doubleClicked.connect(lambda _index: self._open())
        model.modelAboutToBeReset.connect(self._save_place)
        model.modelReset.connect(self._restore_place)
        model.layoutChanged.connect(self._scroll_to_current)
        self.selectionModel().selectionChanged.connect(self._emit_selection)

    # -- keys ---------------------------------------------------------------------------
    def selected_keys(self) -> list[str]:
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        return [self._model.key_at(r) for r in rows]

    def single_selected_key(self) -> str | None:
        """The key of the selected row when exactly one is selected (reply, source)."""
        keys = self.selected_keys()
        return keys[0] if len(keys) == 1 else None

    def current_key(self) -> str | None:
        index = self.currentIndex()
        return self._model.key_at(index.row()) if index.isValid() else None

    def select_keys(self, keys: Iterable[str], current: str | None = None) -> None:
        """Select the rows of ``keys`` that are shown; ``current`` gets the focus row."""
        rows = sorted(r for r in (self._model.display_row(k) for k in keys) if r is not None)
        selection = QItemSelection()
        last = self._model.columnCount() - 1
        for first, end in _ranges(rows):
            selection.select(self._model.index(first, 0), self._model.index(end, last))
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        model = self.selectionModel()
        focus = self._model.display_row(current) if current is not None else None
        if focus is None and rows:
            focus = rows[0]
        if focus is not None:
            model.setCurrentIndex(
                self._model.index(focus, Column.SUBJECT),
                QItemSelectionModel.SelectionFlag.NoUpdate,
            )
        model.select(selection, flags)

    @property
    def empty_text(self) -> str:
        """What the list area says while it has no rows ("" says nothing)."""
        return self._empty_text

    def set_empty_text(self, text: str) -> None:
        if text != self._empty_text:
            self._empty_text = text
            self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._empty_text and self._model.rowCount() == 0:
            # In the list area itself, where the eye looks for mail: a hint in the
            # status bar alone went unnoticed (an empty white table looks broken).
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            area = self.viewport().rect().adjusted(24, 24, -24, -24)
            area.setHeight(min(area.height(), max(120, self.viewport().height() // 3)))
            painter.drawText(
                area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._empty_text
            )
            painter.end()

    def header_state(self) -> QByteArray:
        return self.horizontalHeader().saveState()

    def restore_header(self, state: QByteArray) -> None:
        header = self.horizontalHeader()
        if not state.isEmpty() and header.restoreState(state):
            # The saved state includes the sort column; apply it to the model too.
            self._model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    # -- events -------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self._open()
            return
        super().keyPressEvent(event)

    def enable_dragging(self) -> None:
        """Rows can be dragged (to a folder of the folder list)."""
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)

    def startDrag(self, supportedActions: Qt.DropAction) -> None:  # noqa: N803 - Qt's name
        # QAbstractItemView would remove the rows itself after a move drag; the folder
        # window reloads the list once the core has moved the messages instead.
        indexes = self.selectionModel().selectedRows()
        if not indexes:
            return
        drag = QDrag(self)
        drag.setMimeData(self._model.mimeData(indexes))
        n = len(indexes)
        drag.setPixmap(_drag_label(f"{n} message{'s' if n != 1 else ''}", self))
        drag.exec(supportedActions, Qt.DropAction.MoveAction)

    def _open(self) -> None:
        keys = self.selected_keys()
        if not keys and (key := self.current_key()) is not None:
            keys = [key]
        if keys:
            self.open_requested.emit(keys)

    def _emit_selection(self) -> None:
        self.selection_changed.emit(self.selected_keys())

    def _save_place(self) -> None:
        top = self.indexAt(self.viewport().rect().topLeft())
        top_key = self._model.key_at(top.row()) if top.isValid() else None
        self._saved = (self.selected_keys(), self.current_key(), top_key)

    def _restore_place(self) -> None:
        if self._saved is None:
            return
        keys, current, top = self._saved
        self._saved = None
        if keys or current:
            self.select_keys(keys, current)
        row = self._model.display_row(top) if top is not None else None
        if row is not None:
            self.scrollTo(self._model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)

    def _scroll_to_current(self) -> None:
        index = self.currentIndex()
        if index.isValid():
            self.scrollTo(index)


def _drag_label(text: str, widget: QWidget) -> QPixmap:
    metrics = widget.fontMetrics()
    pixmap = QPixmap(metrics.horizontalAdvance(text) + 16, metrics.height() + 8)
    pixmap.fill(widget.palette().color(QPalette.ColorRole.Highlight))
    painter = QPainter(pixmap)
    painter.setPen(widget.palette().color(QPalette.ColorRole.HighlightedText))
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap


def _ranges(rows: list[int]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for r in rows:
        if ranges and ranges[-1][1] == r - 1:
            ranges[-1] = (ranges[-1][0], r)
        else:
            ranges.append((r, r))
    return ranges
