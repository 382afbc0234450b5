"""Desktop client figures for 10,000 and 100,000 cached messages, with the issue's targets.

    .venv/bin/python bench/bench_gui.py            # 10,000 and 100,000 (~3 minutes)
    .venv/bin/python bench/bench_gui.py --sizes 10000

Not a test: it prints one row per figure, with the target from issue 7 and a baseline
measured in the same run (what the same work costs without PyMailGUI on top):

- launch to index shown: ``pymailgui`` started as a process on a prepared cache, until
  the list has painted N rows (nothing connects). Baseline: a process that imports
  PySide6 and paints an empty QTableView. Target <= 1 s at 10,000.
- sort by each column, from the header: ``model.sort``. Baseline: Python's ``sorted``
  over the same precomputed keys. Target <= 0.5 s at 100,000.
- filter keystroke to result: a key typed into the filter box until the list shows the
  matches (each of "a", "al", "ali"... measured, the worst reported). Baseline: the
  substring scan alone. Target <= 100 ms.
- longest GUI-thread stall during a load: a 10 ms QTimer heartbeat while Get Mail loads
  N new headers from the scripted POP3 server (in a child process), then while Get Mail
  runs again with N shown and none new. Baseline: the same heartbeat while idle.
  Target <= 50 ms.
- resident memory with the index shown (VmRSS of the launched process). Baseline: the
  empty-table process. Target <= 400 MB at 100,000.
- issue 8: Ctrl+N to a painted compose window (baseline: a bare window with a text
  editor), its address completion built from the whole index in the thread pool
  (baseline: the same scan in one call), and the longest GUI-thread stall meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ACCOUNT = "bench"
NAMES = ["Alice Martin", "Bob Chen", "Carol Diaz", "Dave Okafor", "Eve Adams", "Frank Li"]


class Heartbeat:
    """A 10 ms QTimer on the GUI thread; ``worst`` is the longest gap between beats."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._beat)

    def _beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return max(self.gaps) if self.gaps else 0.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fake_rows(n: int) -> list[tuple[object, bytes]]:
    from pymailgui.message.summary import MessageRow

    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        name = NAMES[i % len(NAMES)]
        sender = f"{name} <{name.split()[0].lower()}{i % 97}@example.com>"
        subject = (
            f"Report {i}: quarterly numbers for team {i % 13} ({'draft' if i % 5 else 'final'})"
        )
        row = MessageRow(
            key=f"{i:08X}6B086AC0",
            size=2000 + (i * 37) % 50_000,
            from_=sender,
            to="Demo User <demo@example.com>",
            cc="",
            subject=subject,
            date=start + timedelta(minutes=7 * i),
            message_id=f"<m{i}@example.com>",
            has_attachments=i % 4 == 0,
            number=i + 1,
            fingerprint=f"{i:064x}",
        )
        header = f"From: {sender}\r\nSubject: {subject}\r\n".encode()
        rows.append((row, header))
    return rows


def prepare_home(n: int) -> Path:
    from pymailgui.inbox.cache import IndexCache

    home = Path(tempfile.mkdtemp(prefix=f"pymailgui-bench-{n}-"))
    cache = IndexCache(home / "cache.sqlite3")
    with cache.transaction() as db:
        cache.set_mode(db, ACCOUNT, "uidl")
        cache.put_rows(db, ACCOUNT, fake_rows(n))
    cache.close()
    (home / "config.toml").write_text(
        f'[general]\nuse_keyring = false\n\n[accounts.{ACCOUNT}]\naddress = "demo@example.com"\n\n'
        f'[accounts.{ACCOUNT}.pop]\nhost = "127.0.0.1"\nport = 9\nsecurity = "none"\n'
        'password_command = "echo x"\n'
    )
    return home


# -- children: one process per launch measurement ---------------------------------------
def child_launch(n: int) -> None:
    from PySide6.QtWidgets import QApplication

    from pymailgui.config.load import load
    from pymailgui.gui.app import application
    from pymailgui.gui.session import Desktop

    application()
    desktop = Desktop(load(None))
    window = desktop.open_account()
    assert window is not None
    while window.model.rowCount() < n:
        QApplication.processEvents()
        time.sleep(0.001)
    window.table.viewport().repaint()
    QApplication.processEvents()
    print(json.dumps({"shown": time.time(), "rss": rss_mb()}), flush=True)
    desktop.close_now()


def child_baseline() -> None:
    from PySide6.QtWidgets import QApplication, QTableView

    app = QApplication([])
    view = QTableView()
    view.resize(1000, 640)
    view.show()
    view.viewport().repaint()
    app.processEvents()
    print(json.dumps({"shown": time.time(), "rss": rss_mb()}), flush=True)


