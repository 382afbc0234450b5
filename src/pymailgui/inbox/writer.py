"""Writing a refresh into the index as rows arrive, in short batched transactions.

Rows are summarized while later TOP answers are still in flight and written every few
hundred rows, so memory stays flat however big the mailbox is, and a reader on another
thread never waits for more than one short transaction.

The transactions run on a thread of their own (:class:`Committer`), in order: SQLite
does its writing without the GIL, so on a second core it overlaps the summarizing
instead of following it. Whoever ends the writing waits for them (``finish``), and an
error in one comes back to that caller, so the thread changes when rows land, never
whether.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from pymailgui.inbox.cache import IndexCache
from pymailgui.inbox.identity import fingerprint
from pymailgui.message.summary import MessageRow

# A batch of rows holds their header blocks (3-6 KB each): 250 of them, one waiting
# while one is written, keep a 10,000-message load about 5 MB leaner than 500 and two.
BATCH_ROWS = 250
BATCH_SECONDS = 0.25
#: Batches waiting for the writer thread at most.
QUEUED_BATCHES = 1


def _fingerprinted(row: MessageRow, header: bytes) -> MessageRow:
    return row if row.fingerprint else row._replace(fingerprint=fingerprint(header, row.size))


class Committer:
    """Runs write jobs in order on one thread; :meth:`finish` waits for them all."""

    def __init__(self, cache: IndexCache) -> None:
        self.cache = cache
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(QUEUED_BATCHES)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def submit(self, job: Callable[[], None]) -> None:
        self._raise()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="index-writer", daemon=True)
            self._thread.start()
        self._jobs.put(job)

    def finish(self) -> None:
        """Wait until every job ran; the first error in one is raised here."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None
        self._raise()

    def _raise(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise error

    def _run(self) -> None:
        try:
            while (job := self._jobs.get()) is not None:
                if self._error is None:  # after a failure the rest is dropped, not written
                    try:
                        job()
                    except BaseException as exc:
                        self._error = exc
        finally:
            self.cache.close_thread()


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
        self._committer = Committer(cache)

    def add(self, row: MessageRow, header: bytes, body: bytes | None = None) -> None:
        """Buffer ``row`` with its header block; a row with no fingerprint yet gets it
        (from ``header`` and its size) on the writer thread, where hashing a header
        block runs beside the summarizing (hashlib lets go of the GIL for it)."""
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
        """Hand what is buffered to the writer thread (also once at the start, to record
        the mode)."""
        if self._started and not (self._rows or self._resized):
            return
        rows, bodies, resized = self._rows, self._bodies, self._resized
        self._rows, self._bodies, self._resized = [], [], []
        first = not self._started
        clear = not self._new_seen and any(r.new for r, _ in rows)
        self._started = True
        self._new_seen = self._new_seen or clear
        cache, account, mode = self.cache, self.account, self.mode

        def write() -> None:
            filled = [(_fingerprinted(row, head), head) for row, head in rows]
            with cache.transaction() as db:
                if first:
                    cache.set_mode(db, account, mode)
                if clear:
                    cache.clear_new(db, account)
                cache.put_rows(db, account, filled)
                for key, data in bodies:
                    cache.put_body(db, account, key, data)
                for key, size, header in resized:
                    cache.update_message(db, account, key, size, header)
                cache.drop_bodies(db, account, [key for key, _, _ in resized])

        self._committer.submit(write)
        self._last = time.monotonic()

    def finish(self) -> None:
        """Write what is buffered and wait until every batch is in the index."""
        try:
            self.flush()
        finally:
            self._committer.finish()


#: A download's bodies are committed once this many bytes (or BATCH_ROWS messages, or
#: BATCH_SECONDS) are waiting: one transaction per message cost more than the RETR.
BATCH_BYTES = 4 * 1024 * 1024


class BodyWriter:
    """Buffers verified message texts of one download and writes them in batches.

    The caller finishes it in a ``finally``: whatever ends the download (a cancel, a
    message that is not the one indexed), every text verified before it is kept.
    """

    def __init__(self, cache: IndexCache, account: str) -> None:
        self.cache = cache
        self.account = account
        self._bodies: list[tuple[str, bytes, tuple[int, bytes] | None]] = []
        self._bytes = 0
        self._last = time.monotonic()
        self._committer = Committer(cache)

    def add(self, key: str, data: bytes, changed: tuple[int, bytes] | None) -> None:
        """Keep ``data`` as ``key``'s text; ``changed`` is (size, header) when the server
        rewrote the message under the same id (RFC 1939 §7)."""
        self._bodies.append((key, data, changed))
        self._bytes += len(data)
        if (
            self._bytes >= BATCH_BYTES
            or len(self._bodies) >= BATCH_ROWS
            or time.monotonic() - self._last >= BATCH_SECONDS
        ):
            self.flush()

    def flush(self) -> None:
        bodies, self._bodies, self._bytes = self._bodies, [], 0
        self._last = time.monotonic()
        if not bodies:
            return
        cache, account = self.cache, self.account

        def write() -> None:
            with cache.transaction() as db:
                for key, data, changed in bodies:
                    cache.put_body(db, account, key, data)
                    if changed is not None:
                        cache.update_message(db, account, key, *changed)

        self._committer.submit(write)

    def finish(self) -> None:
        """Write what is buffered and wait until every text is in the cache."""
        try:
            self.flush()
        finally:
            self._committer.finish()
