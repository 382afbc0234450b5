"""The inbox model: refresh, fetch and safe delete over the persistent index.

Every operation is one POP3 session. Inside it, each message the user picked is mapped
from its identity (UIDL, or fingerprint without UIDL) to its current number and verified
right before RETR or DELE; deletions count as done only once QUIT is acknowledged
(RFC 1939 §6), and only then is the index updated, in place.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pymailgui.errors import (
    ConnectionFailed,
    MailError,
    ProtocolError,
    SyncError,
    UsageError,
)
from pymailgui.inbox.cache import IndexCache
from pymailgui.inbox.identity import (
    Listing,
    fingerprint,
    fingerprint_of_key,
    is_fingerprint_key,
)
from pymailgui.inbox.session import PopSession, Progress, fetch_headers, read_listing
from pymailgui.inbox.summary import MessageSummary, header_block, summarize

log = logging.getLogger(__name__)

#: Largest message whose parts are parsed to learn exactly whether it has attachments.
PRECISE_ATTACHMENT_LIMIT = 4 * 1024 * 1024

#: Opens a logged-in session (the caller's connect + login).
Connector = Callable[[], PopSession]

# One POP session per account at a time in this process; the server's maildrop lock
# (RFC 1939 §8) covers other processes.
_account_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def account_lock(account: str) -> threading.Lock:
    with _locks_guard:
        return _account_locks.setdefault(account, threading.Lock())


@dataclass(frozen=True)
class RefreshReport:
    added: list[str]
    removed: list[str]
    total: int
    by_uidl: bool

    def __str__(self) -> str:
        parts = []
        if self.removed:
            parts.append(f"{len(self.removed)} removed on the server")
        if self.added:
            parts.append(f"{len(self.added)} new")
        change = ", ".join(parts) if parts else "no changes"
        return f"{self.total} messages ({change})"


@dataclass(frozen=True)
class DeleteReport:
    deleted: list[str]  # removed by our QUIT
    already_gone: list[str] = field(default_factory=list)  # deleted by someone else before

    def __str__(self) -> str:
        text = f"Deleted {len(self.deleted)} message{'s' * (len(self.deleted) != 1)}"
        if self.already_gone:
            text += f"; {len(self.already_gone)} had already been removed on the server"
        return text + "."


class Inbox:
    """The server inbox of one account."""

    def __init__(self, account: str, cache: IndexCache, connect: Connector) -> None:
        self.account = account
        self.cache = cache
        self._connect = connect
        self._lock = account_lock(account)

    # -- what the user sees ----------------------------------------------------------
    def entries(self) -> list[MessageSummary]:
        """The index as last known (no network)."""
        return self.cache.entries(self.account)

    def entry(self, uid: str) -> MessageSummary:
        found = self.cache.entry(self.account, uid)
        if found is None:
            raise UsageError(f"No message with id {uid!r} in the index; refresh the list first.")
        return found

    def remember_shown(self, uids: Sequence[str]) -> None:
        """Record the numbering the user was just shown (1..N in this order)."""
        self.cache.set_shown(self.account, list(uids))

    def shown_uid(self, number: int) -> str:
        """The message the user saw with ``number`` in the last list shown."""
        shown = self.cache.shown(self.account)
        if not shown:
            raise UsageError("No list was shown yet: run 'list' first.")
        try:
            return shown[number]
        except KeyError:
            raise UsageError(
                f"There is no message {number} in the last list shown "
                "(it may have been deleted); run 'list' again."
            ) from None

    # -- refresh -----------------------------------------------------------------------
    def refresh(self, progress: Progress | None = None) -> RefreshReport:
        """Bring the index up to date in one session; headers only for new messages."""
        with self._lock:
            client = self._connect()
            try:
                listing, bodies = read_listing(client, progress=progress)
                mode = "uidl" if listing.by_uidl else "fingerprint"
                known = (
                    {e.uid: e for e in self.entries()}
                    if self.cache.mode(self.account) == mode
                    else {}
                )
                keys = listing.keys()
                fresh = [
                    n
                    for n, k in keys.items()
                    if k not in known or known[k].size != listing.sizes.get(n)
                ]
                if listing.by_uidl and fresh:
                    for num, header, whole in fetch_headers(client, fresh, progress):
                        listing.headers[num] = header
                        if whole is not None:
                            bodies[num] = whole
                _quit_quietly(client)
            except BaseException:
                client.abort()
                raise
        return self._apply_refresh(listing, bodies, known, keys, fresh, mode)

    def _apply_refresh(
        self,
        listing: Listing,
        bodies: dict[int, bytes],
        known: dict[str, MessageSummary],
        keys: dict[int, str],
        fresh: list[int],
        mode: str,
    ) -> RefreshReport:
        present = {k for n, k in keys.items() if n not in fresh or n in listing.headers}
        removed = [uid for uid in known if uid not in present]
        added: list[str] = []
        with self.cache.transaction() as db:
            self.cache.set_mode(db, self.account, mode)
            self.cache.drop(db, self.account, removed)
            self.cache.unshow(db, self.account, removed)
            # A known id whose size changed is re-read; its cached text is stale.
            self.cache.drop_bodies(db, self.account, [keys[n] for n in fresh if keys[n] in known])
            for num in fresh:
                header = listing.headers.get(num)
                if header is None:
                    continue  # deleted by another client while we listed
                uid, size = keys[num], listing.sizes[num]
                whole = bodies.get(num)
                summary = summarize(
                    uid,
                    num,
                    size,
                    whole if whole is not None else header,
                    fingerprint(header, size),
                    full=whole is not None,
                )
                self.cache.put(db, self.account, summary, header)
                if whole is not None and listing.by_uidl:
                    self.cache.put_body(db, self.account, uid, whole)
                if uid not in known:
                    added.append(uid)
            self.cache.renumber(db, self.account, {k: n for n, k in keys.items()})
            if not listing.by_uidl:
                # Labels of look-alikes follow server order, so a cached body could end
                # up under its twin's label: keep none for them.
                counts = Counter(listing.fingerprints.values())
                self.cache.drop_bodies(
                    db,
                    self.account,
                    [k for n, k in keys.items() if counts[listing.fingerprints[n]] > 1],
                )
        return RefreshReport(
            added=added, removed=removed, total=len(present), by_uidl=listing.by_uidl
        )

    # -- fetch -------------------------------------------------------------------------
    def fetch(self, uid: str, *, use_cache: bool = True) -> bytes:
        """The full text of the message ``uid``, verified to be that message."""
        return self.fetch_many([uid], use_cache=use_cache)[uid]

    def fetch_many(self, uids: Sequence[str], *, use_cache: bool = True) -> dict[str, bytes]:
        """Full texts of several messages: cached ones at once, the rest in one session.

        Each is located and verified like :meth:`fetch`; the RETRs are pipelined. If any
        message can't be identified for sure, SyncError is raised and nothing is returned.
        """
        entries = [self.entry(uid) for uid in dict.fromkeys(uids)]
        result: dict[str, bytes] = {}
        todo: list[MessageSummary] = []
        for entry in entries:
            cached = self.cache.body(self.account, entry.uid) if use_cache else None
            # A look-alike's label ("fp:X" or "fp:X#2") may move to its twin: no cache then.
            if cached is not None and not self._has_lookalikes(entry):
                result[entry.uid] = cached
            else:
                todo.append(entry)
        if todo:
            result.update(self._retrieve(todo))
        return {e.uid: result[e.uid] for e in entries}

    def _has_lookalikes(self, entry: MessageSummary) -> bool:
        return is_fingerprint_key(entry.uid) and (
            self.cache.fingerprint_count(self.account, entry.fingerprint) > 1
        )

    def _retrieve(self, entries: list[MessageSummary]) -> dict[str, bytes]:
        with self._lock:
            client = self._connect()
            try:
                if len(entries) == 1:
                    nums = {self._locate(client, entries[0]): entries[0]}
                else:
                    sizes = [e.size for e in entries if is_fingerprint_key(e.uid)]
                    listing, _ = read_listing(client, fingerprint_sizes=sizes)
                    index = self.entries()
                    nums = {self._verified_number(listing, e, index): e for e in entries}
                found: dict[str, bytes] = {}
                for num, data in client.retr_many(sorted(nums)):
                    entry = nums[num]
                    if data is None:
                        raise SyncError(
                            f"Message {entry.subject!r} was deleted on the server while "
                            "it was being read; refresh the list."
                        )
                    if header_block(data) != self.cache.header(self.account, entry.uid):
                        raise SyncError(
                            f"Message {num} on the server is not the one you picked "
                            f"({entry.subject!r}); nothing is shown. Refresh the list."
                        )
                    found[entry.uid] = data
                _quit_quietly(client)
            except BaseException:
                client.abort()
                raise
        with self.cache.transaction() as db:
            for uid, data in found.items():
                self.cache.put_body(db, self.account, uid, data)
        for entry in entries:
            self._learn_attachments(entry, found[entry.uid])
        return found

    def _learn_attachments(self, entry: MessageSummary, data: bytes) -> None:
        """Replace the header-only attachment guess by the parts, for mail of a sane size.

        Parsing a 20 MB message would cost several times its size in memory just for a
        flag; such messages keep the guess (multipart/mixed means attachments).
        """
        if len(data) > PRECISE_ATTACHMENT_LIMIT:
            return
        full = summarize(entry.uid, entry.num, entry.size, data, entry.fingerprint, full=True)
        if full.has_attachments != entry.has_attachments:
            self.cache.set_has_attachments(self.account, entry.uid, full.has_attachments)

    def _locate(self, client: PopSession, entry: MessageSummary) -> int:
        """The current number of ``entry`` in this session, verified; else SyncError."""
        if not is_fingerprint_key(entry.uid):
            # Fast path: the number from the last refresh often still holds.
            if client.identify(entry.num) == (entry.uid, entry.size):
                return entry.num
            listing, _ = read_listing(client, fingerprint_sizes=())
            if listing.uids is None:
                raise ProtocolError("The server stopped supporting UIDL; refresh the list.")
        else:
            listing, _ = read_listing(client, fingerprint_sizes=[entry.size])
        return self._verified_number(listing, entry)

    def _verified_number(
        self, listing: Listing, entry: MessageSummary, index: list[MessageSummary] | None = None
    ) -> int:
        """``entry``'s number in ``listing``, verified; ``index`` saves re-reading it."""
        nums = listing.locate(entry.uid)
        label = f"{entry.subject!r} from {entry.from_}" if entry.subject else repr(entry.uid)
        if not nums:
            raise SyncError(
                f"The message {label} is no longer on the server (deleted by another "
                "program); refresh the list."
            )
        if listing.uids is None:
            index = index if index is not None else self.entries()
            twins = sum(
                1 for e in index if fingerprint_of_key(e.uid) == fingerprint_of_key(entry.uid)
            )
            nums = _drop_arrivals(listing, index, nums)
            if not nums:
                raise SyncError(
                    f"The message {label} is no longer on the server (a message that looks "
                    "the same arrived since); refresh the list."
                )
            if len(nums) > 1 or twins > 1:
                raise SyncError(
                    f"The message {label} cannot be told apart from another one with the "
                    "same headers and size, and this server has no UIDL; nothing was done."
                )
        elif len(nums) > 1:  # the pop layer rejects duplicate UIDLs; never guess anyway
            raise SyncError(f"The server lists the id of {label} twice; nothing was done.")
        num = nums[0]
        if listing.sizes.get(num) != entry.size:
            raise SyncError(
                f"The message {label} changed size on the server "
                f"({entry.size} -> {listing.sizes.get(num)} bytes); nothing was done."
            )
        return num

    # -- delete ------------------------------------------------------------------------
    def delete(self, uids: Sequence[str], progress: Progress | None = None) -> DeleteReport:
        """Delete exactly the messages ``uids`` from the server, in one session.

        Every message is located and verified first; if any can't be identified for sure,
        nothing is deleted. Only an acknowledged QUIT commits; otherwise the index stays
        as it was and the error says nothing was deleted.
        """
        entries = [self.entry(uid) for uid in dict.fromkeys(uids)]
        if not entries:
            return DeleteReport(deleted=[])
        with self._lock:
            client = self._connect()
            try:
                listing, _ = read_listing(client, progress=progress)
                targets: dict[int, str] = {}
                gone: list[str] = []
                index = self.entries()
                for entry in entries:
                    try:
                        targets[self._verified_number(listing, entry, index)] = entry.uid
                    except SyncError:
                        if listing.locate(entry.uid):
                            raise  # present but not provably ours: refuse everything
                        gone.append(entry.uid)
                if targets:
                    answers = client.dele_many(sorted(targets))
                    refused = [n for n, ok in answers.items() if not ok]
                    if refused or len(answers) != len(targets):
                        raise SyncError(
                            f"The server refused to delete message {refused[:1] or '?'}; "
                            "nothing was deleted."
                        )
                    _commit(client)
                else:
                    _quit_quietly(client)
            except (ConnectionFailed, ProtocolError) as exc:
                client.abort()
                if "nothing was deleted" in str(exc):
                    raise
                raise type(exc)(f"{exc} Nothing was deleted.") from exc
            except BaseException:
                client.abort()
                raise
        deleted = list(targets.values())
        self._apply_delete(listing, deleted + gone)
        return DeleteReport(deleted=deleted, already_gone=gone)

    def _apply_delete(self, listing: Listing, removed: list[str]) -> None:
        """Update the index in place after a committed delete: no reload.

        With UIDL every other entry is matched exactly: the ones the server no longer
        lists are dropped and the rest renumbered. Without UIDL the session's labels of
        look-alikes need not match the index's (they follow server order), so only the
        deleted entries are dropped and the others keep their labels until the next
        refresh, when the user sees the new list.
        """
        keys = listing.keys()
        vanished: list[str] = []
        renumbered: dict[str, int] = {}
        after = [n for n in sorted(keys) if keys[n] not in removed]
        if listing.by_uidl:
            present = set(keys.values())
            vanished = [e.uid for e in self.entries() if e.uid not in present]
            renumbered = {keys[n]: i for i, n in enumerate(after, start=1)}
        else:
            counts = Counter(listing.fingerprints[n] for n in after)
            renumbered = {
                keys[n]: i
                for i, n in enumerate(after, start=1)
                if counts[listing.fingerprints[n]] == 1
            }
        with self.cache.transaction() as db:
            self.cache.drop(db, self.account, removed + vanished)
            self.cache.unshow(db, self.account, removed + vanished)
            self.cache.renumber(db, self.account, renumbered)


