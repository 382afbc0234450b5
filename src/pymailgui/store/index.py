"""The per-folder side index: provenance of messages and a cache of their summaries.

It lives in ``.pymailgui-index.sqlite3`` inside the folder directory (the leading dot
keeps Maildir readers from taking it for a message or a subfolder). The message files
stay the truth: summaries are a cache checked against the files and rebuilt from them,
and a corrupt index is moved aside and started afresh. Provenance (account and POP UIDL
of each stored message) can't be rebuilt from the files - we never modify message
bytes - so losing it errs on the safe side: ``has_source`` answers False and a
"download and delete" keeps the server copy (a possible duplicate, never a loss).

Several processes may use one folder at once: SQLite's locking with a busy timeout
serializes writers, WAL lets listings read while another process adds.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pymailgui import paths
from pymailgui.errors import LocalStoreError
from pymailgui.message.summary import HeaderFields
from pymailgui.sqlite_wal import migrate, schema_version, set_wal

log = logging.getLogger(__name__)

INDEX_NAME = ".pymailgui-index.sqlite3"
SCHEMA_VERSION = 2
BUSY_TIMEOUT = 30.0  # seconds; another process's transaction is a few milliseconds

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS sources (
    msg_key TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    uid TEXT NOT NULL,
    stored_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sources_by_uid ON sources (account, uid);
CREATE TABLE IF NOT EXISTS summaries (
    msg_key TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    from_ TEXT NOT NULL,
    to_ TEXT NOT NULL,
    subject TEXT NOT NULL,
    date TEXT,
    message_id TEXT NOT NULL,
    has_attachments INTEGER NOT NULL
);
"""

# Version 2: the Cc column, and summaries made by the one list summarizer. Summaries are
# a cache of what the files say, so the old ones are dropped (the next listing parses
# those files again) rather than kept with an empty Cc; provenance is kept as it is.
_TO_V2 = """
DELETE FROM summaries;
ALTER TABLE summaries ADD COLUMN cc_ TEXT NOT NULL DEFAULT '';
"""

_INSERT_SUMMARY = (
    "INSERT OR REPLACE INTO summaries (msg_key, size, mtime, from_, to_, cc_, subject, date, "
    "message_id, has_attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SELECT_SUMMARIES = (
    "SELECT msg_key, size, mtime, from_, to_, cc_, subject, date, message_id, has_attachments "
    "FROM summaries"
)

# Migrations from version N to N+1, applied in order inside one transaction.
_MIGRATIONS: dict[int, str] = {0: _SCHEMA_V1, 1: _TO_V2}


@dataclass(frozen=True)
class CachedSummary:
    """The list columns of one message file, valid while its size and mtime are these."""

    size: int
    mtime: float
    summary: HeaderFields


@dataclass(frozen=True)
class MessageSource:
    """Where a stored message came from: a POP account and the message's UIDL there."""

    account: str
    uid: str


