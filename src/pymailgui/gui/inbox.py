"""The inbox window: the server inbox of one account, as the cached index shows it.

The list appears at start-up from the cache, before any connection; nothing connects
until the user acts (F5, opening a message not yet downloaded, a delete) or the
periodic check runs. Every server job goes to the account's worker and shows in the
status bar with progress and Cancel; nothing here is modal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMainWindow,
)

from pymailgui.errors import MailError, SyncError
from pymailgui.gui import commands, deleting, icons, report, settings
from pymailgui.gui.context import AccountContext
from pymailgui.gui.describe import describe_refresh
from pymailgui.gui.listpane import ListPane
from pymailgui.gui.quitprompt import FINISH, QuitPrompt
from pymailgui.gui.savefolder import SaveToFolderDialog
from pymailgui.gui.syncnotice import SyncNotice
from pymailgui.gui.taskstatus import TaskStatus

if TYPE_CHECKING:
    from pymailgui.gui.session import Desktop

STATUS_SECONDS = 30


class InboxWindow(QMainWindow):
    def __init__(self, context: AccountContext, desktop: Desktop) -> None:
        super().__init__()
        self.setObjectName("inbox_window")
        self.context = context
        self.desktop = desktop
        self.model = context.model
        self._quitting: str | None = None  # FINISH or STOP once the user chose to quit
        self._closed = False
        self.notices: list[SyncNotice] = []
        self.setWindowIcon(icons.application())
        self._build()
        context.list_updated.connect(lambda _report: self._update_counts())
        # "Getting mail..." in an empty list while a Get Mail (F5 or the timer) runs.
        context.worker.job_started.connect(lambda _job: self._update_counts())
        context.worker.job_finished.connect(lambda _job, _error: self._update_counts())
        # A message opened is no longer unread: the title's count follows.
        self.model.dataChanged.connect(lambda *_: self._update_counts())
        context.status.connect(self.say)
        context.sync_refused.connect(self._sync_refused)
        context.worker.idle.connect(self._maybe_finish_quit)
        context.outgoing.idle.connect(self._maybe_finish_quit)
        context.local.idle.connect(self._maybe_finish_quit)
        self.resize(1000, 640)
        settings.restore_geometry(self._key("inbox"), self)
        self.table.restore_header(settings.load_bytes(self._key("columns")))
        self._update_counts()
        self._update_actions()
        self.say("Showing the list as last loaded (no connection yet); F5 gets mail.")
        context.load_cached()

    def _key(self, what: str) -> str:
        return f"{what}-{self.context.name}"

    # -- building -----------------------------------------------------------------------
    def _build(self) -> None:
        self.pane = ListPane(self.model, self)
        self.filter, self.count_label = self.pane.filter, self.pane.count_label
        self.undo_bar, self.table = self.pane.undo_bar, self.pane.table
        self.pane.filtered.connect(self._update_counts)
        self.table.open_requested.connect(self.open_messages)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.setCentralWidget(self.pane)
        self.deleter = deleting.for_inbox(self.context, self.undo_bar, self)
        self.deleter.restored.connect(self.table.select_keys)
        self.task_status = TaskStatus(self)
        self.task_status.watch(self.context.worker)
        self.task_status.watch(self.context.outgoing)
        self.task_status.watch(self.context.local)
        self.statusBar().addPermanentWidget(self.task_status)
        self._build_actions()

    def _build_actions(self) -> None:
        act = commands.action
        d = self.desktop
        self.acts: dict[str, QAction] = {
            "get": act(self, "get", self.get_mail),
            "write": act(self, "write", lambda: d.writing.compose(self.context)),
            "open": act(self, "open", lambda: self.open_messages(self.table.selected_keys())),
            "source": act(self, "source", self.show_source),
            "reply": act(self, "reply", lambda: self._compose_from("reply")),
            "reply_all": act(self, "reply_all", lambda: self._compose_from("reply_all")),
            "forward": act(self, "forward", lambda: self._compose_from("forward")),
            "forward_attached": act(
                self, "forward_attached", lambda: self._compose_from("forward_attached")
            ),
            "folders": act(self, "folders", lambda: d.open_folders(self.context)),
            "outbox": act(self, "outbox", lambda: d.open_outbox(self.context)),
            "delete": act(self, "delete", self.delete_selected),
            "undo_delete": act(self, "undo_delete", self.deleter.undo),
            "save": act(self, "save", self.save_selected),
            "select_all": act(self, "select_all", self.table.selectAll),
            "filter": act(self, "filter", self.pane.focus_filter),
            "cancel": act(self, "cancel", self.task_status.cancel),
            "help": act(self, "help", d.show_help),
            "about": act(self, "about", d.show_about),
            "quit": act(self, "quit", d.quit),
            "accounts": act(self, "accounts", d.show_accounts),
        }
        # Enter opens only from the list: in the filter box it must stay Enter.
        self.acts["open"].setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.acts["open"])
        # Ctrl+A in the filter box selects its text; in the list, every message.
        self.acts["select_all"].setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.acts["select_all"])
        commands.add_menus(self, self.acts, {
            "&File": [
                "get", "write", None, "save", None, "folders", "outbox", None, "accounts", None,
                "quit",
            ],
            "&Edit": ["select_all", "filter", None, "delete", "undo_delete", None, "cancel"],
            "&Message": [
                "open", "source", None, "reply", "reply_all", "forward", "forward_attached",
            ],
            "&Help": ["help", "about"],
        })  # fmt: skip
        toolbar = commands.add_toolbar(self, "Main", self.acts, [
            "get", "write", "reply", "reply_all", "forward", "delete", None, "folders", "outbox",
        ])  # fmt: skip
        separator = toolbar.addSeparator()
        self.switcher_label = QLabel(" Account: ", toolbar)
        self.switcher = QComboBox(toolbar)
        self.switcher.setObjectName("account_switcher")
        self.switcher.activated.connect(
            lambda index: self.desktop.open_account(self.switcher.itemText(index))
        )
        self._switcher_actions = [
            separator,
            toolbar.addWidget(self.switcher_label),
            toolbar.addWidget(self.switcher),
        ]
        self.update_switcher(self.desktop.account_names())

    def update_switcher(self, names: list[str]) -> None:
        """The account switcher, shown when there are several accounts."""
        self.switcher.clear()
        self.switcher.addItems(names)
        self.switcher.setCurrentText(self.context.name)
        for action in self._switcher_actions:
            action.setVisible(len(names) > 1)

    # -- status -------------------------------------------------------------------------
    def say(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_SECONDS * 1000)

    def _update_counts(self) -> None:
        if self.context.synced:
            hint = "The inbox is empty"
        elif self.context.refreshing:
            hint = "Getting mail\N{HORIZONTAL ELLIPSIS}"
        else:
            hint = "Not loaded yet - press F5 or Get Mail"
        self.pane.set_empty_hint(hint)
        total = self.model.total
        unread = self.model.unread
        counts = f"{total:,} message{'s' * (total != 1)}"
        if unread:
            counts = f"{unread:,} unread, {counts}"
        # No program name: the platform adds " — PyMailGUI" (the display name) itself.
        self.setWindowTitle(f"{self.context.name} ({counts})")

    def _update_actions(self) -> None:
        count = len(self.table.selectionModel().selectedRows())
        for name in ("open", "delete", "save"):
            self.acts[name].setEnabled(count > 0)
        for name in ("source", "reply", "reply_all", "forward", "forward_attached"):
            self.acts[name].setEnabled(count == 1)

    # -- the user's verbs ---------------------------------------------------------------
    def get_mail(self) -> None:
        self.statusBar().clearMessage()  # "as last loaded (no connection yet)" is over
        self.context.refresh(on_error=lambda error: report.error(error, self))

    def open_messages(self, keys: list[str]) -> None:
        for key in keys[:20]:  # a stray Ctrl+A, Enter must not open 10,000 windows
            self.desktop.open_viewer(self.context, key)
        if len(keys) > 20:
            self.say(f"Opened the first 20 of the {len(keys):,} selected messages.")

    def delete_selected(self) -> None:
        keys = self.table.selected_keys()
        if not keys:
            return
        first = self.model.display_row(keys[0]) or 0
        self.deleter.request(keys)
        # The row that moved into the deleted ones' place gets the focus, as in Thunderbird.
        if self.model.rowCount():
            self.table.selectRow(min(first, self.model.rowCount() - 1))
        self._update_counts()

    def delete_key(self, key: str) -> None:
        self.deleter.request([key])
        self._update_counts()

    def save_selected(self, keys: list[str] | None = None) -> None:
        keys = keys or self.table.selected_keys()
        if not keys:
            return
        dialog = SaveToFolderDialog(keys, self.context.mailbox.folder_names(), self)
        dialog.chosen.connect(self._save)
        dialog.show()
        self.save_dialog = dialog

    def _save(self, keys: list[str], folder: str, delete: bool) -> None:
        """Save to a folder through the core's durable path: every copy is stored (fsync,
        rename) before the server is asked to delete anything."""
        n = len(keys)
        label = f"Saving {n} message{'s' if n != 1 else ''} in {folder}"
        if delete:
            self.context.model.hide(keys)  # as a delete does; back if nothing was deleted
        self.context.save(
            keys,
            folder,
            delete=delete,
            label=label,
            on_done=lambda result: self._saved(keys, delete, result),
            on_error=lambda error: self._save_failed(keys, delete, error),
        )

    def _saved(self, keys: list[str], delete: bool, result: object) -> None:
        if delete:  # any the server still lists (not stored, so not deleted) come back
            self.context.model.unhide(keys)
        self._update_counts()
        self.say(str(result))

    def _save_failed(self, keys: list[str], delete: bool, error: MailError) -> None:
        if delete:
            self.context.model.unhide(keys)
        if not isinstance(error, SyncError):  # the synchronization notice explains those
            report.error(error, self)

    def _compose_from(self, kind: str) -> None:
        key = self.table.single_selected_key()
        if key is not None:
            writing, context = self.desktop.writing, self.context
            context.fetch(
                key,
                lambda data: writing.respond(context, data, kind),
                lambda error: report.error(error, self),
            )

    def show_source(self) -> None:
        key = self.table.single_selected_key()
        if key is None:
            return
        row = self.model.get(key)
        title = row.subject if row is not None else key
        self.context.fetch(
            key,
            lambda data: self.desktop.show_source(data, title),
            lambda error: report.error(error, self),
        )

    # -- synchronization ------------------------------------------------------------------
    def _sync_refused(self, error: SyncError, action: str) -> None:
        notice = SyncNotice(error, action, self)
        self.notices.append(notice)
        notice.finished.connect(
            lambda _r: self.notices.remove(notice) if notice in self.notices else None
        )
        notice.show()
        self.context.refresh(
            on_done=lambda result: notice.refreshed(describe_refresh(result)),
            on_error=lambda exc: notice.refresh_failed(str(exc)),
        )

    # -- closing ------------------------------------------------------------------------
    def _work(self) -> list[str]:
        context = self.context
        return [
            job.label for w in (context.worker, context.outgoing, context.local) for job in w.jobs
        ]

    def closeEvent(self, event: QCloseEvent) -> None:
        running, pending = self._work(), len(self.deleter.pending)
        if self._quitting is None and (running or pending):
            event.ignore()
            prompt = QuitPrompt(running, pending, self)
            prompt.decided.connect(self._quit_decided)
            prompt.show()
            self.quit_prompt = prompt
            return
        if self._quitting is not None and self._work():
            event.ignore()  # waiting for the worker; _maybe_finish_quit closes us
            return
        self._closed = True
        settings.save_geometry(self._key("inbox"), self)
        settings.save_bytes(self._key("columns"), self.table.header_state())
        settings.sync()
        super().closeEvent(event)
        self.desktop.inbox_closed(self)

    def _quit_decided(self, how: str) -> None:
        self._quitting = how
        if how == FINISH:
            self.deleter.commit()
            self.say("Quitting when the work is done…")
        else:
            self.deleter.undo()
            self.context.worker.cancel_all()
            self.context.outgoing.cancel_all()
            self.context.local.cancel_all()
            self.say("Stopping; a delete the server is committing still completes…")
        self._maybe_finish_quit()

    def _maybe_finish_quit(self) -> None:
        if self._quitting is not None and not self._work() and not self._closed:
            self.close()
