"""Writing a refresh into the index as rows arrive, in short batched transactions.

Rows are summarized while later TOP answers are still in flight and written every few
hundred rows, so memory stays flat however big the mailbox is, and a reader on another
thread never waits for more than one short transaction.
"""

from __future__ import annotations

import time

from pymailgui.inbox.cache import IndexCache
from pymailgui.message.summary import MessageRow

BATCH_ROWS = 500
BATCH_SECONDS = 0.25


class RowWriter:
    """Buffers a refresh's rows and writes them in batches."""

    def __init__(self, cache: IndexCache, account: str, mode: str) -> None:
        self.cache = cache
        self.account = account
        self.mode = mode
        self._rows: list[tuple[MessageRow, bytes]] = []
        self._bodies: list[tuple[str, bytes]] = []
        self._resized: list[tuple[str, int, bytes]] = []
        self._started = False
        self._new_seen = False  # a new row was written: older "new" marks are cleared
        self._last = time.monotonic()

    def add(self, row: MessageRow, header: bytes, body: bytes | None = None) -> None:
        self._rows.append((row, header))
        if body is not None:
            self._bodies.append((row.key, body))
        self._maybe_flush()

    def resized(self, key: str, size: int, header: bytes) -> None:
        """A known id whose message the server rewrote: new size, stale cached text."""
        self._resized.append((key, size, header))
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        pending = len(self._rows) + len(self._resized)
        if pending >= BATCH_ROWS or time.monotonic() - self._last >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write what is buffered (also once at the start, to record the mode)."""
        if self._started and not (self._rows or self._resized):
            return
        rows, bodies, resized = self._rows, self._bodies, self._resized
        self._rows, self._bodies, self._resized = [], [], []
        with self.cache.transaction() as db:
            if not self._started:
                self.cache.set_mode(db, self.account, self.mode)
                self._started = True
            if not self._new_seen and any(r.new for r, _ in rows):
                self.cache.clear_new(db, self.account)
                self._new_seen = True
            self.cache.put_rows(db, self.account, rows)
            for key, data in bodies:
                self.cache.put_body(db, self.account, key, data)
            for key, size, header in resized:
                self.cache.update_message(db, self.account, key, size, header)
            self.cache.drop_bodies(db, self.account, [key for key, _, _ in resized])
        self._last = time.monotonic()
