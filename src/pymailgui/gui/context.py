"""One open account in the desktop client: its mailbox, worker threads and list model.

Every window of the account (the inbox window, its view and compose windows) goes
through this object, so there is one list model per account, one queue of server
jobs, and one place that turns a refresh's report into "2 removed on the server, 3
new" and tells the open windows which messages are gone.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from pymailgui.config import Config
from pymailgui.errors import Cancelled, MailError, SyncError
from pymailgui.gui import pool
from pymailgui.gui.listmodel import MessageListModel
from pymailgui.gui.lookalike import KnownSenders
from pymailgui.gui.mailbox import Mailbox
from pymailgui.gui.rowset import RowSet
from pymailgui.gui.worker import Job, Worker
from pymailgui.inbox import DeleteReport, RefreshReport

OnData = Callable[[bytes], None]
OnError = Callable[[MailError], None]


def build_rows(mailbox: Mailbox) -> RowSet:
    """The index as a RowSet (in a worker thread).

    The rows live as long as the list shows them: frozen out of the cycle collector's
    reach, so its full collections no longer walk 100,000 rows holding the GIL (~40 ms
    each, measured) while the GUI thread waits.
    """
    rowset = RowSet.build(mailbox.index())
    gc.freeze()
    return rowset


def describe_refresh(report: RefreshReport, *, first: bool = False) -> str:
    """What a refresh found, for the status bar (``first``: the list was empty before)."""
    total = f"{report.total:,} message{'s' if report.total != 1 else ''} on the server"
    if first and not report.removed:
        return f"{total}."
    changes = []
    if report.removed:
        n = len(report.removed)
        changes.append(
            f"{n} message{'s were' if n != 1 else ' was'} removed on the server by another program"
        )
    if report.added:
        n = len(report.added)
        changes.append(f"{n} new message{'s' if n != 1 else ''}")
    return f"{total}; {', '.join(changes)}." if changes else f"{total}; nothing changed."


class AccountContext(QObject):
    #: The list was loaded or updated (a RefreshReport, or None for the cached index).
    list_updated = Signal(object)
    #: Keys no longer on the server (removed elsewhere, or deleted by us).
    removed = Signal(list)
    #: The core refused a request for safety: (SyncError, "fetch" | "delete" | "save").
    sync_refused = Signal(object, str)
    #: A sentence for the status line of the account's windows.
    status = Signal(str)

    def __init__(self, mailbox: Mailbox, config: Config, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mailbox = mailbox
        self.config = config
        self.worker = Worker(mailbox.name, self)
        self.outgoing = Worker(f"{mailbox.name}-send", self)
        self.model = MessageListModel(self)
        self.loaded = False
        self._refresh: Job | None = None
        self._known: KnownSenders | None = None
        self.check_timer = QTimer(self)
        self.check_timer.timeout.connect(self._periodic_check)
        minutes = config.gui.check_minutes
        if minutes > 0:
            self.check_timer.start(minutes * 60_000)

    @property
    def name(self) -> str:
        return self.mailbox.name

    # -- the list -----------------------------------------------------------------------
    def load_cached(self) -> None:
        """Show the cached index (no connection): built in the pool, shown when ready."""
        pool.run(lambda: build_rows(self.mailbox), self._cached_loaded)

    def _cached_loaded(self, rowset: RowSet) -> None:
        self._known = None
        self.model.set_rowset(rowset)
        self.loaded = True
        self.list_updated.emit(None)

    def known_senders(self) -> KnownSenders:
        if self._known is None:
            self._known = KnownSenders(r.from_ for r in self.model.rowset.rows)
        return self._known

    def refresh(
        self,
        *,
        on_done: Callable[[RefreshReport], None] | None = None,
        on_error: OnError | None = None,
    ) -> Job:
        """Get mail; a refresh already waiting or running is reused, not queued twice."""
        if self._refresh is not None:
            job = self._refresh
            _chain(job, on_done, on_error)
            return job

        def run(task: Any) -> tuple[RefreshReport, RowSet]:
            report = self.mailbox.refresh(task)
            return report, build_rows(self.mailbox)

        job = Job(
            "refresh", "Getting mail", run, on_done=self._refreshed, on_error=self._refresh_failed
        )
        self._refresh = job
        _chain(job, on_done, on_error)
        return self.worker.submit(job)

    def _refreshed(self, result: tuple[RefreshReport, RowSet]) -> None:
        report, rowset = result
        first = not self.loaded or len(self.model.rowset) == 0
        self._refresh = None
        self._apply(rowset)
        self.loaded = True
        self.list_updated.emit(report)
        self.status.emit(describe_refresh(report, first=first))

    def _refresh_failed(self, error: MailError) -> None:
        self._refresh = None
        if isinstance(error, Cancelled):
            self.status.emit(str(error))
        else:
            self.status.emit(f"The list was not updated: {error}")

    def _apply(self, rowset: RowSet) -> set[str]:
        """Show a new index; returns (and announces) the keys no longer on the server.

        Computed from the index itself rather than from the verb's report: a delete
        also drops rows the server stopped listing (removed by another program), and a
        view window of any of them must learn that its message is gone.
        """
        old = self.model.rowset.pos
        gone = set(old).difference(rowset.pos) if old else set()
        self._known = None
        self.model.set_rowset(rowset)
        if gone:
            self.removed.emit(sorted(gone))
        return gone

    def _periodic_check(self) -> None:
        if not self.worker.busy:
            self.refresh()

    # -- messages -----------------------------------------------------------------------
    def fetch(self, key: str, on_data: OnData, on_error: OnError) -> Job | None:
        """The message's bytes: at once from the cache, else downloaded as a job."""
        cached = self.mailbox.cached(key)
        if cached is not None:
            on_data(cached)
            return None
        row = self.model.get(key)
        label = (
            f"Downloading “{row.subject}”"
            if row is not None and row.subject
            else "Downloading a message"
        )

        def failed(error: MailError) -> None:
            if isinstance(error, SyncError):
                self.sync_refused.emit(error, "fetch")
            on_error(error)

        job = Job(
            "fetch",
            label,
            lambda task: self.mailbox.fetch(key, task),
            on_done=on_data,
            on_error=failed,
            keys=(key,),
        )
        return self.worker.submit(job)

    def delete(
        self, keys: Sequence[str], on_done: Callable[[DeleteReport], None], on_error: OnError
    ) -> Job:
        n = len(keys)
        label = f"Deleting {n} message{'s' if n != 1 else ''}"

        def run(task: Any) -> tuple[DeleteReport, RowSet]:
            report = self.mailbox.delete(keys, task)
            return report, build_rows(self.mailbox)

        def done(result: tuple[DeleteReport, RowSet]) -> None:
            report, rowset = result
            vanished = self._apply(rowset) - set(report.deleted)
            self.list_updated.emit(None)
            if vanished:
                n = len(vanished)
                self.status.emit(
                    f"{report} {n} other message{'s' if n != 1 else ''} had been removed on the "
                    "server by another program."
                )
            else:
                self.status.emit(str(report))
            on_done(report)

        def failed(error: MailError) -> None:
            if isinstance(error, SyncError):
                self.sync_refused.emit(error, "delete")
            on_error(error)

        return self.worker.submit(
            Job("delete", label, run, on_done=done, on_error=failed, keys=tuple(keys))
        )

    def mark_seen(self, key: str) -> None:
        self.mailbox.mark_seen([key])
        self.model.mark_seen(key)

    def close(self) -> None:
        self.check_timer.stop()
        for worker in (self.worker, self.outgoing):
            worker.cancel_all()
            worker.stop()
        pool.wait_all()
        self.mailbox.close()


def _chain(job: Job, on_done: Callable[[Any], None] | None, on_error: OnError | None) -> None:
    """Add callers' callbacks to a job (after the context's own)."""
    first_done, first_error = job.on_done, job.on_error

    def done(result: Any) -> None:
        if first_done is not None:
            first_done(result)
        if on_done is not None:
            on_done(result[0] if isinstance(result, tuple) else result)

    def failed(error: MailError) -> None:
        if first_error is not None:
            first_error(error)
        if on_error is not None:
            on_error(error)

    job.on_done, job.on_error = done, failed
