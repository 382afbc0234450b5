"""One open account in the desktop client: its mailbox, worker threads and list model.

Every window of the account (the inbox window, its view and compose windows) goes
through this object, so there is one list model per account, one queue of server
jobs, and one place that turns a refresh's report into "2 removed on the server, 3
new" and tells the open windows which messages are gone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from pymailgui.actions import SaveReport, SendOutcome
from pymailgui.config import Config
from pymailgui.errors import Cancelled, MailError, SyncError
from pymailgui.gui import pool
from pymailgui.gui.addressbook import AddressBook
from pymailgui.gui.collector import build_frozen
from pymailgui.gui.describe import describe_refresh, describe_resend
from pymailgui.gui.listmodel import MessageListModel
from pymailgui.gui.lookalike import KnownSenders
from pymailgui.gui.mailbox import Mailbox
from pymailgui.gui.rowset import RowSet
from pymailgui.gui.worker import Job, Worker
from pymailgui.inbox import DeleteReport, RefreshReport
from pymailgui.store import OUTBOX, SENT

OnData = Callable[[bytes], None]
OnError = Callable[[MailError], None]


def build_rows(mailbox: Mailbox, before: RowSet | None = None) -> RowSet:
    """The index as a RowSet (in a worker thread), out of the cycle collector's reach
    (:mod:`pymailgui.gui.collector`: collections walking 100,000 rows stalled the GUI),
    with where the rows of ``before`` (the list shown) went."""
    rowset = build_frozen(lambda: RowSet.build(mailbox.index()))
    return rowset if before is None else rowset.follow(before)


class AccountContext(QObject):
    #: The list was loaded or updated (a RefreshReport, or None for the cached index).
    list_updated = Signal(object)
    #: Keys no longer on the server (removed elsewhere, or deleted by us).
    removed = Signal(list)
    #: The core refused a request for safety: (SyncError, "fetch" | "delete" | "save").
    sync_refused = Signal(object, str)
    #: A sentence for the status line of the account's windows.
    status = Signal(str)
    #: Local folders whose messages changed (names; a folder window reloads them).
    folders_changed = Signal(list)
    #: Something was added to or left Outbox.
    outbox_changed = Signal()
    #: The periodic check found new mail: the new rows.
    new_mail = Signal(list)

    def __init__(self, mailbox: Mailbox, config: Config, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mailbox = mailbox
        self.config = config
        self.worker = Worker(mailbox.name, self)
        self.outgoing = Worker(f"{mailbox.name}-send", self)
        # Local folder work (move, import, export) never waits behind a POP session.
        self.local = Worker(f"{mailbox.name}-local", self)
        self.address_book = AddressBook(
            lambda: list(self.model.rowset.rows),
            mailbox.folders,
            mailbox.account.settings.own_addresses(),
            self,
        )
        self.list_updated.connect(lambda _r: self.address_book.forget())
        self.folders_changed.connect(
            lambda names: self.address_book.forget() if SENT in names else None
        )
        self.model = MessageListModel(self)
        self.loaded = False
        #: A Get Mail has completed in this session: an empty list is an empty inbox,
        #: not one never loaded.
        self.synced = False
        self._refresh: Job | None = None
        self._known: KnownSenders | None = None
        self.check_timer = QTimer(self)
        self.check_timer.timeout.connect(self._periodic_check)
        self._schedule()

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
            # The whole verb with the collector paused: the core reads the cached index
            # too (100,000 rows), and the collection that followed held the GIL for
            # 50-100 ms of GUI thread (measured).
            return build_frozen(
                lambda: (self.mailbox.refresh(task), build_rows(self.mailbox, self.model.rowset))
            )

        job = Job(
            "refresh", "Getting mail", run, on_done=self._refreshed, on_error=self._refresh_failed
        )
        self._refresh = job
        _chain(job, on_done, on_error)
        return self.worker.submit(job)

    @property
    def refreshing(self) -> bool:
        return self._refresh is not None

    def _refreshed(self, result: tuple[RefreshReport, RowSet]) -> None:
        report, rowset = result
        first = not self.loaded or len(self.model.rowset) == 0
        self._refresh = None
        self._apply(rowset)
        self.loaded = self.synced = True
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
        shown = self.model.rowset
        if rowset.moved_from(shown) is not None:
            gone = set(rowset.gone)
        else:
            gone = {k for k in shown.pos if k not in rowset.pos}
        self._known = None
        self.model.set_rowset(rowset)
        if gone:
            self.removed.emit(sorted(gone))
        return gone

    @property
    def check_minutes(self) -> int:
        """The account's own interval, else the [gui] one (0: only when asked)."""
        return self.mailbox.account.settings.check_minutes or self.config.gui.check_minutes

    def _schedule(self) -> None:
        minutes = self.check_minutes
        if minutes > 0:
            self.check_timer.start(minutes * 60_000)
        else:
            self.check_timer.stop()

    def reconfigure(self, config: Config) -> None:
        """The account's settings were edited (same name): use them from now on."""
        self.config = config
        self.mailbox.reconfigure(config)
        self._schedule()

    def _periodic_check(self) -> None:
        """Get mail; say what is new; send again what failed in Outbox (the server may be
        back). Nothing is done while the account is busy: the next check will."""
        if self.worker.busy:
            return

        def checked(report: RefreshReport) -> None:
            added = set(report.added)
            if added:
                rows = [r for r in self.model.rowset.rows if r.key in added]
                self.new_mail.emit(rows)
            self._resend_failed()

        self.refresh(on_done=checked)

    def _resend_failed(self) -> None:
        if self.outgoing.busy:
            return
        outbox = self.mailbox.outbox

        def resend(waiting: bool) -> None:
            if waiting:
                self.resend(None, automatic=True)

        pool.run(lambda: any(e.state == "failed" for e in outbox()), resend)

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
            def verb() -> tuple[DeleteReport, RowSet]:
                report = self.mailbox.delete(keys, task)
                return report, build_rows(self.mailbox, self.model.rowset)

            return build_frozen(verb)  # as for a refresh: the core reads the index too

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

    # -- outgoing mail ------------------------------------------------------------------
    def resend(
        self,
        keys: Sequence[str] | None,
        *,
        on_done: Callable[[str], None] | None = None,
        automatic: bool = False,
    ) -> Job:
        """Send Outbox messages again (``keys``, or all but the uncertain ones)."""
        label = "Sending Outbox again" if keys is None else f"Sending {len(keys)} again"

        def done(outcomes: list[SendOutcome]) -> None:
            self.outbox_changed.emit()
            self.folders_changed.emit([SENT, OUTBOX])
            text = describe_resend(outcomes)
            if outcomes or not automatic:
                self.status.emit(text)
            if on_done is not None:
                on_done(text)

        def failed(error: MailError) -> None:
            self.outbox_changed.emit()
            text = f"Outbox was not sent: {error}"
            if not automatic:
                self.status.emit(text)
            if on_done is not None:
                on_done(text)

        return self.outgoing.submit(
            Job(
                "resend",
                label,
                lambda task: self.mailbox.resend_outbox(keys, task),
                on_done=done,
                on_error=failed,
            )
        )

    def completions(self, on_ready: Callable[[list[str]], None]) -> None:
        """Addresses seen in the index and in Sent, most frequent first."""
        self.address_book.request(on_ready)

    def save(
        self,
        keys: Sequence[str],
        folder: str,
        *,
        delete: bool,
        label: str,
        on_done: Callable[[SaveReport], None],
        on_error: OnError,
    ) -> Job:
        """Copy server messages into a local folder, then (``delete``) remove from the
        server exactly those the core confirmed stored."""

        def run(task: Any) -> tuple[SaveReport, RowSet | None]:
            report = self.mailbox.save_to_folder(keys, folder, task, delete=delete)
            return report, build_rows(self.mailbox, self.model.rowset) if delete else None

        def done(result: tuple[SaveReport, RowSet | None]) -> None:
            report, rowset = result
            self.folders_changed.emit([folder])
            if rowset is not None:
                self._apply(rowset)
                self.list_updated.emit(None)
            on_done(report)

        def failed(error: MailError) -> None:
            self.folders_changed.emit([folder])  # some may have been stored
            if isinstance(error, SyncError):
                self.sync_refused.emit(error, "save")
            on_error(error)

        return self.worker.submit(
            Job("save", label, run, on_done=done, on_error=failed, keys=tuple(keys))
        )

    def mark_seen(self, key: str) -> None:
        self.mailbox.mark_seen([key])
        self.model.mark_seen(key)

    def close(self) -> None:
        self.check_timer.stop()
        for worker in (self.worker, self.outgoing, self.local):
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
