"""Deleting with undo: rows leave at once, the server delete runs when the undo time is up.

1. Delete hides the rows and shows "3 messages will be deleted from the server in 5 s"
   with Undo (``[gui] delete_undo_seconds``; 0 = at once). Deleting more meanwhile
   adds to the same pending group and restarts the count-down.
2. Undo puts them back untouched: nothing was sent to the server.
3. When the time is up, one delete job runs for the group. The core verifies every
   message in the session and counts the delete only when QUIT is acknowledged.
4. If the server did not commit (a dropped connection, QUIT refused, a safety refusal),
   the rows come back and the user is told that nothing was deleted. When the core
   cannot say for sure (``nothing_committed`` is not True), a refresh learns the truth.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from pymailgui.errors import MailError, SyncError
from pymailgui.gui import report
from pymailgui.gui.bars import UndoBar
from pymailgui.gui.context import AccountContext
from pymailgui.inbox import DeleteReport


class DeleteFlow(QObject):
    #: Rows came back (undo, or a delete that did not happen): their keys.
    restored = Signal(list)

    def __init__(self, context: AccountContext, bar: UndoBar, window: QWidget) -> None:
        super().__init__(window)
        self.context = context
        self.bar = bar
        self.window = window
        self.seconds = context.config.gui.delete_undo_seconds
        self.pending: list[str] = []
        self.deleting: set[str] = set()
        bar.expired.connect(self.commit)
        bar.undo.connect(self.undo)

    def request(self, keys: list[str]) -> None:
        keys = [k for k in dict.fromkeys(keys) if k not in self.pending and k not in self.deleting]
        if not keys:
            return
        self.context.model.hide(keys)
        self.pending.extend(keys)
        if self.seconds <= 0:
            self.commit()
        else:
            self.bar.start(len(self.pending), self.seconds)

    def undo(self) -> None:
        keys, self.pending = self.pending, []
        self.bar.stop()
        if not keys:
            return
        self.context.model.unhide(keys)
        self.restored.emit(keys)
        n = len(keys)
        self.context.status.emit(
            f"Undone: {n} message{'s stay' if n != 1 else ' stays'} on the server."
        )

    def commit(self) -> None:
        keys, self.pending = self.pending, []
        self.bar.stop()
        if not keys:
            return
        self.deleting.update(keys)
        self.context.delete(
            keys,
            on_done=lambda result: self._deleted(keys, result),
            on_error=lambda error: self._failed(keys, error),
        )

    def _deleted(self, keys: list[str], result: DeleteReport) -> None:
        self.deleting.difference_update(keys)  # the context has said what was deleted

    def _failed(self, keys: list[str], error: MailError) -> None:
        self.deleting.difference_update(keys)
        self.context.model.unhide(keys)
        self.restored.emit(keys)
        if isinstance(error, SyncError):
            return  # the synchronization notice explains it, and refreshes
        if error.nothing_committed is not True:
            self.context.refresh()  # whether the server removed them: ask it
        self.context.status.emit(f"Nothing was deleted: {error}")
        report.error(error, self.window)
