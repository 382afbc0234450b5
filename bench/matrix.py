"""The bench's measurements: one cell per server, mailbox size and round-trip time.

In each cell the same mailbox is loaded by every client, one after another, each run
timed on its own and checked (a figure from a run that did the wrong thing is
worthless, so a wrong answer stops the bench):

- cold: ``pymail list --json`` with an empty cache (time and peak RSS), the in-process
  ``Inbox.refresh()``, the pipelined reference, the classic client (extrapolated from
  two shorter runs when a full one would take too long), the server's floor;
- warm: ``pymail list --json`` with the cache of that mailbox, nothing new, and with
  ``new`` messages arrived since;
- offline: ``pymail list --offline --json`` of the cached mailbox (once per size).
"""

from __future__ import annotations

import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import clients, ours
from bench.clients import PymailHome
from bench.lab import user_for
from pymailgui.inbox import Inbox

LABELS = {
    "cold.cli": "cold: pymail list --json",
    "cold.rss": "cold: peak RSS of pymail list --json",
    "cold.inproc": "cold: Inbox.refresh() in-process",
    "cold.reference": "cold: pipelined reference (window 1,000)",
    "cold.classic": "cold: classic poplib, one TOP at a time",
    "cold.floor": "cold: server floor (raw pipelined TOP)",
    "warm.cli": "warm, nothing new: pymail list --json",
    "warm.inproc": "warm, nothing new: Inbox.refresh() in-process",
    "new.cli": "warm, {new} new: pymail list --json",
    "new.inproc": "warm, {new} new: Inbox.refresh() in-process",
    "offline.cli": "offline: pymail list --offline --json",
}


@dataclass
class Figure:
    server: str
    n: int
    rtt: int
    key: str
    runs: list[float]
    unit: str  # "s" or "MB"
    estimated: bool = False  # extrapolated from shorter runs
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


@dataclass
class Server:
    """One server under test, as the measurements need it."""

    name: str  # "dovecot" or "scripted"
    label: str
    host: str
    link: Callable[[int], int]  # round trip in ms -> port to connect to
    uids: Callable[[int], list[str]]  # mailbox size -> its UIDLs in order
    add_new: Callable[[int, int], object]  # (size, k): k new messages; a token
    remove_new: Callable[[int, object], None]  # undo add_new(size, k)
    settle: Callable[[], None] = lambda: None  # wait until the server ended sessions
    user: Callable[[int], str] = user_for  # mailbox size -> login


def fail(what: str) -> None:
    raise RuntimeError(f"benchmark self-check failed: {what}")


def check_rows(rows: list[dict[str, Any]], uids: list[str], what: str) -> None:
    if len(rows) != len(uids) or sorted(str(r["uid"]) for r in rows) != sorted(uids):
        fail(f"{what} listed {len(rows)} messages, not the {len(uids)} on the server")


