"""One local folder: a Maildir (https://cr.yp.to/proto/maildir.html) plus a side index.

Messages are stored exactly as given, one file each; a message's key is its Maildir
unique name and never changes (flags live in the ":2,FLAGS" suffix of the file name in
cur/, so setting them renames the file but keeps the key). Every change is a single
rename or unlink, so concurrent processes never see a half-written message, and a file
that vanished under us (a flag change elsewhere) is looked up again before giving up.
The layout is the standard one: ``mailbox.Maildir``, mutt or Dovecot read it as is.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pymailgui.errors import LocalStoreError
from pymailgui.message.summary import MessageRow, summarize_headers
from pymailgui.store.durable import TmpFile, fsync_dir, sweep_debris
from pymailgui.store.entry import FLAG_CHARS, MessageMissing, normalize_flags
from pymailgui.store.headers import MAX_HEADER_BYTES, read_header_block, read_header_file
from pymailgui.store.index import CachedSummary, FolderIndex, MessageSource

log = logging.getLogger(__name__)

SUBDIRS = ("tmp", "new", "cur")
CHUNK = 1 << 16

_MAX_SOURCE_FIELD = 512


@dataclass(frozen=True)
class _File:
    path: Path
    flags: str


def _split_name(name: str) -> tuple[str, str]:
    key, sep, info = name.partition(":")
    flags = info[2:] if sep and info.startswith("2,") else ""
    return key, "".join(c for c in flags if c in FLAG_CHARS)


def _check_key(key: str) -> str:
    # Keys reach file names: refuse anything that could leave the folder directory.
    if not key or "/" in key or "\\" in key or ":" in key or key.startswith(".") or "\0" in key:
        raise MessageMissing(f"{key!r} is not a message key of a local folder.")
    return key


def _make_source(account: str, uid: str | None) -> MessageSource | None:
    if uid is None:
        if account:
            raise ValueError("account given without source_uid")
        return None
    if not uid:
        raise ValueError("source_uid must not be empty")
    if len(uid) > _MAX_SOURCE_FIELD or len(account) > _MAX_SOURCE_FIELD:
        raise ValueError("source_uid or account is too long")
    return MessageSource(account, uid)


class Folder:
    """A Maildir folder; get one from :class:`~pymailgui.store.folders.FolderStore`."""

    def __init__(self, path: Path, name: str | None = None) -> None:
        self.path = path
        self.name = name or path.name
        self._index = FolderIndex(path)
        self._cur_names: dict[str, str] = {}  # key -> file name in cur/ (a hint only)

    def __repr__(self) -> str:
        return f"Folder({self.name!r}, {str(self.path)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Folder) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    # -- adding -------------------------------------------------------------------------

    def add(
        self,
        data: bytes,
        *,
        flags: str = "",
        source_uid: str | None = None,
        account: str = "",
    ) -> str:
        """Store ``data`` durably, byte for byte, and return its key.

        When this returns the message is on disk (file and directory fsynced) and, if
        ``source_uid`` (the POP UIDL) is given, ``has_source(account, source_uid)``
        answers True: the provenance is committed in the side index, never written
        into the message.
        """
        return self.add_stream([data], flags=flags, source_uid=source_uid, account=account)

    def add_stream(
        self,
        chunks: Iterable[bytes],
        *,
        flags: str = "",
        source_uid: str | None = None,
        account: str = "",
        mtime: float | None = None,
    ) -> str:
        """Like :meth:`add` for a message given in pieces (never all in memory)."""
        key = self._add(chunks, flags, mtime, _make_source(account, source_uid), None)
        assert key is not None  # only add_unique skips
        return key

    def add_unique(
        self, chunks: Iterable[bytes], *, origin: str, flags: str = "", mtime: float | None = None
    ) -> str | None:
        """Like :meth:`add_stream`, unless the same bytes from ``origin`` are here already.

        The bytes' SHA-256 is recorded as their provenance (``origin``, "sha256:...").
        Returns the new key, or None when this folder holds such a copy: an import run
        again after a crash or a cancel adds only what it had not stored yet.
        """
        return self._add(chunks, flags, mtime, None, origin)

    def _add(
        self,
        chunks: Iterable[bytes],
        flags: str,
        mtime: float | None,
        source: MessageSource | None,
        origin: str | None,
    ) -> str | None:
        flags = normalize_flags(flags)
        head = bytearray()  # the start of the message, for its listing summary
        digest = hashlib.sha256() if origin is not None else None
        with TmpFile(self.path / "tmp") as tmp:
            for chunk in chunks:
                tmp.write(chunk)
                if digest is not None:
                    digest.update(chunk)
                if len(head) < MAX_HEADER_BYTES:
                    head += chunk[: MAX_HEADER_BYTES - len(head)]
            if mtime is not None:
                tmp.set_mtime(mtime)
            key = tmp.name
            # A message with flags was already seen by a client: it belongs in cur/.
            target = self.path / "cur" / f"{key}:2,{flags}" if flags else self.path / "new" / key
            status = tmp.sync()
            if origin is not None and digest is not None:
                source = MessageSource(origin, f"sha256:{digest.hexdigest()}")
                if self.source_count(source.account, source.uid):
                    return None  # the same bytes are stored already; tmp is discarded
            # Summarized now, while the bytes are at hand: listing never has to read it.
            summary = summarize_headers(read_header_block(io.BytesIO(head)))
            cached = CachedSummary(status.st_size, status.st_mtime, summary)
            # Provenance first, then the rename that makes the message visible: a crash
            # in between leaves a record of a file that is not there (has_source() counts
            # only files that exist), never a visible copy nobody knows was downloaded -
            # which the next "save and delete" would download and store a second time.
            self._record(key, cached, source)
            try:
                tmp.publish(target)
            except BaseException:
                with contextlib.suppress(LocalStoreError):
                    self._index.forget(key)
                raise
        return key

    def _record(self, key: str, cached: CachedSummary, source: MessageSource | None) -> None:
        try:
            self._index.record_added(key, cached, source)
        except LocalStoreError as exc:
            if source is not None:
                raise  # no provenance, no message: the caller must not DELE it
            log.warning("cannot cache the summary of %s: %s", key, exc)

    def sweep_tmp(self) -> list[str]:
        """Remove what killed writers left in tmp/ (never visible as messages), and the
        provenance they had recorded for it; returns the keys removed."""
        removed = sweep_debris(self.path / "tmp")
        for key in removed:
            with contextlib.suppress(LocalStoreError):
                self._index.forget(key)
        return removed

    # -- reading ------------------------------------------------------------------------

    def get(self, key: str) -> bytes:
        """The stored bytes of message ``key``, exactly as added."""
        with self.open(key) as f:
            return f.read()

    def open(self, key: str) -> BinaryIO:
        """Open message ``key`` for reading in binary mode (the caller closes it)."""
        for _ in range(3):
            path = self._locate(key).path
            try:
                return path.open("rb")
            except FileNotFoundError:
                continue  # renamed by a flag change in another process: look again
            except OSError as exc:
                raise LocalStoreError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        raise self._missing(key)

    def flags(self, key: str) -> str:
        return self._locate(key).flags

    def keys(self) -> list[str]:
        return sorted(self._scan())

    def __len__(self) -> int:
        return len(self._scan())

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        try:
            self._locate(key)
        except MessageMissing:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def entries(self) -> list[MessageRow]:
        """Every message as a list row, sorted by date (delivery time when undated), key.

        A row's ``key`` is the Maildir key, ``new`` says the file is still in new/,
        ``received`` is the file's mtime (the delivery time), ``number`` is 0 (a front
        end numbers what it shows). Summaries come from the side index when it knows the
        file (same size and mtime) and are parsed from the header block otherwise, then
        cached.
        """
        files = self._scan()
        cache = self._safe_load_summaries()
        fresh: list[tuple[str, CachedSummary]] = []
        rows: list[tuple[str, _File, CachedSummary]] = []
        for key, file in files.items():
            try:
                st = file.path.stat()
            except FileNotFoundError:
                try:
                    file = self._locate(key)
                    st = file.path.stat()
                except (MessageMissing, FileNotFoundError):
                    continue  # removed while we were listing
            cached = cache.get(key)
            if cached is None or cached.size != st.st_size or cached.mtime != st.st_mtime:
                try:
                    summary = summarize_headers(read_header_file(file.path))
                except FileNotFoundError:
                    continue
                cached = CachedSummary(st.st_size, st.st_mtime, summary)
                fresh.append((key, cached))
            rows.append((key, file, cached))
        try:
            self._index.update_summaries(fresh, set(cache) - set(files))
        except LocalStoreError as exc:
            log.warning("cannot update the summary cache of %s: %s", self.name, exc)
        listing = [_row(key, file, cached) for key, file, cached in rows]
        listing.sort(key=lambda row: (row.sort_time(), row.key))
        return listing

    # -- changing -----------------------------------------------------------------------

    def set_flags(self, key: str, flags: str) -> None:
        """Replace the flags of ``key`` (e.g. "S" seen, "RS" replied and seen)."""
        flags = normalize_flags(flags)
        for _ in range(5):
            file = self._locate(key)
            target = self.path / "cur" / f"{key}:2,{flags}"
            if file.path == target:
                return
            try:
                os.rename(file.path, target)
            except FileNotFoundError:
                continue  # changed by another process meanwhile: look again
            except OSError as exc:
                raise LocalStoreError(f"Cannot change flags of {key}: {exc.strerror}.") from exc
            self._cur_names[key] = target.name
            fsync_dir(target.parent)
            if file.path.parent != target.parent:
                fsync_dir(file.path.parent)
            return
        raise self._missing(key)

    def add_flags(self, key: str, flags: str) -> None:
        self.set_flags(key, self.flags(key) + flags)

    def remove_flags(self, key: str, flags: str) -> None:
        self.set_flags(key, "".join(c for c in self.flags(key) if c not in flags))

    def remove(self, key: str) -> None:
        """Delete message ``key`` from disk (durably) and from the side index."""
        for _ in range(5):
            file = self._locate(key)
            try:
                file.path.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise LocalStoreError(f"Cannot delete {file.path}: {exc.strerror}.") from exc
            fsync_dir(file.path.parent)
            self._cur_names.pop(key, None)
            try:
                self._index.forget(key)
            except LocalStoreError as exc:
                # Harmless: has_source() checks that the files of recorded keys exist.
                log.warning("cannot update the index of %s: %s", self.name, exc)
            return
        raise self._missing(key)

    def move(self, key: str, other: Folder) -> str:
        """Move ``key`` to ``other`` and return its key there (flags and source kept).

        One rename(2) moves the file, so a crash leaves the message in one folder or
        the other, never in both and never in neither; ``other`` records its
        provenance first (a record of a file that is not there counts for nothing).
        Across file systems it is copied, durably, and only then removed: a crash
        there may leave two copies, never none.
        """
        if other == self:
            return key
        source = self.source_of(key)
        for _ in range(5):
            file = self._locate(key)
            target = other.path / file.path.parent.name / file.path.name
            if key in other:  # unique names make this a copy someone made by hand
                break
            try:
                st = file.path.stat()
                summary = summarize_headers(read_header_file(file.path))
            except FileNotFoundError:
                continue  # renamed by a flag change elsewhere: look again
            except OSError as exc:
                raise LocalStoreError(f"Cannot read {file.path}: {exc.strerror}.") from exc
            other._record(key, CachedSummary(st.st_size, st.st_mtime, summary), source)
            try:
                os.rename(file.path, target)
            except OSError as exc:
                with contextlib.suppress(LocalStoreError):
                    other._index.forget(key)
                if isinstance(exc, FileNotFoundError):
                    continue
                if exc.errno == errno.EXDEV:
                    break
                raise LocalStoreError(f"Cannot move {key}: {exc.strerror}.") from exc
            fsync_dir(target.parent)
            fsync_dir(file.path.parent)
            self._cur_names.pop(key, None)
            with contextlib.suppress(LocalStoreError):
                self._index.forget(key)  # harmless if left: the file is not here
            return key
        else:
            raise self._missing(key)
        return self._copy_then_remove(key, other, source)

    def _copy_then_remove(self, key: str, other: Folder, source: MessageSource | None) -> str:
        with self.open(key) as f:
            new_key = other.add_stream(
                iter(lambda: f.read(CHUNK), b""),
                flags=self.flags(key),
                source_uid=source.uid if source else None,
                account=source.account if source else "",
                mtime=os.fstat(f.fileno()).st_mtime,
            )
        self.remove(key)
        return new_key

    # -- provenance ---------------------------------------------------------------------

    def source_of(self, key: str) -> MessageSource | None:
        """The POP account and UIDL message ``key`` was downloaded from, if recorded."""
        _check_key(key)
        return self._index.source_of(key)

    def source_count(self, account: str, uid: str) -> int:
        """How many messages of this folder came from ``uid`` of ``account`` (and still exist)."""
        keys = self._index.keys_from(MessageSource(account, uid))
        return sum(1 for k in keys if k in self)

    def copy_size(self, account: str, uid: str) -> int:
        """Bytes of the largest stored copy of server message ``uid`` (0: none)."""
        sizes = [0]
        for key in self._index.keys_from(MessageSource(account, uid)):
            with contextlib.suppress(MessageMissing, FileNotFoundError):
                sizes.append(self._locate(key).path.stat().st_size)
        return max(sizes)

    def has_source(self, account: str, uid: str) -> bool:
        """True when a copy of server message ``uid`` of ``account`` is stored here."""
        return self.source_count(account, uid) > 0

    # -- plumbing -----------------------------------------------------------------------

    def _scan(self) -> dict[str, _File]:
        files: dict[str, _File] = {}
        cur_names: dict[str, str] = {}
        for sub in ("new", "cur"):  # cur/ last: it wins if a key is in both
            directory = self.path / sub
            try:
                with os.scandir(directory) as it:
                    for entry in it:
                        if entry.name.startswith(".") or not entry.is_file():
                            continue
                        key, flags = _split_name(entry.name)
                        files[key] = _File(directory / entry.name, flags)
                        if sub == "cur":
                            cur_names[key] = entry.name
            except FileNotFoundError as exc:
                raise LocalStoreError(
                    f"The folder {self.name} is gone (deleted or renamed elsewhere)."
                ) from exc
        self._cur_names = cur_names
        return files

    def _locate(self, key: str) -> _File:
        _check_key(key)
        new = self.path / "new" / key
        if new.exists():
            return _File(new, "")
        hint = self._cur_names.get(key)
        if hint and (self.path / "cur" / hint).exists():
            return _File(self.path / "cur" / hint, _split_name(hint)[1])
        file = self._scan().get(key)
        if file is None:
            raise self._missing(key)
        return file

    def _missing(self, key: str) -> MessageMissing:
        return MessageMissing(
            f"The message {key} is not in folder {self.name} "
            "(it may have been moved or deleted meanwhile)."
        )

    def _unlink(self, path: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            fsync_dir(path.parent)

    def _safe_load_summaries(self) -> dict[str, CachedSummary]:
        try:
            return self._index.load_summaries()
        except LocalStoreError as exc:
            log.warning("summary cache of %s unusable, rebuilding: %s", self.name, exc)
            return {}


def _row(key: str, file: _File, cached: CachedSummary) -> MessageRow:
    return MessageRow.from_fields(
        key,
        cached.size,
        cached.summary,
        flags=file.flags,
        new=file.path.parent.name == "new",
        received=cached.mtime,
    )
