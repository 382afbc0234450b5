"""The list half of the inbox and folder windows: filter box, count, undo bar, the list.

The filter narrows the list as the user types (From, To, Subject); Escape clears it
and goes back to the list, Down or Enter goes to the list (selecting the first row
when nothing is), so the keyboard never has to leave the home row. The count says
"13 messages" or "2 of 13 shown".
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from pymailgui.gui.bars import UndoBar
from pymailgui.gui.listmodel import MessageListModel
from pymailgui.gui.listview import MessageTable


class ListPane(QWidget):
    #: The rows shown changed by the filter (the window updates its title).
    filtered = Signal()

    def __init__(self, model: MessageListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._empty_hint = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(4)
        top = QHBoxLayout()
        self.filter = QLineEdit(self)
        self.filter.setObjectName("filter")
        self.filter.setPlaceholderText("Filter by From, To or Subject (Ctrl+F)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)
        self.filter.installEventFilter(self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("count_label")
        top.addWidget(self.filter, 1)
        top.addWidget(self.count_label)
        layout.addLayout(top)
        self.undo_bar = UndoBar(self)
        layout.addWidget(self.undo_bar)
        self.table = MessageTable(model, self)
        self.table.setObjectName("message_list")
        layout.addWidget(self.table, 1)

    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    def set_empty_hint(self, text: str) -> None:
        """What the list says when it has no rows at all ("The inbox is empty")."""
        self._empty_hint = text
        self.update_counts()

    def update_counts(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        if self.model.filter_text:
            self.count_label.setText(f"{shown:,} of {total:,} shown")
        else:
            self.count_label.setText(f"{total:,} message{'s' if total != 1 else ''}")
        empty = self._empty_hint
        if self.model.filter_text and total:
            empty = "No message matches the filter (Escape clears it)"
        self.table.set_empty_text(empty)

    def _filter_changed(self, text: str) -> None:
        self.model.set_filter(text)
        self.update_counts()
        self.filtered.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.filter and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape:
                self.filter.clear()
                self.table.setFocus()
                return True
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.table.setFocus()
                if not self.table.selected_keys() and self.model.rowCount():
                    self.table.selectRow(0)
                return True
        return super().eventFilter(watched, event)
