"""The index cache: versioned schema, atomic updates, several processes at once."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from pymailgui.errors import LocalStoreError
from pymailgui.inbox.cache import SCHEMA_VERSION, IndexCache


def _open_and_mark(path: str, n: int) -> None:
    cache = IndexCache(Path(path))
    cache.outbox_record(f"key{n}", f"acct{n}", "down", "failed")
    cache.close()


def test_many_processes_create_the_cache_at_once(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_open_and_mark, args=(str(path), n)) for n in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 6
    cache = IndexCache(path)
    try:
        states = cache.outbox_states()
        assert all(states[f"key{n}"].account == f"acct{n}" for n in range(6))
    finally:
        cache.close()


def test_a_failed_transaction_changes_nothing(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path / "c.sqlite3")
    try:
        cache.outbox_record("x", "a", "down", "failed")
        with pytest.raises(RuntimeError), cache.transaction() as db:
            db.execute("DELETE FROM outbox")
            raise RuntimeError("interrupted")
        assert list(cache.outbox_states()) == ["x"]
    finally:
        cache.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    IndexCache(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(LocalStoreError, match="newer PyMailGUI"):
        IndexCache(path)


def test_a_version_1_cache_migrates_and_keeps_its_index(tmp_path: Path) -> None:
    from pymailgui.inbox.cache import _MIGRATIONS

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(_MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO account_state VALUES ('a', 'uidl', NULL)")
    db.execute(
        "INSERT INTO messages VALUES ('a', 'UID1', 3, 120, 'Ann <ann@example.com>', "
        "'me@example.com', '', 'Hello', NULL, '<m1@example.com>', 0, 'fp1', x'46726f6d')"
    )
    db.execute("INSERT INTO shown VALUES ('a', 1, 'UID1')")
    db.commit()
    db.close()
    cache = IndexCache(path)
    try:
        (row,) = cache.rows("a")
        assert (row.key, row.number, row.size, row.subject) == ("UID1", 3, 120, "Hello")
        assert (row.flags, row.new, row.received) == ("", False, None)
        assert cache.loaded("a") and cache.header("a", "UID1") == b"From"
        check = sqlite3.connect(path)
        tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master")}
        columns = {r[1] for r in check.execute("PRAGMA table_info(messages)")}
        check.close()
        assert "shown" not in tables and "outbox" in tables and "headers" in tables
        assert "header" not in columns  # the header blocks live in their own table now
    finally:
        cache.close()


def test_the_cache_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    import os

    old = os.umask(0o022)
    try:
        cache = IndexCache(tmp_path / "state" / "c.sqlite3")
        cache.close()
    finally:
        os.umask(old)
    assert (tmp_path / "state" / "c.sqlite3").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "state").stat().st_mode & 0o777 == 0o700


def test_new_caches_get_big_pages_and_old_ones_keep_theirs(tmp_path: Path) -> None:
    from pymailgui.inbox.cache import _MIGRATIONS, PAGE_SIZE

    def page_size(path: Path) -> int:
        check = sqlite3.connect(path)
        try:
            return int(check.execute("PRAGMA page_size").fetchone()[0])
        finally:
            check.close()

    IndexCache(tmp_path / "new.sqlite3").close()
    assert page_size(tmp_path / "new.sqlite3") == PAGE_SIZE
    old = tmp_path / "old.sqlite3"
    db = sqlite3.connect(old)  # a cache written before: SQLite's default 4 KB pages
    db.executescript(_MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    cache = IndexCache(old)
    try:
        assert cache.rows("a") == [] and page_size(old) == 4096
    finally:
        cache.close()
