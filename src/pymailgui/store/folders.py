"""The local folders: standard ones (Inbox, Saved, Sent, Drafts, Outbox) and the user's.

Each folder is a Maildir directory directly under the root (``paths.folders_dir()``
unless a root is given), named as the user typed it. Lookups are case-insensitive, and
names are validated before they touch the file system (see ``names.py``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from pathlib import Path

from pymailgui import paths
from pymailgui.errors import LocalStoreError, UsageError
from pymailgui.store.durable import DIR_MODE, fsync_dir
from pymailgui.store.entry import MessageMissing
from pymailgui.store.folder import SUBDIRS, Folder
from pymailgui.store.names import (
    STANDARD_FOLDERS,
    is_standard,
    name_key,
    validate_folder_name,
)

__all__ = ["STANDARD_FOLDERS", "Folder", "FolderStore", "MessageMissing"]

_TRASH_PREFIX = ".deleting-"
_TRASH_GRACE = 3600.0  # seconds


class FolderStore:
    """All local folders under one root directory."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else paths.folders_dir()
        self._ready = False

    def __repr__(self) -> str:
        return f"FolderStore({str(self.root)!r})"

    # -- queries ------------------------------------------------------------------------

    def list_folders(self) -> list[str]:
        """Standard folders first (in their fixed order), then the others by name."""
        self._ensure_standard()
        names = self._existing()
        standard = [n for n in STANDARD_FOLDERS if name_key(n) in names]
        others = sorted(
            (n for k, n in names.items() if not is_standard(n)), key=lambda n: (name_key(n), n)
        )
        return standard + others

    def exists(self, name: str) -> bool:
        self._ensure_standard()
        return name_key(name) in self._existing()

    def folder(self, name: str, *, create: bool = False) -> Folder:
        """The existing folder called ``name`` (any case).

        A missing one is created when ``create`` is true, else :class:`UsageError`;
        either way an invalid name is refused with the reason.
        """
        self._ensure_standard()
        actual = self._existing().get(name_key(name))
        if actual is not None:
            return Folder(self.root / actual, actual)
        validate_folder_name(name)
        if create:
            return self.create(name)
        raise UsageError(f"There is no folder named {name!r}; create it first.")

    def has_source(self, account: str, uid: str) -> bool:
        """True when any folder holds a copy of server message ``uid`` of ``account``."""
        return self.source_count(account, uid) > 0

    def source_count(self, account: str, uid: str) -> int:
        """Local copies of server message ``uid`` of ``account``, in all folders.

        POP-NOTES: several local copies can come from one server message; count them
        before a server delete triggered by deleting one local copy.
        """
        return sum(self.folder(n).source_count(account, uid) for n in self.list_folders())

    # -- changes ------------------------------------------------------------------------

    def create(self, name: str) -> Folder:
        """Create folder ``name`` (validated); :class:`UsageError` if it exists."""
        name = validate_folder_name(name)
        self._ensure_standard()
        existing = self._existing().get(name_key(name))
        if existing is not None:
            raise UsageError(f"A folder named {existing!r} already exists.")
        return self._make(name, exist_ok=False)

    def rename(self, old: str, new: str) -> Folder:
        """Rename a user folder; standard folders keep their names."""
        folder = self.folder(old)
        if is_standard(folder.name):
            raise UsageError(f"{folder.name} is a standard folder and cannot be renamed.")
        new = validate_folder_name(new)
        if is_standard(new):
            raise UsageError(f"{new!r} is the name of a standard folder.")
        clash = self._existing().get(name_key(new))
        if clash is not None and clash != folder.name:
            raise UsageError(f"A folder named {clash!r} already exists.")
        target = self.root / new
        try:
            # A non-empty directory is never replaced by rename(2): a folder created
            # meanwhile under the new name makes this fail instead of being lost.
            os.rename(folder.path, target)
            fsync_dir(self.root)
        except OSError as exc:
            raise LocalStoreError(
                f"Cannot rename folder {folder.name} to {new}: {exc.strerror}."
            ) from exc
        return Folder(target, new)

    def delete_folder(self, name: str, *, force: bool = False) -> None:
        """Delete a user folder; a non-empty one only with ``force=True``."""
        folder = self.folder(name)
        if is_standard(folder.name):
            raise UsageError(f"{folder.name} is a standard folder and cannot be deleted.")
        if not force and len(folder):
            raise UsageError(
                f"The folder {folder.name} holds {len(folder)} messages; "
                "move them first or delete it with force."
            )
        # Rename it out of sight first (atomic): nobody can add to it from now on, and
        # a crash midway leaves a hidden directory, not a half-deleted folder.
        trash = self.root / f"{_TRASH_PREFIX}{secrets.token_hex(6)}"
        try:
            os.rename(folder.path, trash)
            fsync_dir(self.root)
        except OSError as exc:
            raise LocalStoreError(f"Cannot delete folder {folder.name}: {exc.strerror}.") from exc
        if not force and len(Folder(trash, folder.name)):
            # A message arrived between the check and the rename: put the folder back.
            os.rename(trash, folder.path)
            raise UsageError(f"The folder {folder.name} received a message; it was kept.")
        shutil.rmtree(trash, ignore_errors=True)

    # -- plumbing -----------------------------------------------------------------------

    def _existing(self) -> dict[str, str]:
        """name_key -> directory name of every folder (a directory with cur/new/tmp)."""
        found: dict[str, str] = {}
        try:
            with os.scandir(self.root) as it:
                for entry in it:
                    if entry.name.startswith(".") or not entry.is_dir():
                        continue
                    if all(os.path.isdir(os.path.join(entry.path, s)) for s in SUBDIRS):
                        found.setdefault(name_key(entry.name), entry.name)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise LocalStoreError(f"Cannot read the folders in {self.root}: {exc}.") from exc
        return found

    def _ensure_standard(self) -> None:
        if self._ready:
            return
        try:
            paths.ensure_dir(self.root)
        except OSError as exc:
            raise LocalStoreError(f"Cannot create {self.root}: {exc.strerror}.") from exc
        self._sweep_trash()
        existing = self._existing()
        for name in STANDARD_FOLDERS:
            if name_key(name) not in existing:
                self._make(name)
        for directory in existing.values():
            # A writer killed midway left a file in tmp/ that nothing will finish.
            Folder(self.root / directory, directory).sweep_tmp()
        self._ready = True

    def _sweep_trash(self) -> None:
        """Finish deletions a crash interrupted (old ones only: a recent one may still
        be checked by the process that renamed it)."""
        cutoff = time.time() - _TRASH_GRACE
        for path in self.root.glob(f"{_TRASH_PREFIX}*"):
            with contextlib.suppress(OSError):
                if path.is_dir() and path.stat().st_ctime < cutoff:  # rename sets ctime
                    shutil.rmtree(path, ignore_errors=True)

    def _make(self, name: str, *, exist_ok: bool = True) -> Folder:
        path = self.root / name
        try:
            try:
                path.mkdir(mode=DIR_MODE)
            except FileExistsError:
                # Standard folders: another process created it at the same moment.
                if not exist_ok:
                    raise UsageError(
                        f"Something named {name!r} already exists in {self.root}."
                    ) from None
            for sub in SUBDIRS:
                with contextlib.suppress(FileExistsError):
                    (path / sub).mkdir(mode=DIR_MODE)
            fsync_dir(path)
            fsync_dir(self.root)
        except OSError as exc:
            raise LocalStoreError(f"Cannot create folder {name}: {exc.strerror}.") from exc
        return Folder(path, name)
