"""Saving server messages into a local folder, and "save, then delete from the server".

Each copy is written durably (fsync, rename) and its origin recorded before the next;
the server delete runs only after every copy is known to be stored, and through the
inbox's safe delete (verified, committed by QUIT). The folder is created only once
there is something to put in it, so a failed save leaves no empty folder behind.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pymailgui.actions.local import SaveReport
from pymailgui.errors import Cancelled, LocalStoreError, MailError, SyncError
from pymailgui.inbox.reports import plural
from pymailgui.store import Folder, validate_folder_name
from pymailgui.tasks import Phase, Task, ensure

if TYPE_CHECKING:
    from pymailgui.actions.account import Account


def save_to_folder(
    account: Account,
    keys: Sequence[str],
    folder_name: str,
    *,
    delete: bool = False,
    task: Task | None = None,
) -> SaveReport:
    task = ensure(task, "save")
    keys = list(dict.fromkeys(keys))
    store = account.folders.store
    existing: Folder | None = store.folder(folder_name) if store.exists(folder_name) else None
    if existing is None:
        validate_folder_name(folder_name)  # a bad name is refused before any download
    target = _Target(account, folder_name, existing)
    skipped = [k for k in keys if existing is not None and existing.has_source(account.name, k)]
    wanted = [k for k in keys if k not in skipped]
    try:
        _store_all(account, target, wanted, task)
    except BaseException:
        target.drop_if_empty()  # a failed save leaves no empty folder behind
        raise
    report = SaveReport(folder=target.name, saved=target.saved, skipped=skipped)
    if not delete:
        return report
    folder = target.folder or existing
    stored = [k for k in keys if folder is not None and folder.has_source(account.name, k)]
    if len(stored) != len(keys):
        raise LocalStoreError(
            f"Not every message could be confirmed as stored in {target.name}; "
            "nothing was deleted from the server."
        )
    # A server that does not dot-stuff cuts a message at a line holding a lone "."
    # (POP-NOTES): the copy is kept, but deleting the original would lose its end.
    short = [k for k in stored if _stored_size(target, folder, k) < account.inbox.row(k).size]
    stored = [k for k in stored if k not in short]
    try:
        deleted = account.inbox.delete(stored, task)
    except Cancelled:
        raise Cancelled(
            f"Cancelled; the messages were saved in {target.name}, and nothing was deleted "
            "from the server.",
            nothing_committed=True,
        ) from None
    return SaveReport(
        folder=target.name, saved=target.saved, skipped=skipped, deleted=deleted, incomplete=short
    )


def _store_all(account: Account, target: _Target, wanted: list[str], task: Task) -> None:
    """Download ``wanted`` (one session) and store each message durably in ``target``."""
    try:
        fetched = account.inbox.fetch_many(wanted, task) if wanted else {}
    except Cancelled:
        raise Cancelled(
            "Cancelled; nothing was saved and nothing was deleted from the server.",
            nothing_committed=True,
        ) from None
    except SyncError as exc:
        # Save every message that can still be identified, then say what failed.
        for key in wanted:
            try:
                target.add(key, account.inbox.fetch(key, task))
            except SyncError:
                continue
        raise SyncError(
            f"{exc} The other {plural(len(target.saved), 'message')} were saved in "
            f"{target.name}; nothing was deleted from the server.",
            keys=exc.keys,
            gone=exc.gone,
        ) from exc
    for done, (key, data) in enumerate(fetched.items(), start=1):
        task.check(
            f"{len(target.saved)} of {len(fetched)} were saved in {target.name}; nothing "
            "was deleted from the server"
        )
        try:
            target.add(key, data)
        except LocalStoreError as exc:
            raise exc.with_note(
                f"{len(target.saved)} of {len(fetched)} were saved in {target.name}; nothing "
                "was deleted from the server."
            ) from exc
        task.report(Phase.SAVE, done, len(fetched))


def _stored_size(target: _Target, folder: Folder | None, key: str) -> int:
    if key in target.sizes:
        return target.sizes[key]
    return folder.copy_size(target.account.name, key) if folder is not None else 0


class _Target:
    """The folder being saved into, created on the first message."""

    def __init__(self, account: Account, name: str, folder: Folder | None) -> None:
        self.account = account
        self.folder = folder
        self.name = folder.name if folder is not None else name
        self.saved: dict[str, str] = {}
        self.sizes: dict[str, int] = {}  # server key -> bytes stored
        self.created = False

    def add(self, key: str, data: bytes) -> None:
        if self.folder is None:
            self.folder = self.account.folders.store.folder(self.name, create=True)
            self.name = self.folder.name
            self.created = True
        self.saved[key] = self.folder.add(data, source_uid=key, account=self.account.name)
        self.sizes[key] = len(data)

    def drop_if_empty(self) -> None:
        """Remove the folder this save created if nothing could be stored in it."""
        if self.created and self.folder is not None:
            with contextlib.suppress(MailError, OSError):
                if not len(self.folder):
                    self.account.folders.store.delete_folder(self.folder.name)