def _drop_arrivals(listing: Listing, index: list[MessageSummary], nums: list[int]) -> list[int]:
    """Leave out candidates that must have arrived after the index was made.

    New mail is appended to a maildrop, so every message after one that the index can't
    know (a size or fingerprint it has never seen) is new too, even one that looks like
    the picked message. (Servers that reorder only make this refuse more often.)
    """
    sizes = {e.size for e in index}
    fingerprints = {e.fingerprint for e in index}
    unknown = [
        n
        for n, size in listing.sizes.items()
        if size not in sizes
        or (n in listing.fingerprints and listing.fingerprints[n] not in fingerprints)
    ]
    if not unknown:
        return nums
    first_new = min(unknown)
    return [n for n in nums if n < first_new]


def _commit(client: PopSession) -> None:
    """QUIT after DELE: only a +OK means the server removed the messages (RFC 1939 §6)."""
    try:
        client.quit()
    except ConnectionFailed as exc:
        raise ConnectionFailed(
            f"The connection broke before the server confirmed the deletion ({exc}); "
            "nothing was deleted."
        ) from exc
    except ProtocolError as exc:
        raise ProtocolError(
            f"The server did not confirm the deletion ({exc}); nothing was deleted."
        ) from exc


def _quit_quietly(client: PopSession) -> None:
    """QUIT after a read-only session: a failure there loses nothing."""
    try:
        client.quit()
    except MailError as exc:
        log.info("QUIT after a read-only session failed: %s", exc)
