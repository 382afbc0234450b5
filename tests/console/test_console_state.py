"""The console's own state file: numbers per view, a schema version."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pymailgui.console.state import SCHEMA_VERSION, ConsoleState, folder_view, server_view
from pymailgui.errors import LocalStoreError


@pytest.fixture
def state(tmp_path: Path) -> Iterator[ConsoleState]:
    s = ConsoleState(tmp_path / "sub" / "console.sqlite3")
    yield s
    s.close()


def test_numbers_are_per_view_and_survive_reopening(state: ConsoleState) -> None:
    assert not state.listed(server_view("a"))
    state.remember(server_view("a"), ["k1", "k2", "k3"])
    state.remember(folder_view("Work"), ["m1"])
    state.close()
    again = ConsoleState(state.path)
    assert again.listed(server_view("a")) and not again.listed(server_view("b"))
    assert [again.key(server_view("a"), n) for n in (1, 2, 3, 4)] == ["k1", "k2", "k3", None]
    assert again.key(folder_view("WORK"), 1) == "m1"  # folder names ignore case
    assert again.numbers(server_view("a")) == {"k1": 1, "k2": 2, "k3": 3}
    again.close()


def test_a_new_list_replaces_the_old_and_forgotten_keys_name_nothing(
    state: ConsoleState,
) -> None:
    view = server_view("a")
    state.remember(view, ["k1", "k2", "k3"])
    state.forget(view, ["k2"])
    assert [state.key(view, n) for n in (1, 2, 3)] == ["k1", None, "k3"]
    state.remember(view, ["k3"])
    assert [state.key(view, n) for n in (1, 2, 3)] == ["k3", None, None]
    state.drop(view)
    assert not state.listed(view)


def test_schema_is_versioned_and_a_newer_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "console.sqlite3"
    ConsoleState(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(LocalStoreError, match="newer PyMailGUI"):
        ConsoleState(path)


def test_an_unusable_file_is_a_local_store_error(tmp_path: Path) -> None:
    path = tmp_path / "console.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LocalStoreError, match=str(path)):
        ConsoleState(path)


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "console.sqlite3"
    errors: list[BaseException] = []

    def write(view: str) -> None:
        try:
            s = ConsoleState(path)
            for i in range(50):
                s.remember(view, [f"{view}-{i}-{n}" for n in range(20)])
            s.close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f"server:{n}",)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    s = ConsoleState(path)
    assert [s.key(f"server:{n}", 20) for n in range(3)] == [f"server:{n}-49-19" for n in range(3)]
    s.close()
