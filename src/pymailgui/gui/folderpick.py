"""Asking for a folder: where to move or copy messages, or the name of a new folder.

Non-modal dialogs with ``show()`` and a signal, as everywhere here. A name typed that
is no folder yet is created by the move or copy; the core checks every name (no
path separators, no reserved names) and says why it refuses one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


class FolderPicker(QDialog):
    #: (keys, folder name)
    chosen = Signal(list, str)

    def __init__(
        self,
        keys: list[str],
        folders: list[str],
        verb: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("folder_picker")
        self.setWindowTitle(f"{verb} to folder")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.keys = keys
        layout = QVBoxLayout(self)
        n = len(keys)
        layout.addWidget(QLabel(f"{verb} {n} message{'s' if n != 1 else ''} to the folder:", self))
        self.folder = QComboBox(self)
        self.folder.setObjectName("folder_choice")
        self.folder.setEditable(True)
        self.folder.addItems(folders)
        layout.addWidget(self.folder)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.setText(verb)
        ok.setObjectName("folder_ok")
        self.ok_button = ok
        buttons.accepted.connect(self._choose)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _choose(self) -> None:
        name = self.folder.currentText().strip()
        if not name:
            self.folder.setFocus()
            return
        self.chosen.emit(self.keys, name)
        self.accept()


class NameDialog(QDialog):
    """One line of text: a new folder's name, or a folder's new name."""

    named = Signal(str)

    def __init__(self, title: str, label: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("name_dialog")
        self.setWindowTitle(title)
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(label, self))
        self.edit = QLineEdit(text, self)
        self.edit.setObjectName("name_field")
        self.edit.selectAll()
        layout.addWidget(self.edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(360, self.sizeHint().height())

    def _accept(self) -> None:
        name = self.edit.text().strip()
        if name:
            self.named.emit(name)
            self.accept()
