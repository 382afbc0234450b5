"""SQLite set-up shared by the index cache and the folder indexes."""

from __future__ import annotations

import sqlite3
import time


def set_wal(db: sqlite3.Connection, timeout: float) -> None:
    """Switch ``db`` to WAL, waiting out a concurrent creator of the same file.

    Changing the journal mode can answer "database is locked" at once, without SQLite's
    busy handler, while another connection holds a lock (two processes or threads
    opening a new database together): retry until ``timeout`` seconds have passed.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
