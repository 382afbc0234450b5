"""The persistent index: a versioned SQLite cache keyed by account and identity.

A restart shows the last index at once; a refresh downloads headers only for messages
not seen before. The schema carries ``PRAGMA user_version`` and migrates forward; a
newer version than this code knows is refused rather than damaged.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from pymailgui.errors import LocalStoreError
from pymailgui.inbox.summary import MessageSummary
from pymailgui.sqlite_wal import set_wal

SCHEMA_VERSION = 1

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE account_state (
        account TEXT PRIMARY KEY,
        mode TEXT NOT NULL,               -- 'uidl' or 'fingerprint'
        refreshed_at TEXT
    );
    CREATE TABLE messages (
        account TEXT NOT NULL,
        uid TEXT NOT NULL,
        num INTEGER NOT NULL,
        size INTEGER NOT NULL,
        from_ TEXT NOT NULL,
        to_ TEXT NOT NULL,
        cc TEXT NOT NULL,
        subject TEXT NOT NULL,
        date TEXT,
        message_id TEXT NOT NULL,
        has_attachments INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        header BLOB NOT NULL,
        PRIMARY KEY (account, uid)
    );
    CREATE INDEX messages_num ON messages (account, num);
    CREATE TABLE bodies (
        account TEXT NOT NULL,
        uid TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (account, uid)
    );
    CREATE TABLE shown (                  -- the numbers of the last list the user saw
        account TEXT NOT NULL,
        shown_num INTEGER NOT NULL,
        uid TEXT NOT NULL,
        PRIMARY KEY (account, shown_num)
    );
    """,
}


