"""Whole commands, each in its own process: how they are started, timed and checked.

Every client the bench compares is run the way a user runs it: a new process, with its
interpreter start-up and imports, output to a file (as to a pipe: not a terminal), timed
from start to exit, and its peak resident memory read from the kernel (``wait4``).

- ``pymail list --json`` (and ``--offline``) with a private ``PYMAILGUI_HOME`` whose
  config points at the server; the password comes from a ``password_command``.
- the classic poplib client (:mod:`bench.baseline`), the pipelined reference
  (:mod:`bench.reference`) and the server's floor (:mod:`bench.floor`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.lab import PASSWORD, bench_env

COMMAND_TIMEOUT = 1800.0


@dataclass(frozen=True)
class Run:
    seconds: float
    max_rss_mb: float
    stdout: bytes
    stderr: bytes


def run_command(args: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``args`` to completion through :mod:`bench.launch` (which times it and reads
    its own peak RSS); fail loudly on a non-zero exit."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile(suffix=".json") as result,
    ):
        launcher = [sys.executable, "-m", "bench.launch", result.name, *args]
        subprocess.run(
            launcher,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env or bench_env(),
            timeout=COMMAND_TIMEOUT,
            check=True,
        )
        measured = json.loads(Path(result.name).read_text())
        out.seek(0)
        err.seek(0)
        run = Run(measured["seconds"], measured["max_rss_kb"] / 1024, out.read(), err.read())
    if measured["code"] != 0:
        raise RuntimeError(
            f"benchmark self-check failed: {' '.join(args[:4])}... exited with "
            f"{measured['code']}: {run.stderr.decode(errors='replace')[-2000:]}"
        )
    return run


def _pymail() -> list[str]:
    """The installed ``pymail`` entry point next to this interpreter, else ``-m``."""
    found = shutil.which("pymail", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "pymailgui.console.main"]


class PymailHome:
    """A private PYMAILGUI_HOME with a config for one server account ("bench")."""

    def __init__(self, root: Path, host: str, user: str) -> None:
        self.root = root
        self.host = host
        self.user = user
        root.mkdir(parents=True, exist_ok=True)

    def point_at(self, port: int) -> PymailHome:
        (self.root / "config.toml").write_text(
            "[general]\nuse_keyring = false\n\n"
            '[accounts.bench]\naddress = "alice@example.org"\n\n'
            f'[accounts.bench.pop]\nhost = "{self.host}"\nport = {port}\n'
            f'security = "none"\nusername = "{self.user}"\n'
            f'password_command = "echo {PASSWORD}"\ntimeout = 120\n'
        )
        return self

    def copy_to(self, root: Path) -> PymailHome:
        shutil.copytree(self.root, root)
        return PymailHome(root, self.host, self.user)

    def list(self, *, offline: bool = False) -> tuple[Run, list[dict[str, object]]]:
        """``pymail list --json`` (``--offline``): the run and the rows it printed."""
        env = bench_env()
        env["PYMAILGUI_HOME"] = str(self.root)
        args = [*_pymail(), "list", "--json", *(["--offline"] if offline else [])]
        run = run_command(args, env)
        rows: list[dict[str, object]] = json.loads(run.stdout or b"[]")
        return run, rows


def classic(host: str, port: int, user: str, limit: int | None = None) -> tuple[Run, int]:
    args = [sys.executable, "-m", "bench.baseline", host, str(port), user]
    run = run_command(args + ([str(limit)] if limit is not None else []))
    return run, int(run.stdout)


def reference(host: str, port: int, user: str) -> tuple[Run, int]:
    run = run_command([sys.executable, "-m", "bench.reference", host, str(port), user, PASSWORD])
    return run, int(run.stdout)


def floor(host: str, port: int, user: str, count: int, verb: str = "TOP") -> tuple[Run, int]:
    args = [sys.executable, "-m", "bench.floor", host, str(port), user, PASSWORD]
    run = run_command([*args, str(count), verb])
    return run, int(run.stdout)


def profile_pymail(
    home: PymailHome, output: Path, *, offline: bool = False, rate: int = 250
) -> Run:
    """``pymail list --json`` under py-spy (every thread, waits included), written to
    ``output`` as a text tree per thread (:mod:`bench.spytext`)."""
    from bench import spytext

    spy = shutil.which("py-spy", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    if spy is None:
        raise RuntimeError("--profile needs py-spy: pip install -e '.[bench]'")
    env = bench_env()
    env["PYMAILGUI_HOME"] = str(home.root)
    raw = output.with_suffix(".raw")
    args = [spy, "record", "--rate", str(rate), "--nonblocking", "--idle", "--threads"]
    args += ["--nolineno", "--format", "raw", "-o", str(raw), "--", sys.executable]
    args += ["-m", "pymailgui.console.main", "list", "--json", *(["--offline"] if offline else [])]
    run = run_command(args, env)
    lines = raw.read_text(encoding="utf-8").splitlines()
    raw.unlink()
    head = f"py-spy, {rate} samples/s, wall clock (waits included): pymail list --json"
    output.write_text(f"{head}{' --offline' if offline else ''}\n\n{spytext.render(lines, rate)}\n")
    return run
