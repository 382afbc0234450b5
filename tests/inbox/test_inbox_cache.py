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
