"""Local folders as the user sees them: numbered lists, view, move, delete, mbox files.

Folders are shared by every account. A number means the message the user saw with it in
the last listing of that folder (kept in the index cache, like the server inbox's), so
a message added meanwhile by another process never shifts what "delete 3" means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pymailgui.errors import UsageError
from pymailgui.inbox import DeleteReport, IndexCache
from pymailgui.message.summary import MessageRow
from pymailgui.store import Folder, FolderStore, export_mbox, import_mbox


@dataclass(frozen=True)
class SaveReport:
    """Messages copied from the server into a local folder, and what was then deleted."""

    folder: str
    saved: dict[str, str]  # server uid -> local key
    deleted: DeleteReport | None = None
    skipped: list[str] = field(default_factory=list)  # already saved before, not copied again

    def __str__(self) -> str:
        n = len(self.saved)
        text = f"Saved {n} message{'s' * (n != 1)} in {self.folder}"
        if self.skipped:
            text += f" ({len(self.skipped)} already there)"
        text += "."
        if self.deleted is not None:
            text += f" {self.deleted}"
        return text


class LocalFolders:
    """The local Maildir folders and the numbering the user last saw in each."""

    def __init__(self, store: FolderStore, cache: IndexCache) -> None:
        self.store = store
        self.cache = cache

    def names(self) -> list[str]:
        return self.store.list_folders()

    def folder(self, name: str, *, create: bool = False) -> Folder:
        return self.store.folder(name, create=create)

    def _view_key(self, folder: Folder) -> str:
        return f"folder:{folder.name.casefold()}"

    def entries(self, name: str, *, remember: bool = True) -> list[MessageRow]:
        """The folder's messages in display order, numbered 1..N (remembered as shown)."""
        folder = self.folder(name)
        entries = folder.entries()
        if remember:
            self.cache.set_shown(self._view_key(folder), [e.key for e in entries])
        return entries

    def key(self, name: str, number: int) -> str:
        """The key of the message the user saw as ``number`` in this folder's last list."""
        folder = self.folder(name)
        shown = self.cache.shown(self._view_key(folder))
        if not shown:
            # Never listed: the current order is what any listing would show now.
            shown = {n: e.key for n, e in enumerate(folder.entries(), start=1)}
        try:
            key = shown[number]
        except KeyError:
            raise UsageError(
                f"There is no message {number} in the last list of {folder.name}; "
                f"run 'folder {folder.name} list' again."
            ) from None
        if key not in folder:
            raise UsageError(
                f"Message {number} of {folder.name} is gone (removed since the last list)."
            )
        return key

    def get(self, name: str, number: int) -> bytes:
        return self.folder(name).get(self.key(name, number))

    def delete(self, name: str, numbers: list[int]) -> int:
        folder = self.folder(name)
        keys = [self.key(name, n) for n in numbers]
        for key in dict.fromkeys(keys):
            folder.remove(key)
        with self.cache.transaction() as db:
            self.cache.unshow(db, self._view_key(folder), keys)
        return len(set(keys))

    def move(self, name: str, numbers: list[int], target: str) -> int:
        source, dest = self.folder(name), self.folder(target, create=True)
        if source.name == dest.name:
            raise UsageError(f"The messages are already in {dest.name}.")
        keys = [self.key(name, n) for n in numbers]
        for key in dict.fromkeys(keys):
            source.move(key, dest)  # durable copy first, then removal
        with self.cache.transaction() as db:
            self.cache.unshow(db, self._view_key(source), keys)
        return len(set(keys))

    def import_mbox(self, path: Path, name: str) -> int:
        return import_mbox(path, self.folder(name, create=True))

    def export_mbox(self, name: str, path: Path, *, overwrite: bool = False) -> int:
        return export_mbox(self.folder(name), path, overwrite=overwrite)
