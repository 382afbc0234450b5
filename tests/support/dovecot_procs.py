"""Process and port housekeeping for the test Dovecot (see tests/support/dovecot.py).

A run lives in ``$TMPDIR/pmg-dc-XXXX/`` with ``owner.pid`` (the pytest process),
``dovecot.conf`` and ``run/master.pid`` (Dovecot's base_dir). A run whose pytest died
(killed, crashed, Ctrl-C twice) leaves Dovecot running; the next run stops it here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import time
from pathlib import Path

HOST = "127.0.0.1"
DIR_PREFIX = "pmg-dc-"  # stale-run cleanup looks for this prefix in the temp dir


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (start() retries on a race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def pid_alive(pid: int) -> bool:
    """True while the process runs (a zombie waiting for its parent counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def cleanup_stale_runs(tmp_root: Path) -> None:
    """Stop Dovecots left behind by test runs whose pytest process is gone, and remove
    their directories. Only our own instances are touched: the master's command line
    must name that run's config file (a recycled pid is left alone)."""
    for run_dir in tmp_root.glob(f"{DIR_PREFIX}*"):
        owner = read_pid(run_dir / "owner.pid")
        if owner is None and _age(run_dir) < 60:
            continue  # another run's directory, created a moment ago
        if owner is not None and pid_alive(owner):
            continue
        master = read_pid(run_dir / "run" / "master.pid")
        if master is not None:
            try:
                cmdline = Path(f"/proc/{master}/cmdline").read_bytes()
            except OSError:
                cmdline = b""
            if str(run_dir / "dovecot.conf").encode() in cmdline:
                stop_group(master)
        shutil.rmtree(run_dir, ignore_errors=True)


def stop_group(master: int, grace: float = 0.5) -> None:
    """SIGTERM the master (what ``doveadm stop`` does), then SIGKILL its process group.

    Dovecot's login processes linger about 5 s after a SIGTERM, waiting for an auth
    process that is gone; nothing of a test instance needs a graceful end. The master
    leads its own group (``start_new_session``) and is not reaped yet by our caller, so
    the group id cannot have been recycled.
    """
    with contextlib.suppress(ProcessLookupError):
        os.kill(master, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while pid_alive(master) and time.monotonic() < deadline:
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(master, signal.SIGKILL)
