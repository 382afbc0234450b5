"""The folder window's folder verbs: new, rename, delete, import and export mbox.

Each asks what it needs in a non-modal dialog (a name, a confirmation, a file) and
hands the verb to the window's :class:`~pymailgui.gui.folderops.FolderOps`; the window
shows the folder once the verb is done (``show_next``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from pymailgui.gui.choicebox import ChoiceBox
from pymailgui.gui.folderops import plural
from pymailgui.gui.folderpick import NameDialog

if TYPE_CHECKING:
    from pymailgui.gui.folderwin import FolderWindow


class FolderVerbs(QObject):
    def __init__(self, window: FolderWindow) -> None:
        super().__init__(window)
        self.window = window
        self.ops = window.ops

    def new_folder(self) -> None:
        dialog = NameDialog("New folder", "Name of the new folder:", "", self.window)
        dialog.named.connect(self._create)
        self.window.dialog = dialog
        dialog.show()

    def _create(self, name: str) -> None:
        self.window.show_next = name
        self.ops.create(name)

    def rename_folder(self) -> None:
        old = self.window.current
        dialog = NameDialog("Rename folder", f"New name for {old}:", old, self.window)
        dialog.named.connect(lambda new: self._renamed(old, new))
        self.window.dialog = dialog
        dialog.show()

    def _renamed(self, old: str, new: str) -> None:
        self.window.show_next = new  # once the rename is done and the folders listed
        self.ops.rename(old, new)

    def remove_folder(self) -> None:
        name, count = self.window.current, self.window.counts.get(self.window.current, 0)
        if not count:
            self.ops.remove(name, force=False)
            return
        self.window.dialog = ChoiceBox.confirm(
            "remove_folder",
            "Delete the folder?",
            f"Delete the folder {name} and the {plural(count)} in it?",
            "The messages are deleted from this computer; this can't be undone.",
            "Delete Folder",
            lambda: self.ops.remove(name, force=True),
            self.window,
        )

    def import_mbox(self) -> None:
        dialog = self._file_dialog("Import an mbox file", save=False)
        dialog.fileSelected.connect(lambda path: self._import(Path(path)))
        dialog.show()

    def _import(self, path: Path) -> None:
        name = path.stem.strip() or "Imported"
        self.window.show_next = name
        self.ops.import_mbox(path, name)

    def export_mbox(self) -> None:
        dialog = self._file_dialog(f"Export {self.window.current} as mbox", save=True)
        dialog.selectFile(f"{self.window.current}.mbox")
        folder = self.window.current
        dialog.fileSelected.connect(lambda path: self.ops.export_mbox(folder, Path(path)))
        dialog.show()

    def _file_dialog(self, title: str, *, save: bool) -> QFileDialog:
        dialog = QFileDialog(self.window, title)
        dialog.setObjectName("mbox_dialog")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAcceptMode(
            QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen
        )
        dialog.setFileMode(
            QFileDialog.FileMode.AnyFile if save else QFileDialog.FileMode.ExistingFile
        )
        dialog.setNameFilters(["mbox files (*.mbox *.mbx *.mbs)", "All files (*)"])
        dialog.setDirectory(str(Path.home()))
        dialog.setModal(False)
        self.window.dialog = dialog
        return dialog
