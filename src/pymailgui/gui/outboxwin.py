"""The Outbox window: messages not sent yet, why, and sending them again.

Every message the server did not take waits in Outbox (the core wrote it there before
the first byte went out), with the number of attempts and the last error. Send Again
(the selection) and Send All run as a task in the account's sending thread; the
periodic check also sends what failed before, once the server answers again. A
message whose delivery is uncertain (the connection broke after the whole message
was sent) is never resent by Send All or the periodic check - the recipients may have
it - only when the user picks it. Edit opens it in a compose window; Delete removes it
after asking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pymailgui.actions import OutboxEntry
from pymailgui.gui import commands, pool, report, settings
from pymailgui.gui.choicebox import ChoiceBox
from pymailgui.gui.context import AccountContext
from pymailgui.gui.taskstatus import TaskStatus
from pymailgui.store import OUTBOX

if TYPE_CHECKING:
    from pymailgui.gui.session import Desktop

STATES = {
    "failed": "Not sent",
    "uncertain": "May have been delivered",
    "delivered": "Sent; not yet filed in Sent",
    "": "Not tried yet",
}
COLUMNS = ("Subject", "To", "State", "Attempts", "Last error")


class OutboxWindow(QMainWindow):
    def __init__(self, context: AccountContext, desktop: Desktop) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("outbox_window")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.context = context
        self.desktop = desktop
        self.entries: list[OutboxEntry] = []
        self.prompt: ChoiceBox | None = None
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        self.summary = QLabel(central)
        self.summary.setObjectName("outbox_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, len(COLUMNS), central)
        self.table.setObjectName("outbox_list")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        char = self.fontMetrics().averageCharWidth()
        for column, width in enumerate((32, 24, 22, 10)):
            title = header.fontMetrics().horizontalAdvance(COLUMNS[column]) + 3 * char
            header.resizeSection(column, max(width * char, title))
        self.table.itemSelectionChanged.connect(self._update_actions)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit())
        layout.addWidget(self.table, 1)
        self.detail = QLabel(central)
        self.detail.setObjectName("outbox_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)
        self.setCentralWidget(central)
        self.task_status = TaskStatus(self)
        self.task_status.watch(context.outgoing)
        self.statusBar().addPermanentWidget(self.task_status)
        act = commands.action
        self.acts: dict[str, QAction] = {
            "resend": act(self, "resend", self.resend_selected),
            "resend_all": act(self, "resend_all", self.resend_all),
            "edit_outgoing": act(self, "edit_outgoing", self.edit),
            "delete": act(self, "delete", self.delete_selected),
            "close": act(self, "close", self.close),
        }
        commands.add_toolbar(
            self, "Outbox", self.acts, ["resend", "resend_all", "edit_outgoing", "delete"]
        )
        context.outbox_changed.connect(self.reload)
        context.outgoing.job_started.connect(lambda _job: self._update_actions())
        context.outgoing.idle.connect(self._update_actions)
        context.folders_changed.connect(lambda names: self.reload() if OUTBOX in names else None)
        self.setWindowTitle(f"Outbox - {context.name}")
        self.resize(900, 420)
        settings.restore_geometry("outbox", self)
        self.reload()

    # -- the list -----------------------------------------------------------------------
    def reload(self) -> None:
        pool.run(
            self.context.mailbox.outbox, self._show, lambda e: report.error(e, self), owner=self
        )

    def _show(self, entries: list[OutboxEntry]) -> None:
        selected = set(self.selected_keys())
        self.entries = entries
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            values = (
                entry.subject or "(no subject)",
                entry.to,
                STATES.get(entry.state, entry.state),
                str(entry.attempts),
                entry.last_error or "",
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
            if entry.key in selected:
                self.table.selectRow(row)
        n = len(entries)
        uncertain = sum(1 for e in entries if e.state == "uncertain")
        if not n:
            self.summary.setText("Nothing waits in Outbox: every message was sent.")
        else:
            text = f"{n} message{'s wait' if n != 1 else ' waits'} to be sent."
            if uncertain:
                text += (
                    f" {uncertain} may have reached the server already (the connection broke "
                    "after the whole message was sent): send those again only if the "
                    "recipients did not get them."
                )
            self.summary.setText(text)
        self._update_actions()

    def selected_keys(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.entries[r].key for r in rows if r < len(self.entries)]

    def _update_actions(self) -> None:
        keys = self.selected_keys()
        chosen = [e for e in self.entries if e.key in keys]
        self.detail.setText(
            f"Why “{chosen[0].subject or '(no subject)'}” waits: {chosen[0].last_error}"
            if len(chosen) == 1 and chosen[0].last_error
            else ""
        )
        count = len(keys)
        sending = self.context.outgoing.busy
        self.acts["resend"].setEnabled(count > 0 and not sending)
        self.acts["resend_all"].setEnabled(bool(self.entries) and not sending)
        self.acts["edit_outgoing"].setEnabled(count == 1)
        self.acts["delete"].setEnabled(count > 0)

    # -- verbs --------------------------------------------------------------------------
    def resend_selected(self) -> None:
        keys = self.selected_keys()
        if keys:
            self.context.resend(keys, on_done=self._resent)
            self._update_actions()

    def resend_all(self) -> None:
        if self.entries:
            self.context.resend(None, on_done=self._resent)
            self._update_actions()

    def _resent(self, text: str) -> None:
        self.statusBar().showMessage(text, 30_000)
        self.reload()

    def edit(self) -> None:
        keys = self.selected_keys()
        if len(keys) != 1:
            return
        key, folders, writing = keys[0], self.context.mailbox.folders, self.desktop.writing
        pool.run(
            lambda: folders.get(OUTBOX, key),
            lambda data: writing.edit_outgoing(self.context, key, data),
            lambda e: report.error(e, self),
            owner=self,
        )

    def delete_selected(self) -> None:
        keys = self.selected_keys()
        if not keys:
            return
        n = len(keys)
        self.prompt = ChoiceBox.confirm(
            "outbox_delete",
            "Delete unsent messages?",
            f"Delete {n} unsent message{'s' if n != 1 else ''} from Outbox?",
            "They were never sent (or not for sure); this can't be undone.",
            "Delete",
            lambda: self._delete(keys),
            self,
        )

    def _delete(self, keys: list[str]) -> None:
        folders = self.context.mailbox.folders

        def done(count: int) -> None:
            self.statusBar().showMessage(
                f"Deleted {count} message{'s' if count != 1 else ''} from Outbox.", 30_000
            )
            self.context.folders_changed.emit([OUTBOX])

        pool.run(
            lambda: folders.delete(OUTBOX, keys), done, lambda e: report.error(e, self), owner=self
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        settings.save_geometry("outbox", self)
        super().closeEvent(event)
