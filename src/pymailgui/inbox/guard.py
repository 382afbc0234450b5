"""One server session per account at a time, covering the session and the index update.

POP3 numbers are only valid inside one session, and the index update that follows a
session (removing, renumbering) must not interleave with another session's: a refresh
and a delete on two threads could otherwise each drop what the other just learned.
The server's maildrop lock (RFC 1939 §8) covers other processes; this covers threads
of this one, with a non-blocking "busy?" answer for front ends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from pymailgui.errors import AccountBusy
from pymailgui.tasks import Phase, Task

_POLL = 0.05  # seconds between checks for a cancel while waiting for the account


class AccountGuard:
    """The lock of one account's server inbox, and what holds it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running: str | None = None

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    @contextmanager
    def hold(self, what: str, task: Task, *, wait: bool = True) -> Iterator[None]:
        """Hold the account for ``what``; queue behind the holder, or AccountBusy."""
        if not self._lock.acquire(blocking=False):
            running = self.running or "another task"
            if not wait:
                raise AccountBusy(
                    f"The account is busy ({running}); try again when that is done.", running
                )
            task.report(Phase.WAIT)
            while not self._lock.acquire(timeout=_POLL):
                task.check("nothing was done")
        self.running = what
        try:
            yield
        finally:
            self.running = None
            self._lock.release()


_guards: dict[tuple[str, str], AccountGuard] = {}
_guards_lock = threading.Lock()


def account_guard(store: str, account: str) -> AccountGuard:
    """The guard of ``account`` in the index ``store`` (one per process)."""
    with _guards_lock:
        return _guards.setdefault((store, account), AccountGuard())
