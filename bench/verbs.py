"""The in-process verbs against the classic client (and the floor), and memory.

On the smallest mailbox:

- download all for offline reading (``Inbox.fetch_all``), on every server and link,
  against the floor: every RETR pipelined at once, nothing parsed or stored;
- on the scripted server (whose maildrop the bench can refill after a delete): the
  first refresh with PIPELINING switched off, the second refresh with nothing new,
  fetching 20 messages one session each and all in one session, deleting 50, each
  against the classic client doing the same;
- peak memory (tracemalloc) of fetching one 20 MB message, through the inbox and
  through the protocol layer alone, against poplib.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from bench import baseline, clients, ours
from bench.corpus import big_message, make_message
from bench.lab import VERBS_USER, Lab
from bench.matrix import LABELS, Figure, Matrix, Server, fail
from pymailgui.inbox import Inbox

Prepare = Callable[[], Callable[[], object]]

LABELS.update(
    {
        "all.inproc": "download all: Inbox.fetch_all()",
        "all.floor": "download all: floor (raw pipelined RETR)",
        "nopipe.inproc": "first refresh, server without PIPELINING",
        "nopipe.classic": "  classic client, same",
        "second.inproc": "second refresh, nothing new (in-process)",
        "second.classic": "  classic client: LIST and TOP of the last",
        "fetch_each.inproc": "fetch 20, one session each",
        "fetch_each.classic": "  classic client, same",
        "fetch_one.inproc": "fetch 20, all in one session (fetch_many)",
        "fetch_one.classic": "  classic client, same",
        "delete.inproc": "delete 50 picked messages (fewer in a smaller mailbox)",
        "delete.classic": "  classic client, same (no verification)",
        "mem.big.inproc": "peak memory, fetch one big message (Inbox.fetch)",
        "mem.big.retr": "  same, protocol layer only (POP3Client.retr)",
        "mem.big.classic": "  poplib.retr joined",
    }
)


def _pick(uids: list[str], count: int) -> list[str]:
    """``count`` ids spread evenly over the mailbox."""
    count = min(count, len(uids))
    return [uids[i * len(uids) // count] for i in range(count)]


class Verbs:
    def __init__(self, matrix: Matrix, lab: Lab, n: int, work: Path) -> None:
        self.m, self.lab, self.n = matrix, lab, n
        self.work = ours.Workspace(work)
        work.mkdir(parents=True, exist_ok=True)

    def close(self) -> None:
        self.work.close()

    def timed(self, prepare: Prepare) -> list[float]:
        times = []
        for _ in range(self.m.repeats):
            run = prepare()
            self.lab.idle()
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        return times

    def peak(self, prepare: Prepare) -> list[float]:
        peaks = []
        for _ in range(self.m.repeats):
            run = prepare()
            self.lab.idle()
            tracemalloc.start()
            try:
                run()
                peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
            finally:
                tracemalloc.stop()
        return peaks

    def add(self, server: str, rtt: int, key: str, runs: list[float], unit: str = "s") -> None:
        self.m.record(Figure(server, self.n, rtt, key, runs, unit))

    # -- download all -------------------------------------------------------------------

    def download_all(self, srv: Server, rtt: int) -> None:
        n, user = self.n, srv.user(self.n)

        def prepare() -> Callable[[], object]:
            fast, slow = self.work.inboxes(srv.host, srv.link(0), srv.link(rtt), user)
            fast.refresh()
            srv.settle()
            return lambda: slow.fetch_all() == n or fail("fetch_all downloaded all")

        self.add(srv.name, rtt, "all.inproc", self.timed(prepare))
        times = []
        for _ in range(self.m.repeats):
            srv.settle()
            run, received = clients.floor(srv.host, srv.link(rtt), user, n, "RETR")
            if received < n * 1000:
                fail(f"the RETR floor received only {received} bytes for {n} messages")
            times.append(run.seconds)
        self.add(srv.name, rtt, "all.floor", times)

    # -- the scripted server's verbs against the classic client --------------------------

    def _expected(self, uids: list[str]) -> list[bytes]:
        index = {uid: i for i, uid in enumerate(self.lab.uids(VERBS_USER))}
        return [make_message(index[uid] + 1) for uid in uids]

    def scripted(self, srv: Server, rtt: int) -> None:
        lab, host, port = self.lab, srv.host, srv.link(rtt)
        direct, user, n = srv.link(0), VERBS_USER, self.n

        def inboxes() -> tuple[Inbox, Inbox]:
            return self.work.inboxes(host, direct, port, user)

        def first() -> Callable[[], object]:
            _, inbox = inboxes()
            return lambda: inbox.refresh().total == n or fail("ours listed every message")

        def classic_first() -> Callable[[], object]:
            return lambda: len(baseline.refresh(host, port, user)) == n or fail("poplib")

        lab.pipelining(False)
        try:
            self.add(srv.name, rtt, "nopipe.inproc", self.timed(first))
        finally:
            lab.pipelining(True)
        self.add(srv.name, rtt, "nopipe.classic", self.timed(classic_first))

        def second() -> Callable[[], object]:
            fast, slow = inboxes()
            fast.refresh()
            return lambda: not slow.refresh().added or fail("second refresh found nothing")

        def classic_second() -> Callable[[], object]:
            got = baseline.refresh_incremental
            return lambda: got(host, port, n, user) == 0 or fail("poplib: nothing new")

        self.add(srv.name, rtt, "second.inproc", self.timed(second))
        self.add(srv.name, rtt, "second.classic", self.timed(classic_second))
        self.fetches(srv, rtt, inboxes)
        self.delete(srv, rtt, inboxes)

    def fetches(self, srv: Server, rtt: int, inboxes: Callable[[], tuple[Inbox, Inbox]]) -> None:
        host, port, user = srv.host, srv.link(rtt), VERBS_USER
        picked = _pick(self.lab.uids(user), 20)
        expected = self._expected(picked)

        def each() -> Callable[[], object]:
            fast, slow = inboxes()
            fast.refresh()
            return lambda: (
                [slow.fetch(u, use_cache=False) for u in picked] == expected
                or fail("ours fetched the picked messages")
            )

        def one() -> Callable[[], object]:
            fast, slow = inboxes()
            fast.refresh()

            def run() -> None:
                got = slow.fetch_many(picked, use_cache=False)
                if [got[u] for u in picked] != expected:
                    fail("fetch_many fetched the picked messages")

            return run

        def classic_each() -> Callable[[], object]:
            got = baseline.fetch_each
            return lambda: got(host, port, picked, user) == expected or fail("poplib fetched")

        def classic_one() -> Callable[[], object]:
            got = baseline.fetch_one_session
            return lambda: got(host, port, picked, user) == expected or fail("poplib fetched")

        self.add(srv.name, rtt, "fetch_each.inproc", self.timed(each))
        self.add(srv.name, rtt, "fetch_each.classic", self.timed(classic_each))
        self.add(srv.name, rtt, "fetch_one.inproc", self.timed(one))
        self.add(srv.name, rtt, "fetch_one.classic", self.timed(classic_one))

    def delete(self, srv: Server, rtt: int, inboxes: Callable[[], tuple[Inbox, Inbox]]) -> None:
        lab, host, port, user = self.lab, srv.host, srv.link(rtt), VERBS_USER

        def ours_delete() -> Callable[[], object]:
            picked = _pick(lab.reset(user), 50)
            fast, slow = inboxes()
            fast.refresh()

            def run() -> None:
                if sorted(slow.delete(picked).deleted) != sorted(picked):
                    fail("ours deleted exactly the picked messages")

            return run

        def classic_delete() -> Callable[[], object]:
            picked = _pick(lab.reset(user), 50)
            count = len(picked)
            return lambda: baseline.delete(host, port, picked, user) == count or fail("poplib")

        self.add(srv.name, rtt, "delete.inproc", self.timed(ours_delete))
        self.add(srv.name, rtt, "delete.classic", self.timed(classic_delete))
        lab.reset(user)

    # -- memory -------------------------------------------------------------------------

    def memory(self, srv: Server, big: int) -> None:
        host, port = srv.host, srv.link(0)
        uid = self.lab.uids("bob")[0]
        expected = big_message(big)

        def inbox() -> Callable[[], object]:
            fast, _ = self.work.inboxes(host, port, port, user="bob")
            fast.refresh()
            return lambda: fast.fetch(uid, use_cache=False) == expected or fail("big fetched")

        def retr() -> Callable[[], object]:
            return lambda: ours.retr_first(host, port, "bob") == expected or fail("big retr")

        def classic() -> Callable[[], object]:
            got = baseline.fetch_each
            return lambda: got(host, port, [uid], "bob") == [expected] or fail("big poplib")

        for key, prepare in (("inproc", inbox), ("retr", retr), ("classic", classic)):
            peaks = self.peak(prepare)
            self.m.record(
                Figure(srv.name, 1, 0, f"mem.big.{key}", peaks, "MB", extra={"size": len(expected)})
            )
