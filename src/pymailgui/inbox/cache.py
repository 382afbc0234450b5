"""The persistent index: a versioned SQLite cache keyed by account and identity.

A restart shows the last index at once; a refresh downloads headers only for messages
not seen before. The schema carries ``PRAGMA user_version`` and migrates forward; a
newer version than this code knows is refused rather than damaged.

Each thread gets its own connection (WAL mode): a front end reading the index never
waits for a worker's network step, only, at worst, for one short write transaction.
The file holds mail, so it is created 0600 whatever the umask.
"""

from __future__ import annotations

import contextlib
import gc
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from pymailgui import paths
from pymailgui.errors import LocalStoreError
from pymailgui.inbox.ledger import OutboxLedger
from pymailgui.message.summary import MessageRow
from pymailgui.sqlite_wal import migrate, schema_version, set_wal

SCHEMA_VERSION = 4
BUSY_TIMEOUT = 30.0
PAGE_SIZE = 16384
CACHE_KIB = 512

#: From version N to N+1 (see :func:`pymailgui.sqlite_wal.migrate`).
_MIGRATIONS: dict[int, str] = {
    0: """
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
    CREATE TABLE shown (
        account TEXT NOT NULL,
        shown_num INTEGER NOT NULL,
        uid TEXT NOT NULL,
        PRIMARY KEY (account, shown_num)
    );
    """,
    # Flags (S once the user read it), the "new in the latest refresh" mark and the
    # time it was first listed, for the list's unread/new columns.
    1: """
    ALTER TABLE messages ADD COLUMN flags TEXT NOT NULL DEFAULT '';
    ALTER TABLE messages ADD COLUMN new INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN received REAL;
    ALTER TABLE account_state ADD COLUMN unidentified INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE outbox (                 -- why a message in the Outbox folder waits
        msg_key TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        state TEXT NOT NULL,              -- 'failed', 'uncertain' or 'delivered'
        last_error TEXT,
        last_attempt REAL
    );
    """,
    # The console keeps the numbers the user saw in a file of its own now.
    2: """
    DROP TABLE shown;
    """,
    # Header blocks (3-6 KB) in a table of their own: a list row is a few hundred
    # bytes, so marking 10,000 rows not new, renumbering them or reading the list no
    # longer rewrites or walks 40 MB of headers (the first 100 new messages after a
    # load of 10,000 cost 0.25 s, nearly all of it that UPDATE).
    3: """
    CREATE TABLE headers (
        account TEXT NOT NULL,
        uid TEXT NOT NULL,
        header BLOB NOT NULL,
        PRIMARY KEY (account, uid)
    );
    INSERT INTO headers SELECT account, uid, header FROM messages;
    ALTER TABLE messages DROP COLUMN header;
    """,
}

#: Tables with a row per indexed message, keyed by (account, uid).
_PER_MESSAGE = ("messages", "headers", "bodies")

_ROW_COLUMNS = (
    "uid, size, from_, to_, cc, subject, date, message_id, has_attachments, flags, new, "
    "num, fingerprint, received"
)


class Known(NamedTuple):
    """What a refresh needs to know of an indexed message (a tuple: 10,000 of them are
    built on every refresh, and a frozen dataclass costs five times as much to make)."""

    size: int
    num: int


