"""Local folders as both front ends use them: key-based, no numbering.

Folders are shared by every account of one state directory. A message is named by its
Maildir key, which never changes while it stays in its folder (a move gives it a new
key in the target and says which). Numbering "the message the user saw as 3" is a
front end's business (the console keeps its own map).

Every verb that may create a folder (save into a new one, move, import) removes the
folder again when it fails before storing anything in it, so a typo or a bad input file
never leaves an empty folder behind.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pymailgui.errors import Cancelled, LocalStoreError, MailError, UsageError
from pymailgui.inbox import DeleteReport
from pymailgui.message.summary import MessageRow
from pymailgui.store import (
    Folder,
    FolderStore,
    export_mbox,
    import_mbox,
    validate_folder_name,
)
from pymailgui.tasks import Phase, Task, ensure

_CHUNK = 1 << 16


@dataclass(frozen=True)
class SaveReport:
    """Messages copied from the server into a local folder, and what was then deleted."""

    folder: str
    saved: dict[str, str]  # server key -> local key
    deleted: DeleteReport | None = None
    skipped: list[str] = field(default_factory=list)  # already saved before, not copied again
    #: Saved, but shorter than the server said: left on the server, never deleted.
    incomplete: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        n = len(self.saved)
        text = f"Saved {n} message{'s' * (n != 1)} in {self.folder}"
        if self.skipped:
            text += f" ({len(self.skipped)} already there)"
        text += "."
        if self.deleted is not None:
            text += f" {self.deleted}"
        if self.incomplete:
            k = len(self.incomplete)
            text += (
                f" {k} message{'s' * (k != 1)} arrived shorter than the server said and "
                f"{'were' if k != 1 else 'was'} left on the server."
            )
        return text


class LocalFolders:
    """The local Maildir folders, addressed by folder name and message key."""

    def __init__(self, store: FolderStore) -> None:
        self.store = store

    # -- folders --------------------------------------------------------------------------
    def names(self) -> list[str]:
        """Standard folders first (Inbox, Saved, Sent, Drafts, Outbox), then the user's."""
        return self.store.list_folders()

    def exists(self, name: str) -> bool:
        return self.store.exists(name)

    def check_name(self, name: str) -> str:
        """``name`` if it can name a folder, else UsageError saying why (nothing made)."""
        return validate_folder_name(name)

    def folder(self, name: str, *, create: bool = False) -> Folder:
        """The folder called ``name`` (any case); UsageError when missing and not created."""
        return self.store.folder(name, create=create)

    def count(self, name: str) -> int:
        return len(self.folder(name))

    def create(self, name: str) -> str:
        """Create folder ``name``; returns its name. UsageError if it exists or is invalid."""
        return self.store.create(name).name

    def rename(self, old: str, new: str) -> str:
        return self.store.rename(old, new).name

    def remove(self, name: str, *, force: bool = False) -> None:
        """Remove a user folder; one holding messages only with ``force``."""
        self.store.delete_folder(name, force=force)

    @contextlib.contextmanager
    def receiving(self, name: str) -> Iterator[Folder]:
        """The folder ``name``, created if missing for the block's messages.

        A folder created here is removed again if the block fails while it is still
        empty: a failed save or import leaves no empty folder behind.
        """
        existed = self.store.exists(name)
        folder = self.store.folder(name, create=True)
        try:
            yield folder
        except BaseException:
            if not existed:
                with contextlib.suppress(MailError, OSError):
                    if not len(folder):
                        self.store.delete_folder(folder.name)
            raise

    # -- messages -------------------------------------------------------------------------
    def rows(self, name: str) -> list[MessageRow]:
        """The folder's messages in display order (by date, then key)."""
        return self.folder(name).entries()

    def row(self, name: str, key: str) -> MessageRow:
        for row in self.rows(name):
            if row.key == key:
                return row
        raise self._gone(name, key)

    def contains(self, name: str, key: str) -> bool:
        return key in self.folder(name)

    def get(self, name: str, key: str) -> bytes:
        return self.folder(name).get(key)

    def delete(self, name: str, keys: Iterable[str]) -> int:
        """Delete the messages ``keys`` (all or none: every key is checked first)."""
        folder = self.folder(name)
        wanted = self._present(folder, keys)
        for key in wanted:
            folder.remove(key)
        return len(wanted)

    def move(self, name: str, keys: Iterable[str], target: str) -> dict[str, str]:
        """Move messages to ``target`` (made if needed); returns old key -> new key.

        Each copy is stored durably before its original is removed.
        """
        return self._transfer(name, keys, target, keep=False)

    def copy(self, name: str, keys: Iterable[str], target: str) -> dict[str, str]:
        """Copy messages to ``target`` (made if needed); returns old key -> new key."""
        return self._transfer(name, keys, target, keep=True)

    def set_flags(self, name: str, key: str, flags: str) -> None:
        self.folder(name).set_flags(key, flags)

    def add_flags(self, name: str, key: str, flags: str) -> None:
        self.folder(name).add_flags(key, flags)

    def remove_flags(self, name: str, key: str, flags: str) -> None:
        self.folder(name).remove_flags(key, flags)

    # -- mbox -----------------------------------------------------------------------------
    def import_mbox(self, path: Path, name: str, task: Task | None = None) -> int:
        """Add every message of the mbox file ``path`` to folder ``name`` (made if needed).

        A file that cannot be read or is not an mbox is refused before the folder is
        touched. A cancel removes what this import had added (nothing was imported).
        """
        path = Path(path)
        check_mbox_file(path)
        task = ensure(task, "import-mbox")
        with self.receiving(name) as folder:
            target = _TaskFolder(folder, task, Phase.IMPORT)
            try:
                return import_mbox(path, target)
            except Cancelled:
                for key in target.added:
                    with contextlib.suppress(MailError):
                        folder.remove(key)
                raise

    def export_mbox(
        self, name: str, path: Path, *, overwrite: bool = False, task: Task | None = None
    ) -> int:
        """Write folder ``name`` to the mbox file ``path``; it appears whole or not at all."""
        folder = self.folder(name)
        task = ensure(task, "export-mbox")
        return export_mbox(
            _TaskFolder(folder, task, Phase.EXPORT, total=len(folder)), path, overwrite=overwrite
        )

    # -- plumbing -------------------------------------------------------------------------
    def _transfer(
        self, name: str, keys: Iterable[str], target: str, *, keep: bool
    ) -> dict[str, str]:
        source = self.folder(name)
        wanted = self._present(source, keys)
        if self.store.exists(target) and self.folder(target) == source:
            raise UsageError(f"The messages are already in {source.name}.")
        done: dict[str, str] = {}
        with self.receiving(target) as dest:
            for key in wanted:
                done[key] = _copy(source, key, dest) if keep else source.move(key, dest)
        return done

    def _present(self, folder: Folder, keys: Iterable[str]) -> list[str]:
        wanted = list(dict.fromkeys(keys))
        for key in wanted:
            if key not in folder:
                raise self._gone(folder.name, key)
        return wanted

    def _gone(self, name: str, key: str) -> LocalStoreError:
        return LocalStoreError(
            f"The message {key} is no longer in {name} (moved or deleted meanwhile)."
        )


