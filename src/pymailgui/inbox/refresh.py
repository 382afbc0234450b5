"""One refresh inside one session: list, read the headers the index lacks, update it.

The index is read once (key -> size and number); headers are requested only for
messages it does not know (or whose size changed under the same id), summarized while
later TOP answers are still in flight, and written in batches. At the end the rows the
server no longer lists are dropped and only the rows whose number moved are
renumbered.
"""

from __future__ import annotations

import time
from collections import Counter

from pymailgui.inbox.cache import IndexCache, Known
from pymailgui.inbox.identity import FingerprintLabeler, Listing, fingerprint, is_fingerprint_key
from pymailgui.inbox.reports import RefreshReport, plural
from pymailgui.inbox.session import PopSession, fetch_headers
from pymailgui.inbox.writer import RowWriter
from pymailgui.message.summary import MessageRow, summarize_headers
from pymailgui.tasks import Level, Phase, Task

UNDONE_REFRESH = "the list was not fully brought up to date"


class Refresh:
    """The state of one refresh of ``account``'s index through ``client``."""

    def __init__(self, cache: IndexCache, account: str, client: PopSession, task: Task) -> None:
        self.cache = cache
        self.account = account
        self.client = client
        self.task = task
        self.keys: dict[int, str] = {}
        self.added: list[str] = []
        self.resized: list[str] = []

    def load(self) -> Listing:
        """List the maildrop and read (and write) what the index lacks."""
        self.task.report(Phase.LIST)
        sizes, uids = self.client.listing()
        listing = self.listing = Listing.of(sizes, uids, self.client.uidl_problems)
        mode = "uidl" if listing.by_uidl else "fingerprint"
        same_mode = self.cache.mode(self.account) == mode
        self.known: dict[str, Known] = self.cache.known(self.account) if same_mode else {}
        writer = RowWriter(self.cache, self.account, mode)
        try:
            self._read_headers(writer)
        finally:
            writer.finish()
        return listing

    def _read_headers(self, writer: RowWriter) -> None:
        listing, known = self.listing, self.known
        sizes = listing.sizes
        self.keys = dict(listing.uids or {})
        need = [
            n
            for n in sorted(sizes)
            if (uid := listing.uid(n)) is None or uid not in known or known[uid].size != sizes[n]
        ]
        labels = FingerprintLabeler()
        arrived = time.time()
        for num, header, whole in fetch_headers(self.client, need, self.task):
            # Answers already buffered would still arrive after a cancel: stop here.
            self.task.check(UNDONE_REFRESH)
            size = sizes[num]
            uid = listing.uid(num)
            if uid is None:
                fp = listing.fingerprints[num] = fingerprint(header, size)
                key = labels.key(fp)  # ``need`` is in server order, so labels are too
            else:
                # The id is the identity: the fingerprint is only recorded (for the day
                # the id becomes unusable), and the writer thread computes it.
                fp, key = "", uid
            self.keys[num] = key
            if key in known:
                if not is_fingerprint_key(key) and known[key].size != size:
                    writer.resized(key, size, header)
                    self.resized.append(key)
                continue  # a fingerprint key covers the size: nothing changed
            fields = summarize_headers(whole if whole is not None else header)
            row = MessageRow.from_fields(
                key, size, fields, number=num, fingerprint=fp, new=True, received=arrived
            )
            # A whole message read for lack of TOP is worth keeping, unless it is a
            # fingerprint label that may move to a look-alike.
            writer.add(row, header, whole if uid is not None else None)
            self.added.append(key)
        # Fingerprinted messages whose headers could not be read were deleted meanwhile.
        for num in need:
            if listing.uid(num) is None and num not in listing.fingerprints:
                del sizes[num]

    def finish(self) -> RefreshReport:
        """Drop what the server no longer lists, renumber what moved, report."""
        listing, known, keys = self.listing, self.known, self.keys
        present = {keys[n] for n in listing.sizes if n in keys}
        added = set(self.added)
        removed = [k for k in known if k not in present]
        moved = {
            key: num
            for num, key in keys.items()
            if key in known and known[key].num != num and num in listing.sizes
        }
        counts = Counter(listing.fingerprints.values())
        twins = [keys[n] for n, f in listing.fingerprints.items() if counts[f] > 1]
        with self.cache.transaction() as db:
            self.cache.drop(db, self.account, removed)
            self.cache.renumber(db, self.account, moved)
            # Labels of look-alikes follow server order, so a cached body could end up
            # under its twin's label: keep none for them.
            self.cache.drop_bodies(db, self.account, twins)
            previous = self.cache.swap_unidentified(db, self.account, len(listing.problems))
        if removed:
            self.task.notify(
                f"{plural(len(removed), 'message')} {'was' if len(removed) == 1 else 'were'} "
                "removed from the server by another program or by the server itself.",
                kind="removed-on-server",
            )
        if listing.problems and len(listing.problems) != previous:
            self._note_unidentified()
        return RefreshReport(
            added=self.added,
            removed=removed,
            total=sum(1 for k in present if k in known or k in added),
            by_uidl=listing.by_uidl,
            resized=self.resized,
            unidentified=len(listing.problems),
            notices=list(self.task.notices),
        )

    def _note_unidentified(self) -> None:
        problems = self.listing.problems
        reasons = Counter(problems.values())
        why = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
        self.task.notify(
            f"The server gave {plural(len(problems), 'message')} an id that breaks the POP3 "
            f"rules ({why}); they are identified by their headers and size instead, and "
            "refused if two of them look the same.",
            Level.WARNING,
            kind="invalid-uidl",
        )
