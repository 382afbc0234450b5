"""The bench's report: a table of medians and ratios, the targets of issue 9, JSON."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.matrix import LABELS, Figure

_ORDER = [
    "cold.cli", "cold.inproc", "cold.reference", "cold.classic", "cold.floor", "cold.rss",
    "warm.cli", "warm.inproc", "new.cli", "new.inproc", "offline.cli", "all.inproc", "all.floor",
    "nopipe.inproc", "nopipe.classic", "second.inproc", "second.classic",
    "fetch_each.inproc", "fetch_each.classic", "fetch_one.inproc", "fetch_one.classic",
    "delete.inproc", "delete.classic",
]  # fmt: skip
_RATIOS = [
    ("classic / ours", "cold.classic", "cold.cli"),
    ("reference / ours", "cold.reference", "cold.cli"),
    ("ours / floor", "cold.cli", "cold.floor"),
    ("download all / floor", "all.inproc", "all.floor"),
]


@dataclass
class Target:
    what: str
    goal: str
    measured: str
    ok: bool | None  # None: not measured in this run
    note: str = ""

    @property
    def verdict(self) -> str:
        return "-" if self.ok is None else "PASS" if self.ok else "MISS"


class Figures:
    def __init__(self, figures: list[Figure]) -> None:
        self.all = figures
        self._by = {(f.server, f.n, f.rtt, f.key): f for f in figures}

    def get(self, server: str, n: int, rtt: int, key: str) -> float | None:
        found = self._by.get((server, n, rtt, key))
        return None if found is None else found.median

    def find(self, server: str, n: int, rtt: int, key: str) -> Figure | None:
        return self._by.get((server, n, rtt, key))


def _value(f: Figure | None) -> str:
    if f is None:
        return "-"
    text = f"{f.median:.3f} s" if f.unit == "s" else f"{f.median:.1f} MB"
    return text + ("*" if f.estimated else " ")


def table(figs: Figures, servers: dict[str, str], new: int) -> list[str]:
    """Per server and mailbox size: a row per measurement, a column per round trip."""
    out: list[str] = []
    for server, label in servers.items():
        sizes = sorted({f.n for f in figs.all if f.server == server and f.n > 1})
        for n in sizes:
            rtts = sorted({f.rtt for f in figs.all if f.server == server and f.n == n})
            head = f"{label}, {n:,} messages"
            out.append("")
            out.append(f"{head:<52}" + "".join(f"{f'{r} ms':>12}" for r in rtts))
            for key in _ORDER:
                row = [figs.find(server, n, r, key) for r in rtts]
                if any(row):
                    name = LABELS[key].format(new=new)
                    out.append(f"  {name:<50}" + "".join(f"{_value(f):>12}" for f in row))
            for name, top, bottom in _RATIOS:
                cells = []
                for r in rtts:
                    a, b = figs.get(server, n, r, top), figs.get(server, n, r, bottom)
                    cells.append(f"{a / b:.1f}x" if a and b else "-")
                if any(c != "-" for c in cells):
                    out.append(f"  {'ratio ' + name:<50}" + "".join(f"{c:>12}" for c in cells))
    mem = [f for f in figs.all if f.key.startswith("mem.")]
    if mem:
        out.append("")
        out.append("Memory (tracemalloc peak of Python allocations)")
        for f in mem:
            size = f.extra.get("size", 0) / 1e6
            ratio = f"{f.median / size:.2f}x its {size:.1f} MB"
            out.append(f"  {LABELS[f.key]:<50}{_value(f):>12}  ({ratio})")
    return out


def targets(figs: Figures, server: str, rtt: int = 50) -> list[Target]:
    """Issue 9's targets, measured against ``server`` (Dovecot when it ran)."""
    g = figs.get
    result: list[Target] = []

    def add(
        what: str, goal: str, value: float | None, fmt: str, ok: Callable[[float], bool]
    ) -> None:
        measured = "-" if value is None else fmt.format(value)
        result.append(Target(what, goal, measured, None if value is None else ok(value)))

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    cold = g(server, 10_000, rtt, "cold.cli")
    add(f"cold 10,000 @ {rtt} ms", "<= 1.0 s", cold, "{:.3f} s", lambda v: v <= 1.0)
    add(
        f"  within 2x {server}'s floor",
        "ours/floor <= 2",
        ratio(cold, g(server, 10_000, rtt, "cold.floor")),
        "{:.2f}x",
        lambda v: v <= 2,
    )
    add(
        "  faster than the pipelined reference",
        "ref/ours >= 2.5",
        ratio(g(server, 10_000, rtt, "cold.reference"), cold),
        "{:.2f}x",
        lambda v: v >= 2.5,
    )
    add(
        "  faster than the classic client",
        "classic/ours >= 300",
        ratio(g(server, 10_000, rtt, "cold.classic"), cold),
        "{:.0f}x",
        lambda v: v >= 300,
    )
    for n in (1_000, 10_000):
        value = ratio(g(server, n, 0, "cold.classic"), g(server, n, 0, "cold.cli"))
        add(
            f"fast link: {n:,} @ 0 ms not slower than classic",
            "classic/ours >= 1",
            value,
            "{:.2f}x",
            lambda v: v >= 1,
        )
    for kind, what in (("inproc", "refresh"), ("cli", "pymail list --json")):
        warm = g(server, 10_000, rtt, f"warm.{kind}")
        add(f"warm 10,000 @ {rtt} ms, {what}", "<= 0.3 s", warm, "{:.3f} s", lambda v: v <= 0.3)
        new = g(server, 10_000, rtt, f"new.{kind}")
        extra = None if new is None or warm is None else new - warm
        add("  100 new add", "<= +0.15 s", extra, "+{:.3f} s", lambda v: v <= 0.15)
    add(
        "offline: list --offline of 10,000",
        "<= 0.25 s",
        g(server, 10_000, 0, "offline.cli"),
        "{:.3f} s",
        lambda v: v <= 0.25,
    )
    add(
        f"peak RSS, cold 10,000 @ {rtt} ms",
        "<= 60 MB",
        g(server, 10_000, rtt, "cold.rss"),
        "{:.1f} MB",
        lambda v: v <= 60,
    )
    big = figs.find("scripted", 1, 0, "mem.big.inproc")
    add(
        "fetch a big message (20 MB in a full run)",
        "<= 2x its size",
        None if big is None else big.median * 1e6 / big.extra["size"],
        "{:.2f}x",
        lambda v: v <= 2,
    )
    huge = g(server, 100_000, rtt, "cold.cli")
    add(f"cold 100,000 @ {rtt} ms", "<= 8 s", huge, "{:.2f} s", lambda v: v <= 8)
    per = ratio(None if huge is None else huge / 100_000, None if cold is None else cold / 10_000)
    add(
        "  linear: per-message cost 100,000 vs 10,000",
        "<= 1.3x",
        per,
        "{:.2f}x",
        lambda v: v <= 1.3,
    )
    value = ratio(g(server, 1_000, rtt, "all.inproc"), g(server, 1_000, rtt, "all.floor"))
    add(f"download all 1,000 @ {rtt} ms", "<= 1.5x the floor", value, "{:.2f}x", lambda v: v <= 1.5)
    return result  # fmt: skip


def target_lines(found: list[Target], server_label: str) -> list[str]:
    out = ["", f"Targets of issue 9 (against {server_label})", ""]
    out.append(f"  {'target':<48} {'goal':<20} {'measured':>12}  verdict")
    for t in found:
        out.append(f"  {t.what:<48} {t.goal:<20} {t.measured:>12}  {t.verdict}")
    return out


def machine() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()),
    }


def write_json(
    path: Path, settings: dict[str, Any], figs: Figures, found: list[Target], extra: dict[str, Any]
) -> None:
    data = {
        "machine": machine(),
        "settings": settings,
        **extra,
        "figures": [
            {**asdict(f), "median": f.median, "label": LABELS.get(f.key, f.key)} for f in figs.all
        ],
        "targets": [{**asdict(t), "verdict": t.verdict} for t in found],
    }  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