def check_mbox_file(path: Path) -> None:
    """Refuse (UsageError) a path that is not a readable mbox file, before any change."""
    try:
        with path.open("rb") as f:
            for line in f:
                if line.strip():
                    if not line.startswith(b"From "):
                        raise UsageError(
                            f'{path} is not an mbox file: it does not start with a "From " line.'
                        )
                    return
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not an mbox file.") from None
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    raise UsageError(f"{path} is empty: there is nothing to import.")


def _copy(source: Folder, key: str, dest: Folder) -> str:
    origin = source.source_of(key)
    flags = source.flags(key)
    with source.open(key) as f:
        return dest.add_stream(
            iter(lambda: f.read(_CHUNK), b""),
            flags=flags,
            source_uid=origin.uid if origin else None,
            account=origin.account if origin else "",
            mtime=os.fstat(f.fileno()).st_mtime,
        )


class _TaskFolder(Folder):
    """A folder seen through a task: each message added or read is reported as
    progress, and a cancel stops before the next one (the store's own loop stays the
    one loop; nothing is half-written because each message is a tmp file renamed)."""

    def __init__(self, folder: Folder, task: Task, phase: Phase, total: int | None = None) -> None:
        super().__init__(folder.path, folder.name)
        self.task = task
        self.phase = phase
        self.total = total
        self.added: list[str] = []
        self._done = 0

    def _step(self) -> None:
        undone = "nothing was imported" if self.phase is Phase.IMPORT else "no file was written"
        self.task.check(undone)
        self._done += 1
        self.task.report(self.phase, self._done, self.total)

    def add_stream(
        self,
        chunks: Iterable[bytes],
        *,
        flags: str = "",
        source_uid: str | None = None,
        account: str = "",
        mtime: float | None = None,
    ) -> str:
        self._step()
        key = super().add_stream(
            chunks, flags=flags, source_uid=source_uid, account=account, mtime=mtime
        )
        self.added.append(key)
        return key

    def add_unique(
        self, chunks: Iterable[bytes], *, origin: str, flags: str = "", mtime: float | None = None
    ) -> str | None:
        self._step()
        key = super().add_unique(chunks, origin=origin, flags=flags, mtime=mtime)
        if key is not None:
            self.added.append(key)
        return key

    def open(self, key: str) -> BinaryIO:
        self._step()
        return super().open(key)
