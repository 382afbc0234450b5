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

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from pymailgui.errors import MailError, SyncError
from pymailgui.gui import report
from pymailgui.gui.bars import UndoBar
from pymailgui.gui.context import AccountContext
from pymailgui.gui.listmodel import MessageListModel

#: ``run(keys, on_done, on_error)``: carry the delete out (a server or a folder job).
RunDelete = Callable[[list[str], Callable[[object], None], Callable[[MailError], None]], object]


class DeleteFlow(QObject):
    """Delete with undo over one list model; ``run`` does the real delete.

    For the server inbox :func:`for_inbox` wires it to the account's delete job; a
    folder window passes its own local delete (``where``: the place in the two
    sentences, "deleted from the server" and "stays on the server").
    """

    #: Rows came back (undo, or a delete that did not happen): their keys.
    restored = Signal(list)

    def __init__(
        self,
        model: MessageListModel,
        bar: UndoBar,
        window: QWidget,
        *,
        seconds: int,
        run: RunDelete,
        status: Callable[[str], None],
        where: tuple[str, str] = ("from the server", "on the server"),
        unsure: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(window)
        self.model = model
        self.bar = bar
        self.window = window
        self.seconds = seconds
        self.run = run
        self.status = status
        self.where = where
        self.unsure = unsure
        self.pending: list[str] = []
        self.deleting: set[str] = set()
        bar.where = where[0]
        bar.expired.connect(self.commit)
        bar.undo.connect(self.undo)

    def request(self, keys: list[str]) -> None:
        keys = [k for k in dict.fromkeys(keys) if k not in self.pending and k not in self.deleting]
        if not keys:
            return
        self.model.hide(keys)
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
        self.model.unhide(keys)
        self.restored.emit(keys)
        n = len(keys)
        self.status(f"Undone: {n} message{'s stay' if n != 1 else ' stays'} {self.where[1]}.")

    def commit(self) -> None:
        keys, self.pending = self.pending, []
        self.bar.stop()
        if not keys:
            return
        self.deleting.update(keys)
        self.run(
            keys,
            lambda _result: self.deleting.difference_update(keys),
            lambda error: self._failed(keys, error),
        )

    def _failed(self, keys: list[str], error: MailError) -> None:
        self.deleting.difference_update(keys)
        self.model.unhide(keys)
        self.restored.emit(keys)
        if isinstance(error, SyncError):
            return  # the synchronization notice explains it, and refreshes
        if error.nothing_committed is not True and self.unsure is not None:
            self.unsure()  # whether the server removed them: ask it
        self.status(f"Nothing was deleted: {error}")
        report.error(error, self.window)


def for_inbox(context: AccountContext, bar: UndoBar, window: QWidget) -> DeleteFlow:
    """The server inbox's delete: the account's delete job, verified in its session."""
    return DeleteFlow(
        context.model,
        bar,
        window,
        seconds=context.config.gui.delete_undo_seconds,
        run=context.delete,
        status=context.status.emit,
        unsure=context.refresh,
    )
