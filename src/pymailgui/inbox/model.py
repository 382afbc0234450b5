"""The inbox model: refresh, fetch and safe delete over the persistent index.

Every operation is one POP3 session, held under the account's guard together with the
index update that follows it. Inside the session, each message the user picked is
mapped from its identity (UIDL, or fingerprint without a usable one) to its current
number and verified right before RETR or DELE; deletions count as done only once QUIT
is acknowledged (RFC 1939 §6), and only then is the index updated, in place.

Every verb takes a :class:`~pymailgui.tasks.Task`: progress per message, notices for
the user, and a cancel that ends the session without QUIT (nothing is deleted).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from pymailgui.errors import (
    ConnectionFailed,
    MailError,
    MessageError,
    ProtocolError,
    SyncError,
    UsageError,
)
from pymailgui.inbox.cache import IndexCache
from pymailgui.inbox.guard import account_guard
from pymailgui.inbox.identity import FP_PREFIX, Listing, is_fingerprint_key
from pymailgui.inbox.refresh import UNDONE_REFRESH, Refresh
from pymailgui.inbox.reports import DeleteReport, RefreshReport, megabytes, plural
from pymailgui.inbox.session import Connector, PopSession, read_listing
from pymailgui.inbox.verify import Locator, label, same_message
from pymailgui.inbox.writer import BodyWriter
from pymailgui.message.read import has_attachments
from pymailgui.message.summary import MessageRow, header_block
from pymailgui.tasks import Level, Phase, Task, ensure

log = logging.getLogger(__name__)

#: Largest message whose parts are parsed to learn exactly whether it has attachments.
PRECISE_ATTACHMENT_LIMIT = 4 * 1024 * 1024

UNDONE_FETCH = "the download was not finished"
UNDONE_DELETE = "nothing was deleted"


class Inbox:
    """The server inbox of one account."""

    def __init__(
        self,
        account: str,
        cache: IndexCache,
        connect: Connector,
        *,
        max_message_bytes: int | None = None,
    ) -> None:
        self.account = account
        self.cache = cache
        self._connect = connect
        #: Messages the server lists as larger are not downloaded (the client's cap).
        self.max_message_bytes = max_message_bytes
        self._guard = account_guard(str(cache.path), account)

    # -- what the user sees (no network) ---------------------------------------------
    def rows(self) -> list[MessageRow]:
        """The index as last known, in server order."""
        return self.cache.rows(self.account)

    def row(self, key: str) -> MessageRow:
        found = self.cache.row(self.account, key)
        if found is None:
            raise UsageError(
                "That message is not in the index any more (it was deleted or the list "
                "was refreshed since); refresh the list."
            )
        return found

    @property
    def loaded(self) -> bool:
        """Whether this account's index was ever loaded from the server."""
        return self.cache.loaded(self.account)

    @property
    def busy(self) -> bool:
        """A server task of this account is running (another would wait for it)."""
        return self._guard.busy

    @property
    def running(self) -> str | None:
        return self._guard.running

    def cached(self, key: str) -> bytes | None:
        """The message's full text if it was downloaded before (no network), else None.

        None also for a look-alike on a server without usable ids: its label may have
        moved to its twin since, so only a verified download may show it.
        """
        row = self.cache.row(self.account, key)
        if row is None or self._has_lookalikes(row):
            return None
        return self.cache.body(self.account, key)

    def mark_seen(self, keys: Sequence[str], seen: bool = True) -> None:
        self.cache.set_flag(self.account, keys, "S", seen)

    # -- refresh -----------------------------------------------------------------------
    def refresh(self, task: Task | None = None, *, wait: bool = True) -> RefreshReport:
        """Bring the index up to date in one session; headers only for new messages."""
        task = ensure(task, "refresh")
        with self._guard.hold("refresh", task, wait=wait):
            with self._session(task, UNDONE_REFRESH) as client:
                run = Refresh(self.cache, self.account, client, task)
                run.load()
                _quit_quietly(client)
            return run.finish()

    # -- fetch -------------------------------------------------------------------------
    def fetch(
        self, key: str, task: Task | None = None, *, use_cache: bool = True, wait: bool = True
    ) -> bytes:
        """The full text of the message ``key``, verified to be that message."""
        return self.fetch_many([key], task, use_cache=use_cache, wait=wait)[key]

    def fetch_many(
        self,
        keys: Sequence[str],
        task: Task | None = None,
        *,
        use_cache: bool = True,
        wait: bool = True,
    ) -> dict[str, bytes]:
        """Full texts of several messages: cached ones at once, the rest in one session.

        Each is located and verified; the RETRs are pipelined. If any message can't be
        identified for sure, SyncError is raised and nothing is returned.
        """
        task = ensure(task, "fetch")
        rows = [self.row(key) for key in dict.fromkeys(keys)]
        result: dict[str, bytes] = {}
        todo: list[MessageRow] = []
        for row in rows:
            cached = self.cache.body(self.account, row.key) if use_cache else None
            # A look-alike's label ("fp:X" or "fp:X#2") may move to its twin: no cache then.
            if cached is not None and not self._has_lookalikes(row):
                result[row.key] = cached
            else:
                todo.append(row)
        for row in todo:
            if self._too_big(row):
                raise MessageError(
                    f"The message {label(row)} is {megabytes(row.size)}, more than the "
                    f"{megabytes(self.max_message_bytes or 0)} PyMailGUI downloads; raise "
                    "max_message_bytes in the [general] settings to read it. Nothing was "
                    "downloaded."
                )
        if todo:
            with self._guard.hold("download", task, wait=wait):
                result.update(self._retrieve(todo, task, keep=True))
        return {r.key: result[r.key] for r in rows}

    def fetch_all(self, task: Task | None = None, *, wait: bool = True) -> int:
        """Download every indexed message not yet cached, for offline reading.

        Pipelined RETR, each message written to the cache as it arrives (never all in
        memory). Returns how many were downloaded.
        """
        task = ensure(task, "download all")
        with self._guard.hold("download", task, wait=wait):
            cached = self.cache.body_keys(self.account)
            todo = [r for r in self.rows() if r.key not in cached and not self._has_lookalikes(r)]
            big = [r for r in todo if self._too_big(r)]
            if big:
                task.notify(
                    f"{plural(len(big), 'message')} larger than "
                    f"{megabytes(self.max_message_bytes or 0)} (max_message_bytes) "
                    f"{'were' if len(big) > 1 else 'was'} not downloaded.",
                    Level.WARNING,
                    kind="too-big",
                )
                todo = [r for r in todo if not self._too_big(r)]
            if not todo:
                return 0
            return len(self._retrieve(todo, task, keep=False))

    def _too_big(self, row: MessageRow) -> bool:
        # Caught before the download: the transport's cap would stop it only after
        # reading that much, with a sentence that names no setting.
        return self.max_message_bytes is not None and row.size > self.max_message_bytes

    def _has_lookalikes(self, row: MessageRow) -> bool:
        return is_fingerprint_key(row.key) and (
            self.cache.fingerprint_count(self.account, row.fingerprint) > 1
        )

    def _retrieve(self, rows: list[MessageRow], task: Task, *, keep: bool) -> dict[str, bytes]:
        """RETR ``rows`` in one session (the caller holds the guard), each written to the
        cache as it arrives. With ``keep`` the texts are returned, else empty values."""
        found: dict[str, bytes] = {}
        with self._session(task, UNDONE_FETCH) as client:
            nums, sizes = self._locate_all(client, rows, task)
            total, moved = len(nums), 0
            task.report(Phase.RETRIEVE, 0, total)
            writer = BodyWriter(self.cache, self.account)
            try:
                for done, (num, data) in enumerate(client.retr_many(sorted(nums)), start=1):
                    # Answers already buffered would still arrive after a cancel: stop here.
                    task.check(UNDONE_FETCH)
                    row = nums[num]
                    if data is None:
                        raise SyncError(
                            f"The message {label(row)} was deleted on the server while it "
                            "was being downloaded.",
                            keys=(row.key,),
                            gone=True,
                        )
                    listed = sizes.get(num, row.size)
                    writer.add(row.key, data, self._verified(row, listed, data))
                    if len(data) < listed:
                        task.notify(
                            f"The message {label(row)} arrived shorter than the server said "
                            f"({len(data):,} of {listed:,} bytes); the server may have cut "
                            "it at a line holding a lone dot, so it is not deleted from the "
                            "server when saved.",
                            Level.WARNING,
                            kind="short-message",
                        )
                    moved += len(data)
                    task.report(Phase.RETRIEVE, done, total, moved)
                    found[row.key] = data if keep else b""
                    if keep:
                        self._learn_attachments(row, data)
            finally:
                writer.finish()  # every text verified so far is kept
            _quit_quietly(client)
        return found

    def _verified(self, row: MessageRow, size: int, data: bytes) -> tuple[int, bytes] | None:
        """Check ``data`` is ``row``'s message (SyncError if not); for a message the
        server rewrote under the same id (RFC 1939 §7), its new size and headers."""
        indexed = self.cache.header(self.account, row.key) or b""
        if not same_message(row, indexed, data):
            raise SyncError(
                f"The message on the server is not the one you picked ({label(row)}); "
                "nothing is shown.",
                keys=(row.key,),
            )
        header = header_block(data)
        if header != indexed or size != row.size:
            return size, header
        return None

    def _locate_all(
        self, client: PopSession, rows: list[MessageRow], task: Task
    ) -> tuple[dict[int, MessageRow], dict[int, int]]:
        """Current number -> row for each row, verified (SyncError if any can't be),
        and the sizes the server lists now."""
        if len(rows) == 1 and not is_fingerprint_key(rows[0].key) and rows[0].number > 0:
            row = rows[0]
            # Fast path: the number from the last refresh often still holds.
            uid, size = client.identify(row.number)
            if uid == row.key and size is not None:
                return {row.number: row}, {row.number: size}
        listing = read_listing(client, task, fingerprint_sizes=[r.size for r in rows])
        locator = Locator(listing, self._index_for(listing))
        return {locator.number(row): row for row in rows}, listing.sizes

    def _index_for(self, listing: Listing) -> list[MessageRow]:
        """The index rows the fingerprint rules need (none when every id is usable)."""
        return self.rows() if listing.fingerprints or not listing.by_uidl else []

    def _learn_attachments(self, row: MessageRow, data: bytes) -> None:
        """Replace the header-only attachment guess by the parts, for mail of a sane size.

        Parsing a 20 MB message would cost several times its size in memory just for a
        flag; such messages keep the guess (multipart/mixed means attachments).
        """
        if len(data) > PRECISE_ATTACHMENT_LIMIT:
            return
        exact = has_attachments(data)
        if exact != row.has_attachments:
            self.cache.set_has_attachments(self.account, row.key, exact)

    # -- delete ------------------------------------------------------------------------
    def delete(
        self, keys: Sequence[str], task: Task | None = None, *, wait: bool = True
    ) -> DeleteReport:
        """Delete exactly the messages ``keys`` from the server, in one session.

        Every message is located and verified first; if any can't be identified for
        sure, nothing is deleted. Only an acknowledged QUIT commits; otherwise the index
        stays as it was and the error says nothing was deleted.
        """
        task = ensure(task, "delete")
        rows = [self.row(key) for key in dict.fromkeys(keys)]
        if not rows:
            return DeleteReport(deleted=[])
        with self._guard.hold("delete", task, wait=wait):
            try:
                with self._session(task, UNDONE_DELETE) as client:
                    listing, targets, gone = self._delete_targets(client, rows, task)
                    if targets:
                        self._dele(client, targets, task)
                        _commit(client, task)
                    else:
                        _quit_quietly(client)
            except (ConnectionFailed, ProtocolError) as exc:
                if exc.nothing_committed is not None:
                    raise
                raise exc.with_note("Nothing was deleted.", nothing_committed=True) from exc
            deleted = list(targets.values())
            vanished = self._apply_delete(listing, targets, gone)
        if task.cancelled:
            task.notify(
                "It was too late to cancel: the server had already been told to delete.",
                kind="cancel-too-late",
            )
        return DeleteReport(
            deleted=deleted, already_gone=gone, vanished=vanished, notices=list(task.notices)
        )

    def _delete_targets(
        self, client: PopSession, rows: list[MessageRow], task: Task
    ) -> tuple[Listing, dict[int, str], list[str]]:
        listing = read_listing(client, task, fingerprint_sizes=[r.size for r in rows])
        locator = Locator(listing, self._index_for(listing))
        targets: dict[int, str] = {}
        gone: list[str] = []
        for row in rows:
            try:
                targets[locator.number(row)] = row.key
            except SyncError:
                if locator.present(row):
                    raise  # present but not provably ours: refuse everything
                gone.append(row.key)
        return listing, targets, gone

    def _dele(self, client: PopSession, targets: dict[int, str], task: Task) -> None:
        task.check(UNDONE_DELETE)
        task.report(Phase.DELETE, 0, len(targets))
        answers = client.dele_many(sorted(targets))
        task.report(Phase.DELETE, len(answers), len(targets))
        refused = [n for n, ok in answers.items() if not ok]
        if refused or len(answers) != len(targets):
            raise SyncError(
                f"The server refused to delete message {refused[0] if refused else '?'}; "
                "nothing was deleted."
            )
        task.check(UNDONE_DELETE)  # the last moment a cancel can still keep everything

    def _apply_delete(
        self, listing: Listing, targets: dict[int, str], gone: list[str]
    ) -> list[str]:
        """Update the index in place after a committed delete: no reload.

        Rows with a usable id are matched exactly: the ones the server no longer lists
        are dropped and the rest renumbered. Fingerprint rows keep their labels until
        the next refresh (the session's labels of look-alikes follow server order and
        need not match the index's), so only the unique ones are renumbered. Returns
        the other rows dropped because the server no longer lists them.
        """
        after = [n for n in sorted(listing.sizes) if n not in targets]
        counts = Counter(listing.fingerprints[n] for n in after if n in listing.fingerprints)
        renumbered: dict[str, int] = {}
        for position, num in enumerate(after, start=1):
            uid = listing.uid(num)
            if uid is not None:
                renumbered[uid] = position
            elif num in listing.fingerprints and counts[listing.fingerprints[num]] == 1:
                renumbered[f"{FP_PREFIX}{listing.fingerprints[num]}"] = position
        vanished: list[str] = []
        if listing.by_uidl and not listing.problems:
            # Every id is usable: an id-keyed row the server no longer lists is gone.
            ids = set((listing.uids or {}).values())
            rows = self.rows()
            vanished = [r.key for r in rows if not is_fingerprint_key(r.key) and r.key not in ids]
        with self.cache.transaction() as db:
            self.cache.drop(db, self.account, [*targets.values(), *gone, *vanished])
            self.cache.renumber(db, self.account, renumbered)
        return vanished

    # -- sessions ----------------------------------------------------------------------
    @contextmanager
    def _session(self, task: Task, undone: str) -> Iterator[PopSession]:
        """A logged-in session that a cancel interrupts; any failure ends it without
        QUIT (nothing is committed)."""
        client = self._connect(task)
        try:
            with task.interruptible(client.interrupt), task.stops(undone):
                yield client
        except BaseException:
            client.abort()
            raise


def _commit(client: PopSession, task: Task) -> None:
    """QUIT after DELE: only a +OK means the server removed the messages (RFC 1939 §6).

    Shielded: a cancel that arrives now waits for the answer, so the user is never
    left not knowing whether the messages were deleted.
    """
    with task.shielded():
        task.report(Phase.COMMIT)
        try:
            client.quit()
        except ConnectionFailed as exc:
            raise ConnectionFailed(
                f"The connection broke before the server confirmed the deletion ({exc}); "
                "nothing was deleted unless the server finished just before the break. "
                "Refresh the list to see what the server holds.",
                nothing_committed=False,
            ) from exc
        except ProtocolError as exc:
            raise ProtocolError(
                f"The server did not confirm the deletion ({exc}); nothing was deleted.",
                nothing_committed=True,
            ) from exc


def _quit_quietly(client: PopSession) -> None:
    """QUIT after a read-only session: a failure there loses nothing."""
    try:
        client.quit()
    except MailError as exc:
        log.info("QUIT after a read-only session failed: %s", exc)
