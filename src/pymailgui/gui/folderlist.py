"""The folder list of a folder window: names with counts, and a drop target for rows.

Rows dragged from a folder's message list carry :data:`MIME_TYPE` - the source folder
and the message keys, as JSON - never the messages themselves. Dropped on another
folder they move there; with Ctrl held (a copy drag) they are copied.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from pymailgui.gui import icons

MIME_TYPE = "application/x-pymailgui-folder-keys"
NAME_ROLE = Qt.ItemDataRole.UserRole + 1
#: The standard folders' icons (others get a plain folder).
_ICONS = {
    "Inbox": "mail-receive",
    "Sent": "mail-send",
    "Drafts": "mail-message-new",
    "Outbox": "mail-outbox",
}


def encode_keys(folder: str, keys: list[str]) -> QMimeData:
    data = QMimeData()
    data.setData(MIME_TYPE, json.dumps({"folder": folder, "keys": keys}).encode("utf-8"))
    return data


def decode_keys(data: QMimeData) -> tuple[str, list[str]] | None:
    if not data.hasFormat(MIME_TYPE):
        return None
    try:
        found = json.loads(bytes(data.data(MIME_TYPE).data()).decode("utf-8"))
        folder, keys = found["folder"], found["keys"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(folder, str) or not all(isinstance(k, str) for k in keys):
        return None
    return folder, list(keys)


class FolderList(QListWidget):
    #: (target folder, source folder, keys, copy instead of move)
    dropped = Signal(str, str, list, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("folder_list")
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setIconSize(QSize(18, 18))

    def set_folders(self, counts: list[tuple[str, int]], current: str | None) -> None:
        self.blockSignals(True)
        self.clear()
        for name, count in counts:
            item = QListWidgetItem(f"{name} ({count:,})" if count else name)
            item.setData(NAME_ROLE, name)
            item.setIcon(icons.themed(_ICONS.get(name, "folder")))
            item.setToolTip(f"{name}: {count:,} message{'s' if count != 1 else ''}")
            self.addItem(item)
            if name == current:
                self.setCurrentItem(item)
        self.blockSignals(False)

    def name_at(self, row: int) -> str | None:
        item = self.item(row)
        return str(item.data(NAME_ROLE)) if item is not None else None

    def current_name(self) -> str | None:
        return self.name_at(self.currentRow())

    def row_of(self, name: str) -> int | None:
        for row in range(self.count()):
            if self.name_at(row) == name:
                return row
        return None

    def point_of(self, name: str) -> QPoint:
        """The centre of ``name``'s row (where a drop on it lands)."""
        row = self.row_of(name)
        index = self.model().index(row, 0) if row is not None else QModelIndex()
        return self.visualRect(index).center()

    # -- dropping rows on a folder ------------------------------------------------------
    def _target(
        self, event: QDragMoveEvent | QDropEvent
    ) -> tuple[str, tuple[str, list[str]]] | None:
        found = decode_keys(event.mimeData())
        item = self.itemAt(event.position().toPoint())
        if found is None or item is None:
            return None
        target = str(item.data(NAME_ROLE))
        return (target, found) if target != found[0] else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(MIME_TYPE):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._target(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        found = self._target(event)
        if found is None:
            event.ignore()
            return
        target, (source, keys) = found
        copy = event.dropAction() == Qt.DropAction.CopyAction or bool(
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        )
        event.setDropAction(Qt.DropAction.CopyAction if copy else Qt.DropAction.MoveAction)
        event.accept()
        self.dropped.emit(target, source, keys, copy)
