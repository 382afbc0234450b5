"""Building a long-lived list of 100,000 rows without stalling the GUI thread.

The cyclic garbage collector runs inside whichever thread allocates, holding the GIL,
and a collection walks every object of the generations it collects. Two ways a bulk
load made the GUI thread wait (measured with a 10 ms heartbeat and
``faulthandler.dump_traceback_later`` armed by each beat, during a 100,000-message Get
Mail):

- the index cache reads its rows with the collector paused and turns it back on when
  done; the first allocation after that found ~500,000 objects in the youngest
  generation and collected them all: 70-75 ms in one piece, every time;
- rows kept alive as the list are walked again by every later full collection
  (~40 ms each at 100,000 rows): a row is a ``NamedTuple``, and CPython only ever
  untracks exact tuples, never a subclass.

So the rows are built (the whole Get Mail, which reads the index too) with the
collector off and moved to the permanent generation
(``gc.freeze``) before it is turned back on: no collection ever walks them. They are
plain data without reference cycles, so reference counting frees them when the list
lets them go. Freezing also moves every other object alive at that moment, and one of
those that later dies in a reference cycle (a view window closed) is not collected
until :func:`reclaim`, which the desktop calls when windows close.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_depth = [0, False]  # builds under way, whether the collector was on before the first
#: Objects frozen after the first build or the last reclaim (None: no build yet).
_baseline: list[int | None] = [None]
#: Frozen objects more than that baseline before :func:`reclaim_due` says so: what a
#: Get Mail freezes besides the rows it replaces is ~100 objects (measured), so an inbox
#: left open for days pays one 60 ms collection in ~200 checks (or 20,000 new mails).
RECLAIM_AFTER = 20_000


@contextmanager
def _paused() -> Iterator[None]:
    with _lock:
        if _depth[0] == 0:
            _depth[1] = gc.isenabled()
            gc.disable()
        _depth[0] += 1
    try:
        yield
    finally:
        with _lock:
            _depth[0] -= 1
            if _depth[0] == 0:
                # Before the collector is back: what was allocated meanwhile is never
                # collected in one piece (the generations' counts start again at 0).
                gc.freeze()
                if _baseline[0] is None:
                    _baseline[0] = gc.get_freeze_count()
                if _depth[1]:
                    gc.enable()


def reclaim() -> bool:
    """Free what was frozen and has died since in a reference cycle (a window open
    during a Get Mail, closed since): only a collection back in the generations sees
    it. One full collection (60 ms at 100,000 rows, measured), so it is asked for when
    a window closes, not during a Get Mail; False (nothing done) while a build runs.
    """
    with _lock:
        if _depth[0]:
            return False
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _baseline[0] = gc.get_freeze_count()
        return True


def reclaim_due() -> bool:
    """Enough was frozen since the last :func:`reclaim` to be worth one."""
    baseline = _baseline[0]
    return baseline is not None and gc.get_freeze_count() - baseline > RECLAIM_AFTER


def build_frozen(build: Callable[[], T]) -> T:
    """``build()`` with the collector paused, its objects frozen out of its reach.

    Nests and may run in several threads at once: the collector comes back on when the
    last build ends, as it was before the first.
    """
    with _paused():
        return build()
