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
    cache.set_shown(f"acct{n}", [f"uid{n}"])
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
        assert all(cache.shown(f"acct{n}") == {1: f"uid{n}"} for n in range(6))
    finally:
        cache.close()


def test_a_failed_transaction_changes_nothing(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path / "c.sqlite3")
    try:
        cache.set_shown("a", ["x", "y"])
        with pytest.raises(RuntimeError), cache.transaction() as db:
            cache.unshow(db, "a", ["x"])
            raise RuntimeError("interrupted")
        assert cache.shown("a") == {1: "x", 2: "y"}
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