class IndexCache:
    """Thread-safe access to the cache database (one connection, serialized)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._db = sqlite3.connect(
                path, timeout=30.0, check_same_thread=False, isolation_level=None
            )
        except (OSError, sqlite3.Error) as exc:
            raise LocalStoreError(f"The index cache {path} cannot be opened: {exc}.") from None
        try:
            set_wal(self._db, 30.0)
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.Error as exc:
            self._db.close()
            raise LocalStoreError(f"The index cache {path} cannot be opened: {exc}.") from None
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise LocalStoreError(
                f"The index cache {self.path} was written by a newer PyMailGUI "
                f"(schema {version}); update PyMailGUI or remove the file."
            )
        if version == SCHEMA_VERSION:
            return
        # Under the write lock, and re-read: another process may be migrating too.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[target].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {target}")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")  # the connection is in autocommit mode
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise LocalStoreError(f"The index cache could not be updated: {exc}.") from None

    # -- account state -------------------------------------------------------------
    def mode(self, account: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT mode FROM account_state WHERE account = ?", (account,)
            ).fetchone()
        return str(row[0]) if row else None

    def set_mode(self, db: sqlite3.Connection, account: str, mode: str) -> None:
        """Record how the account's server identifies messages; a change empties the index."""
        row = db.execute("SELECT mode FROM account_state WHERE account = ?", (account,)).fetchone()
        if row and row[0] != mode:
            for table in ("messages", "bodies", "shown"):
                db.execute(f"DELETE FROM {table} WHERE account = ?", (account,))  # noqa: S608
        db.execute(
            "INSERT INTO account_state (account, mode, refreshed_at) VALUES (?, ?, ?) "
            "ON CONFLICT(account) DO UPDATE SET mode = excluded.mode, "
            "refreshed_at = excluded.refreshed_at",
            (account, mode, datetime.now().astimezone().isoformat()),
        )

    # -- index entries ---------------------------------------------------------------
    def entries(self, account: str) -> list[MessageSummary]:
        with self._lock:
            rows = self._db.execute(
                "SELECT uid, num, size, from_, to_, cc, subject, date, message_id, "
                "has_attachments, fingerprint FROM messages WHERE account = ? ORDER BY num",
                (account,),
            ).fetchall()
        return [_summary(row) for row in rows]

    def entry(self, account: str, uid: str) -> MessageSummary | None:
        with self._lock:
            row = self._db.execute(
                "SELECT uid, num, size, from_, to_, cc, subject, date, message_id, "
                "has_attachments, fingerprint FROM messages WHERE account = ? AND uid = ?",
                (account, uid),
            ).fetchone()
        return _summary(row) if row else None

    def fingerprint_count(self, account: str, fingerprint: str) -> int:
        """How many index entries share ``fingerprint`` (look-alikes on no-UIDL servers)."""
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM messages WHERE account = ? AND fingerprint = ?",
                (account, fingerprint),
            ).fetchone()
        return int(row[0])

    def header(self, account: str, uid: str) -> bytes | None:
        with self._lock:
            row = self._db.execute(
                "SELECT header FROM messages WHERE account = ? AND uid = ?", (account, uid)
            ).fetchone()
        return bytes(row[0]) if row else None

    def put(self, db: sqlite3.Connection, account: str, s: MessageSummary, header: bytes) -> None:
        db.execute(
            "INSERT OR REPLACE INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                account,
                s.uid,
                s.num,
                s.size,
                s.from_,
                s.to,
                s.cc,
                s.subject,
                s.date_iso(),
                s.message_id,
                int(s.has_attachments),
                s.fingerprint,
                header,
            ),
        )

    def renumber(self, db: sqlite3.Connection, account: str, nums: dict[str, int]) -> None:
        db.executemany(
            "UPDATE messages SET num = ? WHERE account = ? AND uid = ?",
            [(num, account, uid) for uid, num in nums.items()],
        )

    def drop(self, db: sqlite3.Connection, account: str, uids: Iterable[str]) -> None:
        for table in ("messages", "bodies"):
            db.executemany(
                f"DELETE FROM {table} WHERE account = ? AND uid = ?",  # noqa: S608
                [(account, u) for u in uids],
            )

    def set_has_attachments(self, account: str, uid: str, value: bool) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE messages SET has_attachments = ? WHERE account = ? AND uid = ?",
                (int(value), account, uid),
            )

    # -- full-text cache -------------------------------------------------------------
    def body(self, account: str, uid: str) -> bytes | None:
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM bodies WHERE account = ? AND uid = ?", (account, uid)
            ).fetchone()
        return bytes(row[0]) if row else None

    def drop_bodies(self, db: sqlite3.Connection, account: str, uids: Iterable[str]) -> None:
        db.executemany(
            "DELETE FROM bodies WHERE account = ? AND uid = ?", [(account, u) for u in uids]
        )

    def put_body(self, db: sqlite3.Connection, account: str, uid: str, data: bytes) -> None:
        db.execute("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)", (account, uid, data))

    # -- the numbers the user last saw -----------------------------------------------
    def set_shown(self, account: str, uids: list[str]) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM shown WHERE account = ?", (account,))
            db.executemany(
                "INSERT INTO shown VALUES (?, ?, ?)",
                [(account, i, uid) for i, uid in enumerate(uids, start=1)],
            )

    def shown(self, account: str) -> dict[int, str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT shown_num, uid FROM shown WHERE account = ?", (account,)
            ).fetchall()
        return {int(n): str(u) for n, u in rows}

    def unshow(self, db: sqlite3.Connection, account: str, uids: Iterable[str]) -> None:
        db.executemany(
            "DELETE FROM shown WHERE account = ? AND uid = ?", [(account, u) for u in uids]
        )


def _summary(row: tuple[object, ...]) -> MessageSummary:
    (uid, num, size, from_, to, cc, subject, date, message_id, att, fp) = row
    return MessageSummary(
        uid=str(uid),
        num=int(str(num)),
        size=int(str(size)),
        from_=str(from_),
        to=str(to),
        cc=str(cc),
        subject=str(subject),
        date=datetime.fromisoformat(str(date)) if date else None,
        message_id=str(message_id),
        has_attachments=bool(att),
        fingerprint=str(fp),
    )
