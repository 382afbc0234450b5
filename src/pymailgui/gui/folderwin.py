"""The folder window: the local Maildir folders of an account, with the inbox's list.

Left, the folders (Inbox downloads, Saved, Sent, Drafts, Outbox, the user's own) with
their counts; right, the same message list, filter, view windows and delete-with-undo
as the inbox. Folders can be created, renamed and deleted; messages moved or copied
to another folder by the menu or by dragging rows onto a folder (Ctrl: copy); a
folder imported from or exported to an mbox file. A message in Drafts opens in a
compose window to go on writing. Every verb runs in the account's local worker
(:mod:`pymailgui.gui.folderops`), never on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QSplitter,
    QWidget,
)

from pymailgui.gui import commands, pool, report, settings
from pymailgui.gui.context import AccountContext
from pymailgui.gui.deleting import DeleteFlow
from pymailgui.gui.folderlist import FolderList
from pymailgui.gui.folderops import FolderOps
from pymailgui.gui.folderpick import FolderPicker
from pymailgui.gui.folderverbs import FolderVerbs
from pymailgui.gui.listmodel import MessageListModel
from pymailgui.gui.listpane import ListPane
from pymailgui.gui.rowset import Column, RowSet
from pymailgui.gui.taskstatus import TaskStatus
from pymailgui.store import DRAFTS, SAVED, STANDARD_FOLDERS

if TYPE_CHECKING:
    from pymailgui.gui.session import Desktop


class FolderWindow(QMainWindow):
    def __init__(self, context: AccountContext, desktop: Desktop) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("folder_window")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.context = context
        self.desktop = desktop
        self.current = SAVED
        self.counts: dict[str, int] = {}
        self.dialog: QWidget | None = None
        self.show_next: str | None = None  # a folder to show once it exists
        self.model = MessageListModel(self)
        self.ops = FolderOps(context, self)
        self.ops.listed.connect(self._listed)
        self.ops.loaded.connect(self._loaded)
        self.ops.said.connect(self.say)
        self.ops.failed.connect(lambda error: report.error(error, self))
        self.verbs = FolderVerbs(self)
        context.folders_changed.connect(self._changed)
        self._build()
        self.resize(1100, 640)
        settings.restore_geometry("folders", self)
        self.table.restore_header(settings.load_bytes("folders/columns"))
        self.table.setColumnHidden(Column.NUMBER, True)  # folders have no server numbers
        self.ops.list_folders()
        self.show_folder(self.current)

    # -- building -----------------------------------------------------------------------
    def _build(self) -> None:
        splitter = QSplitter(self)
        self.folder_list = FolderList(splitter)
        self.folder_list.currentRowChanged.connect(self._picked)
        self.folder_list.dropped.connect(self._dropped)
        self.pane = ListPane(self.model, splitter)
        self.filter, self.count_label = self.pane.filter, self.pane.count_label
        self.undo_bar, self.table = self.pane.undo_bar, self.pane.table
        self.pane.filtered.connect(self._update_title)
        self.table.enable_dragging()
        self.table.open_requested.connect(self.open_messages)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        splitter.addWidget(self.folder_list)
        splitter.addWidget(self.pane)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 900])
        self.setCentralWidget(splitter)
        self.deleter = DeleteFlow(
            self.model,
            self.undo_bar,
            self,
            seconds=self.context.config.gui.delete_undo_seconds,
            run=lambda keys, done, failed: self.ops.delete(self.current, keys, done, failed),
            status=self.say,
        )
        self.deleter.restored.connect(self.table.select_keys)
        self.task_status = TaskStatus(self)
        self.task_status.watch(self.context.local)
        self.statusBar().addPermanentWidget(self.task_status)
        self._build_actions()

    def _build_actions(self) -> None:
        act = commands.action
        d = self.desktop
        keys = self.table.selected_keys
        self.acts: dict[str, QAction] = {
            "write": act(self, "write", lambda: d.writing.compose(self.context)),
            "open": act(self, "open", lambda: self.open_messages(keys())),
            "source": act(self, "source", self._source),
            "reply": act(self, "reply", lambda: self._compose_from("reply")),
            "reply_all": act(self, "reply_all", lambda: self._compose_from("reply_all")),
            "forward": act(self, "forward", lambda: self._compose_from("forward")),
            "forward_attached": act(
                self, "forward_attached", lambda: self._compose_from("forward_attached")
            ),
            "delete": act(self, "delete", lambda: self.deleter.request(keys())),
            "undo_delete": act(self, "undo_delete", self.deleter.undo),
            "move": act(self, "move", lambda: self.choose_target(self.current, keys(), False)),
            "copy": act(self, "copy", lambda: self.choose_target(self.current, keys(), True)),
            "select_all": act(self, "select_all", self.table.selectAll),
            "filter": act(self, "filter", self.pane.focus_filter),
            "new_folder": act(self, "new_folder", self.verbs.new_folder),
            "rename_folder": act(self, "rename_folder", self.verbs.rename_folder),
            "remove_folder": act(self, "remove_folder", self.verbs.remove_folder),
            "import_mbox": act(self, "import_mbox", self.verbs.import_mbox),
            "export_mbox": act(self, "export_mbox", self.verbs.export_mbox),
            "cancel": act(self, "cancel", self.task_status.cancel),
            "help": act(self, "help", d.show_help),
            "close": act(self, "close", self.close),
        }
        for name in ("open", "select_all"):
            self.acts[name].setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.table.addAction(self.acts[name])
        commands.add_menus(self, self.acts, {
            "&Folder": [
                "new_folder", "rename_folder", "remove_folder", None,
                "import_mbox", "export_mbox", None, "close",
            ],
            "&Edit": ["select_all", "filter", None, "delete", "undo_delete", None, "cancel"],
            "&Message": [
                "write", "open", "source", None, "reply", "reply_all", "forward",
                "forward_attached", None, "move", "copy",
            ],
            "&Help": ["help"],
        })  # fmt: skip
        commands.add_toolbar(self, "Folder", self.acts, [
            "write", "reply", "forward", "delete", "move", None,
            "new_folder", "import_mbox", "export_mbox",
        ])  # fmt: skip
        self._update_actions()

    # -- showing ------------------------------------------------------------------------
    def say(self, text: str) -> None:
        self.statusBar().showMessage(text, 30_000)

    def show_folder(self, name: str) -> None:
        """Show folder ``name`` (its rows are read in the local worker)."""
        self.deleter.commit()  # a delete waiting for its undo time belongs to this folder
        self.current = name
        self.model.drag_folder = name
        self.deleter.where = (f"from {name}", f"in {name}")
        self.undo_bar.where = f"from {name}"
        row = self.folder_list.row_of(name)
        if row is not None and row != self.folder_list.currentRow():
            self.folder_list.setCurrentRow(row)
        self.ops.load(name)
        self._update_title()

    def _picked(self, row: int) -> None:
        name = self.folder_list.name_at(row)
        if name is not None and name != self.current:
            self.show_folder(name)

    def _listed(self, counts: list[tuple[str, int]]) -> None:
        self.counts = dict(counts)
        wanted, self.show_next = self.show_next, None
        by_key = {name.casefold(): name for name in self.counts}
        if wanted is not None and wanted.casefold() in by_key:
            self.show_folder(by_key[wanted.casefold()])
        elif self.current not in self.counts and counts:
            self.show_folder(SAVED if SAVED in self.counts else counts[0][0])
        self.folder_list.set_folders(counts, self.current)
        self._update_actions()
        self._update_title()

    def _loaded(self, name: str, rowset: RowSet) -> None:
        if name != self.current:
            return  # the user went on to another folder meanwhile
        self.model.set_rowset(rowset)
        self.pane.set_empty_hint("This folder is empty")
        self._update_counts()

    def _changed(self, names: list[str]) -> None:
        self.ops.list_folders()
        if any(n.casefold() == self.current.casefold() for n in names):
            self.ops.load(self.current)

    def _update_counts(self) -> None:
        self.pane.update_counts()
        self._update_title()

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.current} - {self.context.name}")

    def _update_actions(self) -> None:
        count = len(self.table.selectionModel().selectedRows())
        for name in ("open", "delete", "move", "copy"):
            self.acts[name].setEnabled(count > 0)
        for name in ("source", "reply", "reply_all", "forward", "forward_attached"):
            self.acts[name].setEnabled(count == 1)
        standard = self.current.casefold() in {s.casefold() for s in STANDARD_FOLDERS}
        self.acts["rename_folder"].setEnabled(not standard)
        self.acts["remove_folder"].setEnabled(not standard)

    # -- messages -----------------------------------------------------------------------
    def open_messages(self, keys: list[str]) -> None:
        folder, writing = self.current, self.desktop.writing
        for key in keys[:20]:
            if folder.casefold() == DRAFTS.casefold():
                self._with_data(key, partial(writing.continue_draft, self.context, key))
            else:
                self.desktop.open_viewer(self.context, key, folder)
        if len(keys) > 20:
            self.say(f"Opened the first 20 of the {len(keys):,} selected messages.")

    def _with_data(self, key: str, use: Callable[[bytes], None]) -> None:
        folders, folder = self.context.mailbox.folders, self.current
        pool.run(lambda: folders.get(folder, key), use, lambda e: report.error(e, self), owner=self)

    def _compose_from(self, kind: str) -> None:
        key = self.table.single_selected_key()
        if key is not None:
            writing, context = self.desktop.writing, self.context
            self._with_data(key, lambda data: writing.respond(context, data, kind))

    def _source(self) -> None:
        key = self.table.single_selected_key()
        if key is None:
            return
        row = self.model.get(key)
        title = row.subject if row is not None else key
        self._with_data(key, lambda data: self.desktop.show_source(data, title))

    def delete_keys(self, folder: str, keys: list[str]) -> None:
        """Delete (with undo) from a view window of this folder's message."""
        if folder == self.current:
            self.deleter.request(keys)

    def choose_target(self, folder: str, keys: list[str], copy: bool) -> None:
        if not keys:
            return
        others = [n for n in self.counts if n.casefold() != folder.casefold()]
        picker = FolderPicker(keys, others, "Copy" if copy else "Move", self)
        picker.chosen.connect(lambda chosen, target: self.ops.transfer(folder, chosen, target,
                                                                       copy=copy))  # fmt: skip
        self.dialog = picker
        picker.show()

    def _dropped(self, target: str, source: str, keys: list[str], copy: bool) -> None:
        self.ops.transfer(source, keys, target, copy=copy)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.deleter.commit()
        settings.save_geometry("folders", self)
        settings.save_bytes("folders/columns", self.table.header_state())
        super().closeEvent(event)
