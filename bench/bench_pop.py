"""POP3 benchmark at scale: PyMailGUI against the classic client, a pipelined reference
and the server's own floor, on the scripted server and a private Dovecot, same run.

    python bench/bench_pop.py                       # 1,000 and 10,000 at 0/10/50 ms
    python bench/bench_pop.py --sizes 1000 --rtts 0,50 --quick
    python bench/bench_pop.py --sizes 100000 --rtts 50   # the scale case (opt-in)

Prints every figure as it is measured (the median of ``--repeats`` runs), then a table
per server and mailbox size, then issue 9's targets with PASS/MISS, and writes it all
as JSON. See bench/README.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

if not __package__:  # run as a script: make ``bench`` and ``pymailgui`` importable
    _ROOT = Path(__file__).resolve().parent.parent
    sys.path[:0] = [str(_ROOT), str(_ROOT / "src")]

from bench import clients, dovecot, report
from bench.clients import PymailHome
from bench.corpus import iter_messages
from bench.lab import ROOT, Lab, user_for
from bench.matrix import Figure, Matrix, Server
from bench.verbs import Verbs

PROFILES = ROOT / "bench" / "profiles"


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...] = (1_000, 10_000)
    rtts: tuple[int, ...] = (0, 10, 50)
    servers: tuple[str, ...] = ("dovecot", "scripted")
    repeats: int = 3
    new: int = 100
    classic_budget: float = 20.0
    full_classic: bool = False
    verbs: bool = True
    big: int = 20 * 1024 * 1024
    seed: int = 1939
    profile: bool = False
    json: Path = field(default=ROOT / "bench" / "last-run.json")


def scripted_server(lab: Lab) -> Server:
    return Server(
        name="scripted",
        label="scripted server",
        host=lab.host,
        link=lambda rtt: lab.link(lab.port, rtt),
        uids=lambda n: lab.uids(user_for(n)),
        add_new=lambda n, k: lab.add(user_for(n), k),
        remove_new=lambda n, token: lab.drop(user_for(n), list(token)),  # type: ignore[call-overload]
        settle=lab.idle,
    )


def dovecot_server(lab: Lab, dc: dovecot.BenchDovecot, sizes: tuple[int, ...], seed: int) -> Server:
    for n in sizes:
        started = time.perf_counter()
        dc.add_mailbox(user_for(n), iter_messages(n, seed))
        print(f"  Dovecot: {n:,} messages delivered and indexed in "
              f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip

    def add_new(n: int, k: int) -> object:
        return dc.add_new(user_for(n), iter_messages(k, seed, start=n + 1))

    return Server(
        name="dovecot",
        label=f"Dovecot {dc.version}",
        host=dc.host,
        link=lambda rtt: lab.link(dc.port, rtt),
        uids=lambda n: dc.boxes[user_for(n)].uids,
        add_new=add_new,
        remove_new=lambda n, token: dc.remove(token),  # type: ignore[arg-type]
    )


def profile(matrix: Matrix, srv: Server, n: int, rtt: int) -> list[str]:
    """py-spy profiles (text) of ``pymail list --json`` cold, warm and offline."""
    PROFILES.mkdir(exist_ok=True)
    written = []
    for kind in ("cold", "warm", "offline"):
        target = PROFILES / f"{kind}-{n}-{rtt}ms-{srv.name}.txt"
        if kind == "cold":
            home = PymailHome(matrix.work / "profile", srv.host, srv.user(n))
        else:
            home = matrix.warm_home(srv, n).copy_to(matrix.work / f"profile-{kind}")
        srv.settle()
        clients.profile_pymail(home.point_at(srv.link(rtt)), target, offline=kind == "offline")
        shutil.rmtree(home.root)
        written.append(str(target))
        print(f"  profile: {target}", flush=True)
    return written


def run(s: Settings) -> list[Figure]:
    sizes = ", ".join(f"{n:,}" for n in s.sizes)
    rtts = ", ".join(map(str, s.rtts))
    when = time.strftime("%Y-%m-%d %H:%M %Z")
    print(f"sizes {sizes}; RTT {rtts} ms; median of {s.repeats}; started {when}\n", flush=True)
    started = time.perf_counter()
    servers: list[Server] = []
    dc: dovecot.BenchDovecot | None = None
    skipped = None
    with (
        tempfile.TemporaryDirectory(prefix="pymailgui-bench-") as tmp,
        # Without the scripted server the lab only runs the proxies: no mailboxes.
        Lab(
            list(s.sizes) if "scripted" in s.servers else [1], s.big if s.verbs else 0, s.seed
        ) as lab,
    ):
        try:
            if "dovecot" in s.servers:
                skipped = dovecot.available()
                if skipped is None:
                    dc = dovecot.BenchDovecot()
                    servers.append(dovecot_server(lab, dc, s.sizes, s.seed))
                else:
                    print(f"Dovecot skipped: {skipped}")
            if "scripted" in s.servers:
                servers.append(scripted_server(lab))
            matrix = Matrix(s.repeats, s.new, s.classic_budget, s.full_classic, Path(tmp))
            for srv in servers:
                for n in s.sizes:
                    for rtt in s.rtts:
                        matrix.cell(srv, n, rtt)
            if s.verbs:
                verbs(matrix, lab, servers, s, Path(tmp) / "verbs")
            profiles = []
            if s.profile and servers:
                n = 10_000 if 10_000 in s.sizes else max(s.sizes)
                profiles.append(str(profile(matrix, servers[0], n, max(s.rtts))))
        finally:
            if dc is not None:
                dc.stop()
    figs = report.Figures(matrix.figures)
    labels = {srv.name: srv.label for srv in servers}
    for line in report.table(figs, labels, s.new):
        print(line)
    headline = servers[0] if servers else None
    found = report.targets(figs, headline.name, max(s.rtts)) if headline else []
    for line in report.target_lines(found, headline.label if headline else "-"):
        print(line)
    print("\n* estimated from two shorter runs of the classic client (see bench/README.md)")
    settings = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(s).items()}
    extra = {"servers": labels, "dovecot_skipped": skipped, "profiles": profiles}
    report.write_json(s.json, settings, figs, found, extra)
    print(f"\nJSON: {s.json}\ndone in {time.perf_counter() - started:.0f} s")
    return matrix.figures


def verbs(matrix: Matrix, lab: Lab, servers: list[Server], s: Settings, work: Path) -> None:
    n = min(s.sizes)
    v = Verbs(matrix, lab, n, work)
    try:
        for srv in servers:
            for rtt in s.rtts:
                v.download_all(srv, rtt)
        scripted = [srv for srv in servers if srv.name == "scripted"]
        for srv in scripted:
            for rtt in sorted({min(s.rtts), max(s.rtts)}):
                v.scripted(srv, rtt)
            v.memory(srv, s.big)
    finally:
        v.close()


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x.replace("_", "")) for x in text.split(",") if x)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=_ints, help="mailbox sizes (default 1000,10000)")
    parser.add_argument("--rtts", type=_ints, help="round trips in ms (default 0,10,50)")
    parser.add_argument("--servers", help="dovecot,scripted (default both)")
    parser.add_argument("--repeats", type=int, help="runs per figure, the median is shown")
    parser.add_argument("--quick", action="store_true", help="one run each, 1000 at 0,50 ms")
    parser.add_argument("--no-verbs", action="store_true", help="skip the in-process verbs")
    parser.add_argument("--full-classic", action="store_true", help="never extrapolate")
    parser.add_argument("--classic-budget", type=float, help="seconds before extrapolating")
    parser.add_argument("--profile", action="store_true", help="write py-spy profiles")
    parser.add_argument("--json", type=Path, help="where to write the results")
    args = parser.parse_args(argv)
    s = Settings()
    quick = {"repeats": 1, "sizes": (1_000,), "rtts": (0, 50)} if args.quick else {}
    chosen = {
        "sizes": args.sizes, "rtts": args.rtts, "repeats": args.repeats,
        "servers": tuple(args.servers.split(",")) if args.servers else None,
        "classic_budget": args.classic_budget, "json": args.json,
    }  # fmt: skip
    fields = {**asdict(s), **quick, **{k: v for k, v in chosen.items() if v is not None}}
    fields.update(verbs=not args.no_verbs, full_classic=args.full_classic, profile=args.profile)
    run(Settings(**fields))
    return 0


if __name__ == "__main__":
    sys.exit(main())