def child_serve(n: int) -> None:
    from pymailgui.devserver.maildrop import Maildrop
    from pymailgui.devserver.pop3server import ScriptedPOP3Server

    drop = Maildrop()
    for i in range(n):
        name = NAMES[i % len(NAMES)]
        drop.add(
            f"From: {name} <x{i % 97}@example.com>\r\nTo: demo@example.com\r\n"
            f"Subject: Loaded {i}\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n"
            f"Message-ID: <l{i}@example.com>\r\n\r\nBody {i}\r\n".encode()
        )
    server = ScriptedPOP3Server({"alice": ("secret", drop)})
    host, port = server.start()
    print(json.dumps({"host": host, "port": port}), flush=True)
    sys.stdin.readline()
    server.stop()


def spawn(*args: str, home: Path | None = None) -> tuple[float, dict[str, float]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), QT_QPA_PLATFORM="offscreen")
    if home is not None:
        env["PYMAILGUI_HOME"] = str(home)
    started = time.time()
    done = subprocess.run(
        [sys.executable, __file__, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["shown"] - started, result


def median_spawn(*args: str, home: Path | None = None) -> tuple[float, dict[str, float]]:
    """The median of three launches (the machine is shared: one run can be unlucky)."""
    runs = sorted((spawn(*args, home=home) for _ in range(3)), key=lambda r: r[0])
    return runs[1]


# -- in-process measurements -------------------------------------------------------------
def in_process(n: int, home: Path) -> dict[str, object]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from pymailgui.config.load import load
    from pymailgui.gui.app import application
    from pymailgui.gui.rowset import TITLES, Column
    from pymailgui.gui.session import Desktop

    os.environ["PYMAILGUI_HOME"] = str(home)
    application()
    desktop = Desktop(load(None))
    window = desktop.open_account()
    assert window is not None
    window.show()
    while window.model.rowCount() < n:
        QApplication.processEvents()
    model, rowset = window.model, window.model.rowset
    sorts = {}
    for column in Column:
        t = time.perf_counter()
        model.sort(column, Qt.SortOrder.DescendingOrder)
        QApplication.processEvents()
        ours = time.perf_counter() - t
        t = time.perf_counter()
        sorted(range(n), key=rowset.keys[column].__getitem__, reverse=True)
        sorts[TITLES[column] or "attachment"] = (ours, time.perf_counter() - t)
    model.sort(-1)
    worst, base = 0.0, 0.0
    window.filter.setFocus()
    for ch in "carol":
        t = time.perf_counter()
        QTest.keyClick(window.filter, ch)
        QApplication.processEvents()
        worst = max(worst, time.perf_counter() - t)
    text = window.filter.text().casefold()
    t = time.perf_counter()
    [i for i, h in enumerate(rowset.hay) if text in h]
    base = time.perf_counter() - t
    shown = model.rowCount()
    compose = compose_figures(desktop, window)
    desktop.close_now()
    return {"sorts": sorts, "filter": (worst, base, shown), "compose": compose}


def compose_figures(desktop: object, window: object) -> dict[str, tuple[float, float]]:
    """Ctrl+N to a painted compose window, and its address completion built from the
    whole index in the pool while a 10 ms heartbeat watches the GUI thread."""
    from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit

    from pymailgui.gui import addresses

    context = window.context  # type: ignore[attr-defined]
    context.address_book.forget()
    heartbeat = Heartbeat()
    heartbeat.start()
    t = time.perf_counter()
    compose = desktop.writing.compose(context)  # type: ignore[attr-defined]
    compose.repaint()
    QApplication.processEvents()
    opened = time.perf_counter() - t
    while compose.to.completer_.model().rowCount() == 0:
        QApplication.processEvents()
    ready = time.perf_counter() - t
    stall = heartbeat.stop()
    compose.close_keeping_text()
    t = time.perf_counter()
    bare = QMainWindow()
    bare.setCentralWidget(QPlainTextEdit(bare))
    bare.show()
    bare.repaint()
    QApplication.processEvents()
    bare_open = time.perf_counter() - t
    bare.close()
    t = time.perf_counter()
    addresses.collect(context.model.rowset.rows, [], ())
    collect = time.perf_counter() - t
    return {"open": (opened, bare_open), "ready": (ready, collect), "stall": (stall, 0.010)}


def load_stall(n: int) -> tuple[float, float, float, float, float]:
    from PySide6.QtWidgets import QApplication

    from pymailgui.config import (
        AccountConfig,
        Config,
        GeneralConfig,
        GuiConfig,
        Security,
        ServerConfig,
    )
    from pymailgui.gui.app import application
    from pymailgui.gui.session import Desktop

    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(n)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdin is not None
    where = json.loads(child.stdout.readline())
    os.environ["PYMAILGUI_HOME"] = tempfile.mkdtemp(prefix="pymailgui-bench-load-")
    application()
    pop = ServerConfig(
        host=where["host"], port=where["port"], security=Security.NONE, username="alice", timeout=60
    )
    config = Config(
        general=GeneralConfig(use_keyring=False),
        gui=GuiConfig(),
        accounts={"load": AccountConfig(name="load", address="a@example.com", pop=pop)},
    )
    desktop = Desktop(config, fixed_password="secret")
    window = desktop.open_account()
    assert window is not None
    idle_beat = Heartbeat()
    idle_beat.start()
    idle_until = time.perf_counter() + 1.0
    while time.perf_counter() < idle_until:
        QApplication.processEvents()
        time.sleep(0.001)
    idle = idle_beat.stop()
    heartbeat = Heartbeat()
    heartbeat.start()
    started = time.perf_counter()
    window.get_mail()
    while window.context.worker.busy or window.model.rowCount() < n:
        QApplication.processEvents()
        time.sleep(0.001)
    elapsed = time.perf_counter() - started
    stall = heartbeat.stop()
    # Get Mail again with N rows shown and nothing new (the automatic check): the list
    # is matched against the old one, which was once quadratic (148 s at 100,000).
    again_beat = Heartbeat()
    again_beat.start()
    started = time.perf_counter()
    window.get_mail()
    while window.context.worker.busy:
        QApplication.processEvents()
        time.sleep(0.001)
    again = time.perf_counter() - started
    again_stall = again_beat.stop()
    desktop.close_now()
    child.stdin.write("quit\n")
    child.stdin.flush()
    child.wait(30)
    return stall, idle, elapsed, again_stall, again


def row(name: str, ours: float, base: float, target: str, unit: str = "s") -> None:
    ratio = ours / base if base > 0 else float("nan")
    if unit == "ms":
        print(
            f"| {name} | {ours * 1000:,.0f} ms | {base * 1000:,.1f} ms | {ratio:,.1f} | {target} |",
            flush=True,
        )
    elif unit == "MB":
        print(f"| {name} | {ours:,.0f} MB | {base:,.0f} MB | {ratio:,.1f} | {target} |", flush=True)
    else:
        print(f"| {name} | {ours:.3f} s | {base:.3f} s | {ratio:,.1f} | {target} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--child-launch", type=int)
    parser.add_argument("--child-baseline", action="store_true")
    parser.add_argument("--serve", type=int)
    parser.add_argument("--in-process", type=int)
    parser.add_argument("--load", type=int)
    args = parser.parse_args()
    if args.child_launch:
        return child_launch(args.child_launch)
    if args.child_baseline:
        return child_baseline()
    if args.serve:
        return child_serve(args.serve)
    if args.in_process:  # one fresh process per size: no state carried between them
        print(json.dumps(in_process(args.in_process, prepare_home(args.in_process))))
        return None
    if args.load:
        print(json.dumps(load_stall(args.load)))
        return None
    print("| figure | PyMailGUI | baseline | ratio | target |\n|---|---|---|---|---|", flush=True)
    base_launch, base = median_spawn("--child-baseline")
    for n in args.sizes:
        home = prepare_home(n)
        launch, shown = median_spawn("--child-launch", str(n), home=home)
        row(f"{n:,}: launch to index shown", launch, base_launch, "<= 1 s at 10,000")
        row(
            f"{n:,}: resident memory, index shown",
            shown["rss"],
            base["rss"],
            "<= 400 MB at 100,000",
            "MB",
        )
        figures = _json_child("--in-process", str(n))
        for column, (ours, floor) in figures["sorts"].items():
            row(f"{n:,}: sort by {column}", ours, floor, "<= 0.5 s at 100,000")
        worst, floor, shown_rows = figures["filter"]
        row(
            f"{n:,}: filter keystroke to result (worst of 'carol', {shown_rows:,} shown)",
            worst,
            floor,
            "<= 100 ms",
            "ms",
        )
        compose = figures["compose"]
        row(f"{n:,}: Ctrl+N to compose window shown", *compose["open"], "instant", "ms")
        row(
            f"{n:,}: completion from {n:,} rows ready (pool; baseline: the scan alone)",
            *compose["ready"],
            "off the GUI thread",
        )
        row(
            f"{n:,}: longest GUI stall while it builds (baseline: the 10 ms beat)",
            *compose["stall"],
            "<= 50 ms",
            "ms",
        )
        stall, idle, elapsed, again_stall, again = _json_child("--load", str(n))
        row(
            f"{n:,}: longest GUI stall, Get Mail of {n:,} new ({elapsed:.1f} s)",
            stall,
            idle,
            "<= 50 ms",
            "ms",
        )
        row(
            f"{n:,}: longest GUI stall, Get Mail again, none new ({again:.1f} s)",
            again_stall,
            idle,
            "<= 50 ms",
            "ms",
        )


def _json_child(*args: str) -> object:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, __file__, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