class FolderIndex:
    """The side index of one folder directory (opened per operation: fork- and thread-safe)."""

    def __init__(self, folder_dir: Path) -> None:
        self.path = folder_dir / INDEX_NAME

    # -- provenance -------------------------------------------------------------------

    def record_added(
        self, key: str, cached: CachedSummary | None, source: MessageSource | None
    ) -> None:
        """Record a new message's summary and provenance in one transaction."""
        with self._transaction() as db:
            if source is not None:
                db.execute(
                    "INSERT OR REPLACE INTO sources (msg_key, account, uid, stored_at) "
                    "VALUES (?, ?, ?, ?)",
                    (key, source.account, source.uid, time.time()),
                )
            if cached is not None:
                db.execute(_INSERT_SUMMARY, _summary_row(key, cached))

    def keys_from(self, source: MessageSource) -> list[str]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT msg_key FROM sources WHERE account = ? AND uid = ? ORDER BY msg_key",
                (source.account, source.uid),
            ).fetchall()
        return [str(r[0]) for r in rows]

    def source_of(self, key: str) -> MessageSource | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT account, uid FROM sources WHERE msg_key = ?", (key,)
            ).fetchone()
        return MessageSource(str(row[0]), str(row[1])) if row else None

    def forget(self, key: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM sources WHERE msg_key = ?", (key,))
            db.execute("DELETE FROM summaries WHERE msg_key = ?", (key,))

    # -- summary cache ----------------------------------------------------------------

    def load_summaries(self) -> dict[str, CachedSummary]:
        with self._connect() as db:
            rows = db.execute(_SELECT_SUMMARIES).fetchall()
        cached: dict[str, CachedSummary] = {}
        for key, size, mtime, from_, to, cc, subject, date, message_id, attach in rows:
            try:
                when = datetime.fromisoformat(date) if date else None
            except (TypeError, ValueError):
                continue  # not written by us: parse that file again
            summary = HeaderFields(
                from_=from_,
                to=to,
                cc=cc,
                subject=subject,
                date=when,
                message_id=message_id,
                has_attachments=bool(attach),
            )
            cached[key] = CachedSummary(int(size), float(mtime), summary)
        return cached

    def update_summaries(
        self, fresh: Iterable[tuple[str, CachedSummary]], stale: Iterable[str]
    ) -> None:
        """Store newly parsed summaries and drop those of files that are gone."""
        rows = [_summary_row(key, c) for key, c in fresh]
        gone = [(k,) for k in stale]
        if not rows and not gone:
            return
        with self._transaction() as db:
            db.executemany(_INSERT_SUMMARY, rows)
            db.executemany("DELETE FROM summaries WHERE msg_key = ?", gone)

    # -- plumbing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = self._open()
        try:
            yield db
        except sqlite3.OperationalError as exc:
            raise LocalStoreError(
                f"The index of folder {self.path.parent.name} is busy or unreadable ({exc}); "
                "try again in a moment."
            ) from exc
        except sqlite3.DatabaseError as exc:
            if type(exc) is not sqlite3.DatabaseError:
                raise  # IntegrityError, ProgrammingError...: a bug, not a damaged file
            self._quarantine(exc)
            raise LocalStoreError(
                f"The index of folder {self.path.parent.name} was damaged and has been reset; "
                "try again."
            ) from exc
        finally:
            db.close()

    def _open(self) -> sqlite3.Connection:
        if not os.access(self.path.parent, os.W_OK):
            return self._open_read_only()
        for attempt in (1, 2):
            try:
                self._make_private()
                db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
            except sqlite3.Error as exc:
                raise LocalStoreError(
                    f"The index of folder {self.path.parent.name} cannot be opened ({exc})."
                ) from exc
            try:
                # FULL: a committed source must survive a power cut before DELE is sent.
                db.execute("PRAGMA synchronous = FULL")
                self._migrate(db)
                return db
            except sqlite3.OperationalError as exc:
                db.close()
                raise LocalStoreError(
                    f"The index of folder {self.path.parent.name} cannot be opened ({exc}); "
                    "try again in a moment."
                ) from exc
            except sqlite3.DatabaseError as exc:
                db.close()
                # SQLITE_CORRUPT and SQLITE_NOTADB are raised as the base class itself.
                if type(exc) is not sqlite3.DatabaseError:
                    raise
                if attempt == 2:
                    raise LocalStoreError(
                        f"The index of folder {self.path.parent.name} cannot be created ({exc})."
                    ) from exc
                self._quarantine(exc)
            except BaseException:
                db.close()
                raise
        raise AssertionError("unreachable")

    def _make_private(self) -> None:
        """Summaries and provenance name mail: the file is 0600 (one stat when it is)."""
        try:
            private = not os.stat(self.path).st_mode & 0o077
        except FileNotFoundError:
            private = False
        if not private:
            try:
                paths.private_file(self.path)
            except OSError as exc:
                raise LocalStoreError(
                    f"The index of folder {self.path.parent.name} cannot be opened "
                    f"({exc.strerror or exc})."
                ) from exc

    def _open_read_only(self) -> sqlite3.Connection:
        """The index of a folder on read-only media or a read-only mount, as it is.

        SQLite cannot open a WAL database where it cannot create the -shm file, so the
        folder could not even be listed, and a save into it failed with "unable to open
        database file" instead of saying why. ``immutable`` reads the file without
        locks; a missing or foreign index reads as empty (summaries are a cache, and no
        provenance errs on the safe side). Writes then fail where the message file is
        created, with the file system's own reason.
        """
        if self.path.is_file():
            uri = "file:" + urllib.parse.quote(str(self.path.absolute()))
            db = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None)
            try:
                if int(db.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION:
                    return db
            except sqlite3.Error as exc:
                log.warning("cannot read the index of read-only %s: %s", self.path.parent, exc)
            db.close()
        db = sqlite3.connect(":memory:", isolation_level=None)
        db.executescript(_SCHEMA_V1)
        return db

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = schema_version(db)
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise LocalStoreError(
                f"The index of folder {self.path.parent.name} was written by a newer "
                "PyMailGUI; upgrade PyMailGUI to use this folder."
            )
        set_wal(db, BUSY_TIMEOUT)  # persistent; not allowed inside BEGIN
        db.execute("BEGIN IMMEDIATE")
        try:
            # Reads the version again under the write lock: another process may have
            # migrated meanwhile.
            migrate(db, _MIGRATIONS, SCHEMA_VERSION)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _quarantine(self, exc: Exception) -> None:
        """Move a damaged index aside (kept for inspection) so a fresh one can be made."""
        aside = self.path.with_name(f"{INDEX_NAME}.damaged-{int(time.time())}")
        log.warning("index %s is damaged (%s); moved to %s", self.path, exc, aside.name)
        with contextlib.suppress(FileNotFoundError):
            self.path.replace(aside)
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                self.path.with_name(INDEX_NAME + suffix).unlink()


def _summary_row(key: str, c: CachedSummary) -> tuple[object, ...]:
    s = c.summary
    return (
        key,
        c.size,
        c.mtime,
        s.from_,
        s.to,
        s.cc,
        s.subject,
        s.date.isoformat() if s.date else None,
        s.message_id,
        int(s.has_attachments),
    )
