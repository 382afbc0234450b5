"""A compose window's attachments: add (a file dialog or drag and drop), remove, sizes.

A file is read when it is added (in the thread pool, never on the GUI thread), so the
draft saved a few seconds later and the message sent carry exactly what the user saw
listed, even if the file changes or vanishes meanwhile. Only local files the user
chose or dropped are ever read: nothing else names a file here.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pymailgui.errors import LocalStoreError
from pymailgui.gui import icons, pool, report
from pymailgui.gui.listmodel import format_size
from pymailgui.message.compose import Attachment

#: Above this total many servers refuse a message (Gmail 25 MB, others 10-20 MB, and
#: base64 adds a third): say so before the user presses Send.
WARN_TOTAL = 18 * 1024 * 1024
#: One file larger than this is refused outright (the core's default message limit).
MAX_FILE = 100 * 1024 * 1024

AnyAttachment = Path | Attachment | tuple[str, bytes, str]


def read_attachment(path: Path) -> Attachment:
    """The file as an attachment (in a pool thread); LocalStoreError when unreadable."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise LocalStoreError(
                f"{path.name} is {format_size(size)}, larger than any mail server accepts; "
                "share it another way."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise LocalStoreError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    ctype = mimetypes.guess_type(path.name, strict=False)[0] or "application/octet-stream"
    return Attachment(path.name, data, ctype)


def as_attachment(item: AnyAttachment) -> Attachment | None:
    if isinstance(item, Attachment):
        return item
    if isinstance(item, Path):
        return None  # read through read_attachment, off the GUI thread
    name, data, ctype = item
    return Attachment(name, data, ctype)


def local_files(urls: list[QUrl]) -> list[Path]:
    return [Path(u.toLocalFile()) for u in urls if u.isLocalFile() and u.toLocalFile()]


class AttachmentPane(QWidget):
    #: The list changed (added or removed).
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachment_pane")
        self.setAcceptDrops(True)
        self.items: list[Attachment] = []
        self.loading = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget(self)
        self.list.setObjectName("attachment_list")
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list.setIconSize(QSize(16, 16))
        self.list.installEventFilter(self)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.add_button = QPushButton(icons.themed("mail-attachment"), "Attach…", self)
        self.add_button.setObjectName("attach_button")
        self.add_button.clicked.connect(self.choose)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName("remove_attachment")
        self.remove_button.clicked.connect(self.remove_selected)
        self.total = QLabel(self)
        self.total.setObjectName("attachment_total")
        self.total.setWordWrap(True)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addWidget(self.total, 1)
        layout.addLayout(row)
        self.dialog: QFileDialog | None = None
        self.list.itemSelectionChanged.connect(self._update)
        self._update()

    # -- adding -------------------------------------------------------------------------
    def choose(self) -> None:
        dialog = QFileDialog(self.window(), "Attach files")
        dialog.setObjectName("attach_dialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setDirectory(str(Path.home()))
        dialog.filesSelected.connect(lambda files: self.add_paths([Path(f) for f in files]))
        dialog.setModal(False)
        self.dialog = dialog
        dialog.show()  # never a blocking exec()

    def add_paths(self, paths: list[Path]) -> None:
        for path in paths:
            if path.is_dir():
                report.error(
                    LocalStoreError(f"{path.name} is a folder; attach the files in it instead."),
                    self.window(),
                )
                continue
            self.loading += 1
            self._update()
            pool.run(
                lambda p=path: read_attachment(p),  # type: ignore[misc]
                self._read,
                self._unreadable,
                owner=self,
            )

    def add_items(self, items: list[AnyAttachment]) -> None:
        """Attachments already in memory (a reopened draft, a forward)."""
        for item in items:
            found = as_attachment(item)
            if found is not None:
                self._append(found)
            elif isinstance(item, Path):
                self.add_paths([item])

    def _read(self, attachment: Attachment) -> None:
        self.loading -= 1
        self._append(attachment)

    def _unreadable(self, error: BaseException) -> None:
        self.loading -= 1
        self._update()
        report.error(error, self.window())

    def _append(self, attachment: Attachment) -> None:
        self.items.append(attachment)
        item = QListWidgetItem(f"{attachment.filename}  ({format_size(len(attachment.data))})")
        item.setIcon(icons.themed("mail-attachment"))
        item.setToolTip(attachment.content_type)
        self.list.addItem(item)
        self._update()
        self.changed.emit()

    # -- removing -----------------------------------------------------------------------
    def remove_selected(self) -> None:
        rows = sorted({self.list.row(i) for i in self.list.selectedItems()}, reverse=True)
        for row in rows:
            self.list.takeItem(row)
            del self.items[row]
        if rows:
            self._update()
            self.changed.emit()

    def eventFilter(self, watched: object, event: object) -> bool:
        if (
            watched is self.list
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        ):
            self.remove_selected()
            return True
        return False

    # -- drag and drop ------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_files(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = local_files(event.mimeData().urls())
        if files:
            event.acceptProposedAction()
            self.add_paths(files)

    # -- showing ------------------------------------------------------------------------
    def total_bytes(self) -> int:
        return sum(len(a.data) for a in self.items)

    def _update(self) -> None:
        count, size = len(self.items), self.total_bytes()
        self.list.setVisible(count > 0)
        if count:
            rows = min(count, 4)
            frame = 2 * self.list.frameWidth() + 4
            self.list.setFixedHeight(rows * max(self.list.sizeHintForRow(0), 18) + frame)
        self.remove_button.setVisible(count > 0)
        self.remove_button.setEnabled(bool(self.list.selectedItems()))
        text = (
            f"{count} attachment{'s' if count != 1 else ''}, {format_size(size)}" if count else ""
        )
        if self.loading:
            text += (", " if text else "") + "reading…"
        if size > WARN_TOTAL:
            text += " - many mail servers refuse messages this large."
        self.total.setText(text)