class IndexCache(OutboxLedger):
    """The cache database; safe to use from any thread (a connection per thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._closed = False
        try:
            # It holds mail: 0600 (SQLite gives its -wal and -shm files the same mode).
            paths.private_file(path)
            db = self._db()
            # Only a new, empty file takes it (SQLite ignores it once a table exists or
            # WAL is on): a row with its header block (3-6 KB) fits one 16 KB page, where
            # 4 KB pages needed overflow pages; a 10,000-message load wrote 2.2x faster.
            db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            set_wal(db, BUSY_TIMEOUT)
            self._migrate(db)
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise LocalStoreError(f"The index cache {path} cannot be opened: {exc}.") from None
        except BaseException:
            self.close()
            raise

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            return db
        if self._closed:
            raise LocalStoreError(f"The index cache {self.path} is closed.")
        db = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT, check_same_thread=False, isolation_level=None
        )
        db.execute("PRAGMA synchronous=NORMAL")
        # Reads are scans or single rows and writes are appends: the OS caches the
        # file, and SQLite's default 2 MB page cache per connection bought nothing but
        # resident memory (each thread has a connection).
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self._local.db = db
        with self._all_lock:
            self._all.append(db)
        return db

    def close_thread(self) -> None:
        """Close the calling thread's connection (a worker thread that is ending)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            return
        self._local.db = None
        with self._all_lock:
            if db in self._all:
                self._all.remove(db)
        with contextlib.suppress(sqlite3.Error):
            db.close()

    def close(self) -> None:
        self._closed = True
        with self._all_lock:
            connections, self._all = self._all, []
        for db in connections:
            with contextlib.suppress(sqlite3.Error):
                db.close()
        self._local = threading.local()

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = schema_version(db)
        if version > SCHEMA_VERSION:
            raise LocalStoreError(
                f"The index cache {self.path} was written by a newer PyMailGUI "
                f"(schema {version}); update PyMailGUI or remove the file."
            )
        if version == SCHEMA_VERSION:
            return
        # Under the write lock: another process may be migrating too (migrate re-reads).
        db.execute("BEGIN IMMEDIATE")
        try:
            migrate(db, _MIGRATIONS, SCHEMA_VERSION)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction (keep network steps out of it)."""
        try:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")  # the connection is in autocommit mode
        except sqlite3.Error as exc:
            raise LocalStoreError(f"The index cache could not be updated: {exc}.") from None
        try:
            yield db
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        try:
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise LocalStoreError(f"The index cache could not be updated: {exc}.") from None

    def _read(self, sql: str, args: Sequence[object] = ()) -> list[tuple[object, ...]]:
        """Run a query; a locked or broken database is a LocalStoreError, not a bug."""
        return self._rows_of(sql, args)

    def _rows_of(self, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """:meth:`_read` for the hot queries whose columns have declared types (the
        schema's NOT NULL INTEGER and TEXT columns come back as int and str)."""
        try:
            rows: list[tuple[Any, ...]] = self._db().execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise LocalStoreError(f"The index cache could not be read: {exc}.") from None
        return rows

    # -- account state -------------------------------------------------------------
    def mode(self, account: str) -> str | None:
        rows = self._read("SELECT mode FROM account_state WHERE account = ?", (account,))
        return str(rows[0][0]) if rows else None

    def loaded(self, account: str) -> bool:
        """Whether the account's index was ever loaded from the server."""
        return self.mode(account) is not None

    def refreshed_at(self, account: str) -> datetime | None:
        rows = self._read("SELECT refreshed_at FROM account_state WHERE account = ?", (account,))
        return datetime.fromisoformat(str(rows[0][0])) if rows and rows[0][0] else None

    def set_mode(self, db: sqlite3.Connection, account: str, mode: str) -> None:
        """Record how the account's server identifies messages; a change empties the index."""
        row = db.execute("SELECT mode FROM account_state WHERE account = ?", (account,)).fetchone()
        if row and row[0] != mode:
            for table in _PER_MESSAGE:
                db.execute(f"DELETE FROM {table} WHERE account = ?", (account,))  # noqa: S608
        db.execute(
            "INSERT INTO account_state (account, mode, refreshed_at) VALUES (?, ?, ?) "
            "ON CONFLICT(account) DO UPDATE SET mode = excluded.mode, "
            "refreshed_at = excluded.refreshed_at",
            (account, mode, datetime.now().astimezone().isoformat()),
        )

    def swap_unidentified(self, db: sqlite3.Connection, account: str, count: int) -> int:
        """Record how many messages lacked a usable id; return the previous count (a
        notice is worth giving only when it changes)."""
        row = db.execute(
            "SELECT unidentified FROM account_state WHERE account = ?", (account,)
        ).fetchone()
        db.execute("UPDATE account_state SET unidentified = ? WHERE account = ?", (count, account))
        return int(row[0]) if row else 0

    # -- index rows ------------------------------------------------------------------
    def rows(self, account: str) -> list[MessageRow]:
        """Every indexed message in server order."""
        sql = f"SELECT {_ROW_COLUMNS} FROM messages WHERE account = ? ORDER BY num"  # noqa: S608
        # 100,000 new tuples that are not garbage would trigger a dozen full collections
        # (measured: 0.3 s of a 0.6 s load): the collector waits until they are built.
        # Straight from the cursor: no list of 10,000 tuples next to the rows.
        with _collector_paused():
            try:
                return list(map(_row, self._db().execute(sql, (account,))))
            except sqlite3.Error as exc:
                raise LocalStoreError(f"The index cache could not be read: {exc}.") from None

    def row(self, account: str, key: str) -> MessageRow | None:
        found = self._read(
            f"SELECT {_ROW_COLUMNS} FROM messages WHERE account = ? AND uid = ?",  # noqa: S608
            (account, key),
        )
        return _row(found[0]) if found else None

    def known(self, account: str) -> dict[str, Known]:
        """key -> (size, number) of every indexed message (cheap: no row objects)."""
        found = self._rows_of("SELECT uid, size, num FROM messages WHERE account = ?", (account,))
        return {k: Known(s, n) for k, s, n in found}

    def fingerprint_count(self, account: str, fingerprint: str) -> int:
        """How many index entries share ``fingerprint`` (look-alikes)."""
        found = self._read(
            "SELECT COUNT(*) FROM messages WHERE account = ? AND fingerprint = ?",
            (account, fingerprint),
        )
        return int(str(found[0][0]))

    def header(self, account: str, key: str) -> bytes | None:
        found = self._read(
            "SELECT header FROM headers WHERE account = ? AND uid = ?", (account, key)
        )
        return _blob(found[0][0]) if found else None

    def put_rows(
        self, db: sqlite3.Connection, account: str, rows: Iterable[tuple[MessageRow, bytes]]
    ) -> None:
        """Insert or replace rows with their header blocks (kept to verify a RETR)."""
        rows = list(rows)
        db.executemany(
            "INSERT OR REPLACE INTO messages (account, uid, num, size, from_, to_, cc, "
            "subject, date, message_id, has_attachments, fingerprint, flags, new, "
            "received) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    account,
                    r.key,
                    r.number,
                    r.size,
                    r.from_,
                    r.to,
                    r.cc,
                    r.subject,
                    r.date_iso(),
                    r.message_id,
                    int(r.has_attachments),
                    r.fingerprint,
                    r.flags,
                    int(r.new),
                    r.received,
                )
                for r, _header in rows
            ],
        )
        db.executemany(
            "INSERT OR REPLACE INTO headers VALUES (?, ?, ?)",
            [(account, r.key, header) for r, header in rows],
        )

    def renumber(self, db: sqlite3.Connection, account: str, nums: dict[str, int]) -> None:
        db.executemany(
            "UPDATE messages SET num = ? WHERE account = ? AND uid = ?",
            [(num, account, key) for key, num in nums.items()],
        )

    def drop(self, db: sqlite3.Connection, account: str, keys: Iterable[str]) -> None:
        pairs = [(account, k) for k in keys]
        for table in _PER_MESSAGE:
            db.executemany(f"DELETE FROM {table} WHERE account = ? AND uid = ?", pairs)  # noqa: S608

    def clear_new(self, db: sqlite3.Connection, account: str) -> None:
        db.execute("UPDATE messages SET new = 0 WHERE account = ? AND new != 0", (account,))

    def set_flag(self, account: str, keys: Iterable[str], flag: str, on: bool) -> None:
        """Add or remove one Maildir-style flag letter on rows (e.g. "S": read)."""
        with self.transaction() as db:
            for key in keys:
                found = db.execute(
                    "SELECT flags FROM messages WHERE account = ? AND uid = ?", (account, key)
                ).fetchone()
                if found is None:
                    continue
                flags = set(str(found[0])) - {flag} | ({flag} if on else set())
                db.execute(
                    "UPDATE messages SET flags = ? WHERE account = ? AND uid = ?",
                    ("".join(sorted(flags)), account, key),
                )

    def update_message(
        self, db: sqlite3.Connection, account: str, key: str, size: int, header: bytes
    ) -> None:
        """A message the server rewrote under the same UIDL: new size and headers."""
        db.execute(
            "UPDATE messages SET size = ? WHERE account = ? AND uid = ?", (size, account, key)
        )
        db.execute(
            "UPDATE headers SET header = ? WHERE account = ? AND uid = ?", (header, account, key)
        )

    def set_has_attachments(self, account: str, key: str, value: bool) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE messages SET has_attachments = ? WHERE account = ? AND uid = ?",
                (int(value), account, key),
            )

    # -- full-text cache -------------------------------------------------------------
    def body(self, account: str, key: str) -> bytes | None:
        found = self._read("SELECT data FROM bodies WHERE account = ? AND uid = ?", (account, key))
        return _blob(found[0][0]) if found else None

    def body_keys(self, account: str) -> set[str]:
        """The keys of every message whose full text is cached."""
        return {k for (k,) in self._rows_of("SELECT uid FROM bodies WHERE account = ?", (account,))}

    def has_body(self, account: str, key: str) -> bool:
        found = self._read("SELECT 1 FROM bodies WHERE account = ? AND uid = ?", (account, key))
        return bool(found)

    def drop_bodies(self, db: sqlite3.Connection, account: str, keys: Iterable[str]) -> None:
        db.executemany(
            "DELETE FROM bodies WHERE account = ? AND uid = ?", [(account, k) for k in keys]
        )

    def put_body(self, db: sqlite3.Connection, account: str, key: str, data: bytes) -> None:
        db.execute("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)", (account, key, data))


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _blob(value: object) -> bytes:
    assert isinstance(value, bytes | memoryview), type(value)
    return bytes(value)


def _row(r: tuple[Any, ...]) -> MessageRow:
    # Positional and without conversions: SQLite already hands back str, int, float or
    # None for these columns, and a list of 100,000 rows is built on every start.
    (key, size, from_, to, cc, subject, date, msgid, att, flags, new, num, fp, received) = r
    return MessageRow(
        key,
        size,
        from_,
        to,
        cc,
        subject,
        _fromiso(date) if date else None,
        msgid,
        bool(att),
        flags,
        bool(new),
        num,
        fp,
        received,
    )


_fromiso = datetime.fromisoformat
