"""The local folder verbs as jobs of the account's local worker, and their results.

Every verb is the core's (``account.folders``, docs/core-api.md): each runs in the
local worker thread, in order, with progress and Cancel in the status bar for the long
ones (import, export). When one ends, the folders it touched are announced on the
account (``folders_changed``) so every window showing them reloads, and a failure is a
sentence for the user - nothing half-done (a move stores each copy before removing
its original; an import that is cancelled removes what it had added).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from pymailgui.errors import MailError
from pymailgui.gui.context import AccountContext
from pymailgui.gui.rowset import RowSet
from pymailgui.gui.worker import Job
from pymailgui.tasks import Task


def plural(n: int, what: str = "message") -> str:
    return f"{n:,} {what}{'s' if n != 1 else ''}"


class FolderOps(QObject):
    #: A folder's rows were read: (folder name, RowSet).
    loaded = Signal(str, object)
    #: The folder names and counts were read: [(name, count)].
    listed = Signal(list)
    #: A sentence for the status line.
    said = Signal(str)
    #: A verb failed: the error.
    failed = Signal(object)

    def __init__(self, context: AccountContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.folders = context.mailbox.folders

    def _job(
        self,
        label: str,
        run: Callable[[Task], Any],
        touched: list[str],
        done: Callable[[Any], str | None] | None = None,
    ) -> Job:
        def finished(result: Any) -> None:
            text = done(result) if done is not None else None
            if text:
                self.said.emit(text)
            self.context.folders_changed.emit(touched)

        def failed(error: MailError) -> None:
            self.context.folders_changed.emit(touched)  # a part may have been done
            self.failed.emit(error)

        return self.context.local.submit(
            Job("folder", label, run, on_done=finished, on_error=failed)
        )

    # -- reading ------------------------------------------------------------------------
    def list_folders(self) -> None:
        def run(_task: Task) -> list[tuple[str, int]]:
            return [(name, self.folders.count(name)) for name in self.folders.names()]

        self.context.local.submit(
            Job("folders", "Reading the folders", run, on_done=self.listed.emit,
                on_error=self.failed.emit)
        )  # fmt: skip

    def load(self, name: str) -> None:
        def run(_task: Task) -> RowSet:
            return RowSet.build(self.folders.rows(name))

        self.context.local.submit(
            Job(
                "folder-rows",
                f"Reading {name}",
                run,
                on_done=lambda rowset: self.loaded.emit(name, rowset),
                on_error=self.failed.emit,
            )
        )

    # -- folders ------------------------------------------------------------------------
    def create(self, name: str) -> None:
        self._job(
            f"Creating {name}",
            lambda _t: self.folders.create(name),
            [name],
            lambda made: f"Created the folder {made}.",
        )

    def rename(self, old: str, new: str) -> None:
        self._job(
            f"Renaming {old}",
            lambda _t: self.folders.rename(old, new),
            [old, new],
            lambda made: f"{old} is now called {made}.",
        )

    def remove(self, name: str, *, force: bool) -> None:
        self._job(
            f"Deleting the folder {name}",
            lambda _t: self.folders.remove(name, force=force),
            [name],
            lambda _r: f"Deleted the folder {name}.",
        )

    # -- messages -----------------------------------------------------------------------
    def delete(self, name: str, keys: list[str], on_done: Callable[[object], None],
               on_error: Callable[[MailError], None]) -> None:  # fmt: skip
        def finished(count: int) -> None:
            self.said.emit(f"Deleted {plural(count)} from {name}.")
            self.context.folders_changed.emit([name])
            on_done(count)

        def failed(error: MailError) -> None:
            self.context.folders_changed.emit([name])
            on_error(error)

        self.context.local.submit(
            Job(
                "folder-delete",
                f"Deleting {plural(len(keys))} from {name}",
                lambda _t: self.folders.delete(name, keys),
                on_done=finished,
                on_error=failed,
            )
        )

    def transfer(self, name: str, keys: list[str], target: str, *, copy: bool) -> None:
        verb = "Copying" if copy else "Moving"
        action = self.folders.copy if copy else self.folders.move
        self._job(
            f"{verb} {plural(len(keys))} to {target}",
            lambda _t: action(name, keys, target),
            [name, target],
            lambda done: f"{'Copied' if copy else 'Moved'} {plural(len(done))} to {target}.",
        )

    def import_mbox(self, path: Path, name: str) -> None:
        self._job(
            f"Importing {path.name} into {name}",
            lambda task: self.folders.import_mbox(path, name, task),
            [name],
            lambda count: f"Imported {plural(count)} from {path.name} into {name}.",
        )

    def export_mbox(self, name: str, path: Path) -> None:
        self._job(
            f"Exporting {name} to {path.name}",
            # The file dialog asked before an existing file was chosen.
            lambda task: self.folders.export_mbox(name, path, overwrite=True, task=task),
            [],
            lambda count: f"Exported {plural(count)} from {name} to {path}.",
        )
