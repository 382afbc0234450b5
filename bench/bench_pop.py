"""POP3 benchmark: PyMailGUI's client against a classic poplib client, same run, same server.

    python bench/bench_pop.py            # full run (about 2 minutes)
    python bench/bench_pop.py --quick    # a smaller run (under 20 s)

Each figure is the median of several runs. Times are wall-clock seconds (lower is
better); memory is the peak of Python allocations (tracemalloc) in MB. The last column
is baseline / ours: above 1 means we are faster or leaner. See bench/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

if not __package__:  # run as a script: make ``bench`` and ``pymailgui`` importable
    _ROOT = Path(__file__).resolve().parent.parent
    sys.path[:0] = [str(_ROOT), str(_ROOT / "src")]

from bench import baseline, ours
from bench.corpus import big_message, make_messages
from bench.dovecot import run_dovecot
from bench.lab import Lab

Prepare = Callable[[], Callable[[], object]]


@dataclass(frozen=True)
class Settings:
    messages: int = 150
    repeats: int = 3
    fetch: int = 20
    delete: int = 50
    big: int = 20 * 1024 * 1024
    delay: float = 0.025  # one way: 50 ms round trip
    seed: int = 1939
    dovecot: bool = False  # also compare first refreshes against a private Dovecot


QUICK = Settings(messages=50, repeats=1, fetch=4, delete=10, big=5 * 1024 * 1024)


@dataclass(frozen=True)
class Row:
    what: str
    rtt_ms: int
    ours: float
    baseline: float | None
    unit: str  # "s" or "MB"

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.ours <= 0:
            return None
        return self.baseline / self.ours


def median_time(repeats: int, prepare: Prepare) -> float:
    """Median wall time of ``run()`` over ``repeats`` runs; ``prepare()`` is not timed."""
    times = []
    for _ in range(repeats):
        run = prepare()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_peak(repeats: int, prepare: Prepare) -> float:
    """Median peak of traced Python memory (MB) while ``run()`` runs."""
    peaks = []
    for _ in range(repeats):
        run = prepare()
        tracemalloc.start()
        try:
            run()
            peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
        finally:
            tracemalloc.stop()
    return statistics.median(peaks)


def _check(condition: bool, what: str) -> None:
    # A figure from a run that did the wrong thing is worthless: stop loudly.
    if not condition:
        raise RuntimeError(f"benchmark self-check failed: {what}")


def _pick(uids: list[str], count: int) -> list[str]:
    """``count`` ids spread evenly over the mailbox."""
    count = min(count, len(uids))
    return [uids[i * len(uids) // count] for i in range(count)]


class Bench:
    def __init__(self, lab: Lab, work: ours.Workspace, s: Settings) -> None:
        self.lab, self.work, self.s = lab, work, s
        self.corpus = make_messages(s.messages, s.seed)
        self.rows: list[Row] = []

    def text(self, uids: list[str]) -> list[bytes]:
        """The expected bytes of the alice messages ``uids`` (arrival order = corpus order)."""
        index = {uid: i for i, uid in enumerate(self.lab.alice)}
        return [self.corpus[index[uid]] for uid in uids]

    def settled(self, prepare: Prepare) -> Prepare:
        """``prepare``, then wait for the server to end the set-up's sessions."""

        def wrapped() -> Callable[[], object]:
            run = prepare()
            self.lab.idle()
            return run

        return wrapped

    def timed(self, prepare: Prepare, *, settle: bool = True) -> float:
        return median_time(self.s.repeats, self.settled(prepare) if settle else prepare)

    @staticmethod
    def check(condition: bool, what: str) -> None:
        _check(condition, what)

    def peak(self, prepare: Prepare) -> float:
        return median_peak(self.s.repeats, self.settled(prepare))

    def add(self, what: str, rtt: bool, ours_v: float, base_v: float | None, unit: str) -> None:
        row = Row(what, round(2000 * self.s.delay) if rtt else 0, ours_v, base_v, unit)
        self.rows.append(row)
        print(format_row(row), flush=True)

    # -- time -------------------------------------------------------------------------

    def refresh_first(self, rtt: bool) -> None:
        lab, n, port = self.lab, self.s.messages, self.lab.port_for(rtt)

        def ours_prepare() -> Callable[[], object]:
            _, inbox = self.work.inboxes(lab.host, lab.port, port)
            return lambda: _check(inbox.refresh().total == n, "ours listed every message")

        def base_prepare() -> Callable[[], object]:
            return lambda: _check(len(baseline.refresh(lab.host, port)) == n, "poplib listed all")

        base = self.timed(base_prepare)
        self.add(f"first refresh, {n} headers", rtt, self.timed(ours_prepare), base, "s")
        lab.pipelining(False)
        try:
            nopipe = self.timed(ours_prepare)
        finally:
            lab.pipelining(True)
        self.add("  same, server without PIPELINING", rtt, nopipe, base, "s")

    def refresh_second(self, rtt: bool) -> None:
        lab, n, port = self.lab, self.s.messages, self.lab.port_for(rtt)

        def ours_prepare() -> Callable[[], object]:
            fast, slow = self.work.inboxes(lab.host, lab.port, port)
            fast.refresh()
            return lambda: _check(not slow.refresh().added, "second refresh found nothing new")

        def base_prepare() -> Callable[[], object]:
            return lambda: _check(baseline.refresh_incremental(lab.host, port, n) == 0, "no new")

        self.add(
            "second refresh, nothing new",
            rtt,
            self.timed(ours_prepare),
            self.timed(base_prepare),
            "s",
        )

    def fetch(self, rtt: bool) -> None:
        lab, port = self.lab, self.lab.port_for(rtt)
        picked = _pick(lab.alice, self.s.fetch)
        expected = self.text(picked)

        def ours_each() -> Callable[[], object]:
            fast, slow = self.work.inboxes(lab.host, lab.port, port)
            fast.refresh()
            return lambda: _check(
                [slow.fetch(uid, use_cache=False) for uid in picked] == expected, "ours fetched"
            )

        def base_each() -> Callable[[], object]:
            got = baseline.fetch_each
            return lambda: _check(got(lab.host, port, picked) == expected, "poplib fetched")

        def ours_one() -> Callable[[], object]:
            # The inbox's verified batch: UIDL map, size check, pipelined RETR, header check.
            fast, slow = self.work.inboxes(lab.host, lab.port, port)
            fast.refresh()

            def run() -> None:
                got = slow.fetch_many(picked, use_cache=False)
                _check([got[uid] for uid in picked] == expected, "ours fetched")

            return run

        def base_one() -> Callable[[], object]:
            got = baseline.fetch_one_session
            return lambda: _check(got(lab.host, port, picked) == expected, "poplib fetched")

        k = len(picked)
        self.add(f"fetch {k}, one session each", rtt, self.timed(ours_each),
                 self.timed(base_each), "s")  # fmt: skip
        self.add(f"fetch {k}, all in one session", rtt, self.timed(ours_one),
                 self.timed(base_one), "s")  # fmt: skip

    def delete(self, rtt: bool) -> None:
        lab, port, count = self.lab, self.lab.port_for(rtt), self.s.delete

        def ours_prepare() -> Callable[[], object]:
            picked = _pick(lab.reset(), count)
            fast, slow = self.work.inboxes(lab.host, lab.port, port)
            fast.refresh()

            def run() -> None:
                report = slow.delete(picked)
                _check(sorted(report.deleted) == sorted(picked), "ours deleted the picked ones")

            return run

        def base_prepare() -> Callable[[], object]:
            picked = _pick(lab.reset(), count)
            return lambda: _check(
                baseline.delete(lab.host, port, picked) == count, "poplib deleted"
            )

        self.add(
            f"delete {count} picked messages",
            rtt,
            self.timed(ours_prepare),
            self.timed(base_prepare),
            "s",
        )
        lab.reset()

    # -- memory -----------------------------------------------------------------------

    def memory(self) -> None:
        if self.lab.bob:
            self.memory_big(self.lab.bob[0])
        lab, n = self.lab, self.s.messages

        def ours_refresh() -> Callable[[], object]:
            _, inbox = self.work.inboxes(lab.host, lab.port, lab.port)
            return lambda: _check(inbox.refresh().total == n, "ours listed every message")

        def base_refresh() -> Callable[[], object]:
            return lambda: _check(len(baseline.refresh(lab.host, lab.port)) == n, "poplib listed")

        self.add(f"peak memory, first refresh of {n}", False, self.peak(ours_refresh),
                 self.peak(base_refresh), "MB")  # fmt: skip

    def memory_big(self, uid: str) -> None:
        lab = self.lab
        expected = big_message(self.s.big)

        def ours_inbox() -> Callable[[], object]:
            fast, _ = self.work.inboxes(lab.host, lab.port, lab.port, user="bob")
            fast.refresh()
            return lambda: _check(fast.fetch(uid, use_cache=False) == expected, "big fetched")

        def ours_client() -> Callable[[], object]:
            got = ours.retr_first
            return lambda: _check(got(lab.host, lab.port, "bob") == expected, "big fetched")

        def base_big() -> Callable[[], object]:
            got = baseline.fetch_each
            return lambda: _check(got(lab.host, lab.port, [uid], "bob") == [expected], "big")

        base = self.peak(base_big)
        mb = f"{self.s.big / 1024 / 1024:.0f} MB"
        self.add(f"peak memory, fetch one {mb} message", False, self.peak(ours_inbox), base, "MB")
        self.add("  same, protocol layer only (retr)", False, self.peak(ours_client), base, "MB")

    def warm_up(self) -> None:
        """One untimed pass of each client: imports, caches and the server's threads."""
        self.warm_up_on(self.lab.port, "alice")
        self.lab.idle()

    def warm_up_on(self, port: int, user: str) -> None:
        fast, _ = self.work.inboxes(self.lab.host, port, port, user=user)
        fast.refresh()
        baseline.refresh(self.lab.host, port, user)


