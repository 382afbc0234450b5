"""Rows built out of the cycle collector's reach, without keeping anything forever."""

from __future__ import annotations

import gc
import threading
import weakref

from pymailgui.gui import collector
from pymailgui.gui.collector import build_frozen, reclaim


class Node:
    """An object in a reference cycle: only the cycle collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_the_collector_is_off_during_a_build_and_as_before_after():
    seen: list[bool] = []
    assert gc.isenabled()
    assert build_frozen(lambda: seen.append(gc.isenabled()) or 7) == 7
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        build_frozen(lambda: None)
        assert not gc.isenabled()  # not turned on behind the back of whoever paused it
    finally:
        gc.enable()


def test_nested_and_concurrent_builds_turn_it_back_on_only_after_the_last():
    inside = threading.Event()
    release = threading.Event()

    def slow() -> None:
        inside.set()
        release.wait(10)

    worker = threading.Thread(target=lambda: build_frozen(slow))
    worker.start()
    assert inside.wait(10)
    build_frozen(lambda: build_frozen(lambda: None))
    assert not gc.isenabled()  # the other thread's build is still under way
    release.set()
    worker.join(10)
    assert gc.isenabled()


def test_what_was_frozen_and_died_in_a_cycle_is_freed_by_reclaim():
    # A window open during one Get Mail and closed after: gc.freeze alone would keep
    # it (and its message) for the life of the process.
    node = Node()
    ref = weakref.ref(node)
    build_frozen(lambda: None)
    del node
    gc.collect()
    assert ref() is not None  # frozen: a collection does not see it
    assert reclaim()
    assert ref() is None


def test_reclaim_waits_while_a_build_runs():
    assert build_frozen(reclaim) is False


def test_rows_built_stay_out_of_the_generations():
    rows = build_frozen(lambda: [(i, str(i)) for i in range(1000)])
    tracked = {id(o) for o in gc.get_objects()}
    assert id(rows) not in tracked
    assert gc.get_freeze_count() >= 1


def test_a_reclaim_is_due_once_enough_was_frozen_since_the_last(monkeypatch):
    monkeypatch.setattr(collector, "RECLAIM_AFTER", 500)
    reclaim()
    assert not collector.reclaim_due()
    kept = build_frozen(lambda: [[i] for i in range(1000)])  # lists: tracked objects
    assert collector.reclaim_due()
    reclaim()
    assert not collector.reclaim_due()
    assert len(kept) == 1000
