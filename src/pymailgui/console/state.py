"""The console's own state: the numbers it showed.

"3" means the message the user saw as 3 in the last list.

The core names messages by stable keys (a UIDL or fingerprint key on the server, a
Maildir key in a folder); numbers are the console's. Each list the console prints is
remembered per view ("server:ACCOUNT" or "folder:NAME") in a small SQLite file of its
own (``paths.console_state()``), so a number typed in the next process, after the
server renumbered or new mail arrived, still names the message that was on the screen.

Several ``pymail`` processes may run at once: each change is one short transaction.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from pymailgui import paths
from pymailgui.errors import LocalStoreError, UsageError
from pymailgui.sqlite_wal import migrate, schema_version, set_wal

SCHEMA_VERSION = 1
BUSY_TIMEOUT = 30.0  # seconds; another process's transaction takes milliseconds

_SCHEMA_V1 = """
CREATE TABLE views (
    view TEXT PRIMARY KEY,      -- "server:ACCOUNT" or "folder:NAME" (case-folded)
    listed_at REAL NOT NULL     -- when that list was printed
);
CREATE TABLE numbers (
    view TEXT NOT NULL,
    number INTEGER NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (view, number)
);
"""

_MIGRATIONS: dict[int, str] = {0: _SCHEMA_V1}


def server_view(account: str) -> str:
    return f"server:{account}"


def outbox_view(account: str) -> str:
    """The ``pymail outbox`` list: one account's messages waiting in Outbox."""
    return f"outbox:{account}"


def folder_view(folder: str) -> str:
    # Folder names are case-insensitive (store/names.py); so are their views.
    return f"folder:{folder.casefold()}"


class ConsoleState:
    """The console's map (view, number) -> key of the last list shown in each view."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            paths.private_file(path)  # the numbers name messages: private like mail
            self._db = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
            )
            set_wal(self._db, BUSY_TIMEOUT)
            with self._write() as db:
                self._migrate(db)
        except (OSError, sqlite3.Error) as exc:
            raise LocalStoreError(f"Cannot open the console's state at {path}: {exc}.") from exc

    def close(self) -> None:
        self._db.close()

    # -- reading --------------------------------------------------------------------------
    def listed(self, view: str) -> bool:
        """Whether a list of ``view`` was ever shown."""
        row = self._read("SELECT 1 FROM views WHERE view = ?", (view,))
        return bool(row)

    def key(self, view: str, number: int) -> str | None:
        """The key shown as ``number`` in the last list of ``view`` (None: no such number
        there, or its message was deleted through the console since)."""
        rows = self._read("SELECT key FROM numbers WHERE view = ? AND number = ?", (view, number))
        return str(rows[0][0]) if rows else None

    def numbers(self, view: str) -> dict[str, int]:
        """key -> number of the last list of ``view`` (to show "D 3" marks, to confirm)."""
        rows = self._read("SELECT key, number FROM numbers WHERE view = ?", (view,))
        return {str(k): n for k, n in rows if isinstance(n, int)}

    # -- writing --------------------------------------------------------------------------
    def remember(self, view: str, keys: Sequence[str]) -> None:
        """``keys`` were just shown as 1..N in this order."""
        with self._write() as db:
            db.execute("DELETE FROM numbers WHERE view = ?", (view,))
            db.executemany(
                "INSERT INTO numbers VALUES (?, ?, ?)",
                [(view, n, key) for n, key in enumerate(keys, start=1)],
            )
            db.execute("INSERT OR REPLACE INTO views VALUES (?, ?)", (view, time.time()))

    def require(self, view: str, number: int, *, what: str, again: str) -> str:
        """The key shown as ``number`` in the last ``what`` list; UsageError (naming
        ``again``, how to show that list) when none was shown or it has no such number."""
        if not self.listed(view):
            raise UsageError(f"No {what} list was shown yet: {again} shows one.")
        key = self.key(view, number)
        if key is None:
            raise UsageError(
                f"There is no message {number} in the last {what} list (it may have gone "
                f"since); {again} shows it again."
            )
        return key

    def forget(self, view: str, keys: Iterable[str]) -> None:
        """These messages are gone (deleted or moved away): their numbers name nothing."""
        with self._write() as db:
            db.executemany(
                "DELETE FROM numbers WHERE view = ? AND key = ?", [(view, k) for k in keys]
            )

    def drop(self, view: str) -> None:
        """The view itself is gone (a removed folder): no list of it was shown."""
        with self._write() as db:
            db.execute("DELETE FROM numbers WHERE view = ?", (view,))
            db.execute("DELETE FROM views WHERE view = ?", (view,))

    # -- plumbing -------------------------------------------------------------------------
    def _read(self, sql: str, args: tuple[object, ...]) -> list[tuple[object, ...]]:
        try:
            return list(self._db.execute(sql, args))
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._db.execute("ROLLBACK")
            raise self._error(exc) from exc

    def _error(self, exc: sqlite3.Error) -> LocalStoreError:
        return LocalStoreError(f"The console's state at {self.path} is unusable: {exc}.")

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = schema_version(db)
        if version > SCHEMA_VERSION:
            raise LocalStoreError(
                f"{self.path} was written by a newer PyMailGUI (version {version}); "
                "upgrade, or remove that file to start afresh."
            )
        migrate(db, _MIGRATIONS, SCHEMA_VERSION)
