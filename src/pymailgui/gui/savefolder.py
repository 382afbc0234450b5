"""Save to folder: pick (or name) a local folder; optionally delete from the server after.

"Save and delete" uses the core's durable path: every copy is written and confirmed
stored before the server delete runs, and that delete is verified like any other.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

DEFAULT_FOLDER = "Saved"


class SaveToFolderDialog(QDialog):
    #: (keys, folder name, delete from the server afterwards)
    chosen = Signal(list, str, bool)

    def __init__(self, keys: list[str], folders: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("save_folder_dialog")
        self.setWindowTitle("Save to folder")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.keys = keys
        layout = QVBoxLayout(self)
        n = len(keys)
        layout.addWidget(
            QLabel(f"Save {n} message{'s' if n != 1 else ''} in the local folder:", self)
        )
        self.folder = QComboBox(self)
        self.folder.setObjectName("folder_choice")
        self.folder.setEditable(True)
        names = folders or [DEFAULT_FOLDER]
        self.folder.addItems(names)
        if DEFAULT_FOLDER in names:
            self.folder.setCurrentText(DEFAULT_FOLDER)
        layout.addWidget(self.folder)
        buttons = QDialogButtonBox(self)
        self.save_button = QPushButton("Save", self)
        self.save_button.setObjectName("save_button")
        self.save_button.setDefault(True)
        self.move_button = QPushButton("Save and Delete from Server", self)
        self.move_button.setObjectName("save_delete_button")
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.move_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(lambda: self._choose(False))
        self.move_button.clicked.connect(lambda: self._choose(True))
        layout.addWidget(buttons)

    def _choose(self, delete: bool) -> None:
        name = self.folder.currentText().strip()
        if not name:
            self.folder.setFocus()
            return
        self.chosen.emit(self.keys, name, delete)
        self.accept()
