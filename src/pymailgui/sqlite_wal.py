"""SQLite set-up shared by the index cache and the folder indexes."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping


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


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, migrations: Mapping[int, str], target: int) -> None:
    """Bring the schema from its ``user_version`` to ``target``: ``migrations[n]`` holds
    the statements (";"-separated) from version n to n+1. Runs inside the caller's write
    transaction, so a concurrent opener sees the old schema or the new, never half."""
    version = schema_version(db)
    while version < target:
        for statement in migrations[version].split(";"):
            if statement.strip():
                db.execute(statement)
        version += 1
        db.execute(f"PRAGMA user_version = {version}")