HEADER = f"{'measurement':<40} {'RTT':>6} {'ours':>9} {'poplib':>9} {'poplib/ours':>12}"


def format_row(row: Row) -> str:
    def value(v: float | None) -> str:
        return "-" if v is None else f"{v:.3f} s" if row.unit == "s" else f"{v:.1f} MB"

    ratio = row.ratio
    return (
        f"{row.what:<40} {row.rtt_ms:>4}ms {value(row.ours):>9} {value(row.baseline):>9} "
        f"{'-' if ratio is None else f'{ratio:.2f}x':>12}"
    )


def run(s: Settings) -> list[Row]:
    """Run every measurement, printing each row as it is measured; return the rows."""
    link = f"{2 * s.delay * 1e3:.0f} ms"
    print(f"{s.messages} messages, median of {s.repeats} runs, slow link RTT {link}")
    print(f"started {time.strftime('%Y-%m-%d %H:%M %Z')}\n")
    print(HEADER)
    print("-" * len(HEADER))
    with (
        tempfile.TemporaryDirectory(prefix="pymailgui-bench-") as tmp,
        Lab(s.messages, s.delay, s.big, s.seed) as lab,
    ):
        work = ours.Workspace(Path(tmp))
        try:
            bench = Bench(lab, work, s)
            bench.warm_up()
            for rtt in (False, True):
                bench.refresh_first(rtt)
                bench.refresh_second(rtt)
                bench.fetch(rtt)
                bench.delete(rtt)
            bench.memory()
            if s.dovecot:
                skipped = run_dovecot(bench)
                if skipped:
                    print(f"Dovecot rows skipped: {skipped}")
        finally:
            work.close()
        return bench.rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a smaller run, under 20 s")
    parser.add_argument("--messages", type=int, help="messages in the mailbox")
    parser.add_argument("--repeats", type=int, help="runs per figure (the median is shown)")
    parser.add_argument("--rtt", type=float, help="round-trip time of the slow link, in ms")
    parser.add_argument("--dovecot", action="store_true", help="also time a private Dovecot")
    args = parser.parse_args(argv)
    s = QUICK if args.quick else Settings()
    s = replace(
        s,
        messages=args.messages or s.messages,
        repeats=args.repeats or s.repeats,
        delay=args.rtt / 2000 if args.rtt is not None else s.delay,
        dovecot=args.dovecot,
    )
    started = time.perf_counter()
    run(s)
    print(f"\ndone in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
