"""A view window's attachments: Open (safe types only), Save and Save all.

Saving goes through the core (``save_parts``): names from mail are reduced to one
harmless base name and an existing file is never overwritten. Open first saves a
private, read-only copy and hands it to the desktop only when both the declared type
and the file's extension are on a short list of document and image types that do not
run code; anything else (executables, scripts, HTML, SVG, office files with macros)
can only be saved, to be opened deliberately by the user.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pymailgui import paths
from pymailgui.errors import MailError
from pymailgui.gui import report
from pymailgui.gui.listmodel import format_size
from pymailgui.message import PartInfo

#: Declared type -> extensions it may have, for parts that Open hands to the desktop.
SAFE_TYPES: dict[str, tuple[str, ...]] = {
    "text/plain": (".txt", ".text", ".log", ".csv"),
    "text/csv": (".csv",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
    "audio/mpeg": (".mp3",),
    "audio/ogg": (".ogg", ".oga"),
    "video/mp4": (".mp4",),
}

SaveParts = Callable[[Path, "int | None"], list[Path]]


def is_safe_to_open(part: PartInfo) -> bool:
    allowed = SAFE_TYPES.get(part.content_type.lower())
    if allowed is None:
        return False
    name = (part.filename or "").lower()
    return not name or name.endswith(allowed)


def _private_copy(path: Path, directory: Path, part: PartInfo) -> bool:
    """``path`` is the plain file just written in ``directory``, and the name the desktop
    will judge it by (after the core made it harmless) still has an extension of the
    part's safe type: checked on what is handed over, not only on the mail's word."""
    allowed = SAFE_TYPES.get(part.content_type.lower(), ())
    return (
        path.parent == directory
        and not path.is_symlink()
        and path.is_file()
        and path.name.lower().endswith(allowed)
    )


def describe(part: PartInfo) -> str:
    name = part.filename or f"part {part.index + 1}"
    return f"{name}  ({part.content_type}, {format_size(part.size)})"


class PartsPane(QWidget):
    #: A part was saved or opened; a sentence for the status line.
    status = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("parts_pane")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 6)
        self.list = QListWidget(self)
        self.list.setObjectName("parts_list")
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open", self)
        self.open_button.setObjectName("open_part")
        self.save_button = QPushButton("Save…", self)
        self.save_button.setObjectName("save_part")
        self.save_all_button = QPushButton("Save All…", self)
        self.save_all_button.setObjectName("save_all_parts")
        for button in (self.open_button, self.save_button, self.save_all_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.open_button.clicked.connect(self.open_selected)
        self.save_button.clicked.connect(lambda: self._choose_directory(self._selected_index()))
        self.save_all_button.clicked.connect(lambda: self._choose_directory(None))
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.list.itemDoubleClicked.connect(lambda _item: self.open_selected())
        self._parts: list[PartInfo] = []
        self._save: SaveParts | None = None
        self.dialog: QFileDialog | None = None
        self.hide()

    def show_parts(self, parts: list[PartInfo], save: SaveParts) -> None:
        self._parts, self._save = parts, save
        self.list.clear()
        for part in parts:
            item = QListWidgetItem(describe(part))
            if not is_safe_to_open(part):
                item.setToolTip("This kind of file is never opened from here; save it first.")
            self.list.addItem(item)
        if parts:
            self.list.setCurrentRow(0)
            rows = min(len(parts), 4)
            frame = 2 * self.list.frameWidth() + 4
            self.list.setFixedHeight(rows * self.list.sizeHintForRow(0) + frame)
        self.setVisible(bool(parts))
        self._update_buttons()

    def _selected_index(self) -> int | None:
        row = self.list.currentRow()
        return self._parts[row].index if 0 <= row < len(self._parts) else None

    def _selected(self) -> PartInfo | None:
        row = self.list.currentRow()
        return self._parts[row] if 0 <= row < len(self._parts) else None

    def _update_buttons(self) -> None:
        part = self._selected()
        self.open_button.setEnabled(part is not None and is_safe_to_open(part))
        self.save_button.setEnabled(part is not None)
        self.save_all_button.setEnabled(bool(self._parts))

    def open_selected(self) -> None:
        part = self._selected()
        if part is None or self._save is None:
            return
        if not is_safe_to_open(part):
            self.status.emit(
                f"{part.filename or part.content_type} is not opened from here (it could run "
                "code); use Save and open it yourself if you trust it."
            )
            return
        try:
            directory = Path(tempfile.mkdtemp(dir=paths.ensure_dir(paths.opened_parts_dir())))
            saved = self._save(directory, part.index)
        except MailError as exc:
            report.error(exc, self.window())
            return
        for path in saved:
            if not _private_copy(path, directory, part):
                self.status.emit(f"{path.name} is not opened from here; use Save.")
                continue
            os.chmod(path, 0o400)  # a private, read-only copy: the original stays in the mail
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
            self.status.emit(f"Opened {path.name}.")

    def _choose_directory(self, index: int | None) -> None:
        dialog = QFileDialog(self.window(), "Save attachments to")
        dialog.setObjectName("save_parts_dialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setDirectory(str(Path.home()))
        dialog.fileSelected.connect(lambda chosen: self._save_to(Path(chosen), index))
        self.dialog = dialog
        dialog.setModal(False)
        dialog.show()  # never a blocking exec()

    def _save_to(self, directory: Path, index: int | None) -> None:
        if self._save is None:
            return
        # "Save All" means the attachments listed, not the body parts around them.
        indexes = [index] if index is not None else [p.index for p in self._parts]
        saved: list[Path] = []
        try:
            for i in indexes:
                saved.extend(self._save(directory, i))
        except MailError as exc:
            report.error(exc, self.window())
            return
        names = ", ".join(p.name for p in saved[:3]) + (" …" if len(saved) > 3 else "")
        self.status.emit(
            f"Saved {len(saved)} file{'s' if len(saved) != 1 else ''} in {directory}: {names}"
        )