@dataclass
class Matrix:
    repeats: int
    new: int
    classic_budget: float
    full_classic: bool
    work: Path
    figures: list[Figure] = field(default_factory=list)
    _warm: dict[tuple[str, int], PymailHome] = field(default_factory=dict)
    _serial: int = 0

    def record(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        label = LABELS.get(figure.key, figure.key).format(new=self.new)
        value = f"{figure.median:.3f} s" if figure.unit == "s" else f"{figure.median:.1f} MB"
        est = " (est.)" if figure.estimated else ""
        print(
            f"  {figure.server:<8} {figure.n:>7} {figure.rtt:>3} ms  {label:<46} {value}{est}",
            flush=True,
        )
        return figure

    def _dir(self, what: str) -> Path:
        self._serial += 1
        return self.work / f"{what}-{self._serial}"

    def warm_home(self, srv: Server, n: int) -> PymailHome:
        """A home whose cache holds mailbox ``n`` (loaded once, untimed, over loopback)."""
        key = (srv.name, n)
        if key not in self._warm:
            home = PymailHome(self._dir("warm"), srv.host, srv.user(n)).point_at(srv.link(0))
            srv.settle()
            _, rows = home.list()
            check_rows(rows, srv.uids(n), "the priming pymail list")
            self._warm[key] = home
        return self._warm[key]

    # -- a cell ------------------------------------------------------------------------

    def cell(self, srv: Server, n: int, rtt: int) -> None:
        self.warm_home(srv, n)  # also warms the server's caches for this mailbox
        self.cold_cli(srv, n, rtt)
        self.cold_inproc(srv, n, rtt)
        self.reference(srv, n, rtt)
        self.classic(srv, n, rtt)
        self.floor(srv, n, rtt)
        self.warm(srv, n, rtt)
        self.warm_inproc(srv, n, rtt, 0)
        self.with_new(srv, n, rtt)
        self.warm_inproc(srv, n, rtt, self.new)
        if rtt == 0:
            self.offline(srv, n)

    def cold_cli(self, srv: Server, n: int, rtt: int) -> None:
        times, rss = [], []
        for _ in range(self.repeats):
            home = PymailHome(self._dir("cold"), srv.host, srv.user(n)).point_at(srv.link(rtt))
            srv.settle()
            run, rows = home.list()
            check_rows(rows, srv.uids(n), "cold pymail list --json")
            times.append(run.seconds)
            rss.append(run.max_rss_mb)
            shutil.rmtree(home.root)
        self.record(Figure(srv.name, n, rtt, "cold.cli", times, "s"))
        self.record(Figure(srv.name, n, rtt, "cold.rss", rss, "MB"))

    def cold_inproc(self, srv: Server, n: int, rtt: int) -> None:
        work = ours.Workspace(self._dir("inproc"))
        work.root.mkdir()
        times = []
        try:
            for _ in range(self.repeats):
                connect = ours.connector(srv.host, srv.link(rtt), srv.user(n))
                inbox = Inbox("bench", work.cache(), connect)
                srv.settle()
                start = time.perf_counter()
                total = inbox.refresh().total
                times.append(time.perf_counter() - start)
                if total != n:
                    fail(f"Inbox.refresh listed {total} of {n}")
        finally:
            work.close()
        self.record(Figure(srv.name, n, rtt, "cold.inproc", times, "s"))

    def reference(self, srv: Server, n: int, rtt: int) -> None:
        times = []
        for _ in range(self.repeats):
            srv.settle()
            run, count = clients.reference(srv.host, srv.link(rtt), srv.user(n))
            if count != n:
                fail(f"the reference listed {count} of {n}")
            times.append(run.seconds)
        self.record(Figure(srv.name, n, rtt, "cold.reference", times, "s"))

    def floor(self, srv: Server, n: int, rtt: int) -> None:
        times = []
        for _ in range(self.repeats):
            srv.settle()
            run, received = clients.floor(srv.host, srv.link(rtt), srv.user(n), n)
            if received < n * 100:
                fail(f"the floor received only {received} bytes for {n} headers")
            times.append(run.seconds)
        self.record(Figure(srv.name, n, rtt, "cold.floor", times, "s"))

    def classic(self, srv: Server, n: int, rtt: int) -> None:
        """The classic client; when a full run would take longer than the budget, two
        shorter runs (``k1`` and ``k2`` messages) give its fixed and per-message cost."""
        per_message = rtt / 1000 + 0.0005  # a round trip and a parse, roughly
        port, user = srv.link(rtt), srv.user(n)
        if self.full_classic or n * per_message <= self.classic_budget:
            times = []
            for _ in range(self.repeats):
                srv.settle()
                run, count = clients.classic(srv.host, port, user)
                if count != n:
                    fail(f"the classic client listed {count} of {n}")
                times.append(run.seconds)
            self.record(Figure(srv.name, n, rtt, "cold.classic", times, "s"))
            return
        k2 = max(3, min(n // 2, int(self.classic_budget / 4 / per_message)))
        k1 = max(1, min(20, k2 // 3))
        estimates = []
        for _ in range(self.repeats):
            srv.settle()
            run1, c1 = clients.classic(srv.host, port, user, k1)
            srv.settle()
            run2, c2 = clients.classic(srv.host, port, user, k2)
            if (c1, c2) != (k1, k2):
                fail("the classic client's sample runs listed the wrong counts")
            per = (run2.seconds - run1.seconds) / (k2 - k1)
            estimates.append(run1.seconds + (n - k1) * per)
        extra = {"sample_sizes": [k1, k2]}
        self.record(Figure(srv.name, n, rtt, "cold.classic", estimates, "s", True, extra))

    def warm(self, srv: Server, n: int, rtt: int) -> None:
        home = self.warm_home(srv, n).copy_to(self._dir("warm-run")).point_at(srv.link(rtt))
        times = []
        for _ in range(self.repeats):
            srv.settle()
            run, rows = home.list()
            check_rows(rows, srv.uids(n), "warm pymail list --json")
            times.append(run.seconds)
        shutil.rmtree(home.root)
        self.record(Figure(srv.name, n, rtt, "warm.cli", times, "s"))

    def warm_inproc(self, srv: Server, n: int, rtt: int, new: int) -> None:
        """The refresh verb alone on a copy of the warm cache (``new`` messages more)."""
        times = []
        for _ in range(self.repeats):
            copy = self._dir("warm-cache")
            copy.mkdir()
            shutil.copy(self.warm_home(srv, n).root / "cache.sqlite3", copy / "cache.sqlite3")
            cache = ours.IndexCache(copy / "cache.sqlite3")
            inbox = Inbox("bench", cache, ours.connector(srv.host, srv.link(rtt), srv.user(n)))
            token = srv.add_new(n, new) if new else None
            try:
                srv.settle()
                start = time.perf_counter()
                report = inbox.refresh()
                times.append(time.perf_counter() - start)
            finally:
                if new:
                    srv.remove_new(n, token)
                cache.close()
            if len(report.added) != new or report.total != n + new:
                fail(f"a warm refresh added {len(report.added)} of {new} new messages")
            shutil.rmtree(copy)
        self.record(Figure(srv.name, n, rtt, "new.inproc" if new else "warm.inproc", times, "s"))

    def with_new(self, srv: Server, n: int, rtt: int) -> None:
        times = []
        for _ in range(self.repeats):
            home = self.warm_home(srv, n).copy_to(self._dir("new")).point_at(srv.link(rtt))
            token = srv.add_new(n, self.new)
            try:
                srv.settle()
                run, rows = home.list()
            finally:
                srv.remove_new(n, token)
            if len(rows) != n + self.new:
                fail(f"pymail list saw {len(rows)} messages, not {n} + {self.new} new")
            times.append(run.seconds)
            shutil.rmtree(home.root)
        self.record(Figure(srv.name, n, rtt, "new.cli", times, "s"))

    def offline(self, srv: Server, n: int) -> None:
        home = self.warm_home(srv, n)
        times = []
        for _ in range(self.repeats):
            run, rows = home.list(offline=True)
            check_rows(rows, srv.uids(n), "pymail list --offline")
            times.append(run.seconds)
        self.record(Figure(srv.name, n, 0, "offline.cli", times, "s"))
