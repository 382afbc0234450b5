"""A private D-Bus session bus for the GUI tests, with a recording notification service.

``dbus-daemon`` with a configuration of our own (a socket in the test's directory,
everything allowed), and ``dbus_recorder.py`` owning ``org.freedesktop.Notifications``
on it. Without dbus-daemon a test is skipped, or failed under CI.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SRC = HERE.parents[1] / "src"
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={directory}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@dataclass
class Bus:
    address: str
    calls_file: Path
    click: bool = False  # the recorder "clicks" each notification

    def calls(self) -> list[dict]:
        if not self.calls_file.exists():
            return []
        return [json.loads(line) for line in self.calls_file.read_text().splitlines()]


def start_bus(tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        message = "dbus-daemon is missing (apt-get install dbus-daemon, or run scripts/test)"
        if _ci():
            pytest.fail(f"CI requires {message}", pytrace=False)
        pytest.skip(message)
    socket_dir = tmp_path / "bus"
    socket_dir.mkdir()
    config = tmp_path / "bus.conf"
    config.write_text(BUS_CONFIG.format(directory=socket_dir))
    process = subprocess.Popen(
        [daemon, f"--config-file={config}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    address = process.stdout.readline().strip()
    assert address.startswith("unix:"), address
    return process, address


def start_recorder(address: str, out: Path, click: bool) -> subprocess.Popen[str]:
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address, "QT_QPA_PLATFORM": "offscreen"}
    env["PYTHONPATH"] = str(SRC)
    args = [sys.executable, str(HERE / "dbus_recorder.py"), str(out)] + (["click"] if click else [])
    recorder = subprocess.Popen(args, stdout=subprocess.PIPE, env=env, text=True)
    assert recorder.stdout is not None
    first = recorder.stdout.readline().strip()
    assert first == "ready", first
    return recorder


@contextlib.contextmanager
def running_bus(tmp_path: Path, *, click: bool = False) -> Iterator[Bus]:
    """A private session bus with the recording notification service on it."""
    daemon, address = start_bus(tmp_path)
    out = tmp_path / "calls.jsonl"
    recorder = start_recorder(address, out, click=click)
    try:
        yield Bus(address, out, click=click)
    finally:
        for process in (recorder, daemon):
            process.terminate()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()
