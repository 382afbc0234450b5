"""New-mail notifications: the periodic check finds new mail and PyMailGUI calls
``org.freedesktop.Notifications.Notify`` on a private D-Bus session bus started here,
where a small recording service (dbus_recorder.py) owns the name and accepts only the
specification's exact signature. The window title shows the unread count.

Needs ``dbus-daemon``: skipped without it, failed under CI (scripts/test installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pymailgui.gui.notify import Notifier
from tests.gui.support import WAIT_MS, get_mail, wait_idle
from tests.support.mail import make_message

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


def _start_bus(tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
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


def _start_recorder(address: str, out: Path, click: bool) -> subprocess.Popen[str]:
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address, "QT_QPA_PLATFORM": "offscreen"}
    env["PYTHONPATH"] = str(SRC)
    args = [sys.executable, str(HERE / "dbus_recorder.py"), str(out)] + (["click"] if click else [])
    recorder = subprocess.Popen(args, stdout=subprocess.PIPE, env=env, text=True)
    assert recorder.stdout is not None
    first = recorder.stdout.readline().strip()
    assert first == "ready", first
    return recorder


@pytest.fixture(params=[False, True], ids=["notify", "click"])
def session_bus(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bus]:
    daemon, address = _start_bus(tmp_path)
    out = tmp_path / "calls.jsonl"
    recorder = _start_recorder(address, out, click=request.param)
    try:
        yield Bus(address, out, click=request.param)
    finally:
        for process in (recorder, daemon):
            process.terminate()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()


def test_new_mail_from_the_periodic_check_is_notified_over_dbus(open_inbox, qtbot, session_bus):
    opened = open_inbox([make_message("Old news")], check_minutes=5)
    window, desktop = opened.window, opened.desktop
    notifier = Notifier(session_bus.address, desktop)
    notifier.opened.connect(desktop.open_account)
    desktop.notifier = notifier
    get_mail(qtbot, window)
    window.model.mark_seen(window.model.key_at(0))
    assert window.windowTitle() == "test - PyMailGUI (1 messages)"
    # Mail arrives on the server, and the check (every 5 minutes) runs.
    drop = opened.server.maildrop("alice")
    drop.add(make_message("Lunch <b>today</b> & more", sender="Bob Chen <bob@example.com>"))
    drop.add(make_message("Release notes", sender="Carol <carol@example.com>"))
    assert window.context.check_timer.interval() == 5 * 60_000
    opened_accounts: list[str] = []
    notifier.opened.connect(opened_accounts.append)
    window.context.check_timer.timeout.emit()
    qtbot.waitUntil(lambda: len(session_bus.calls()) == 1, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    call = session_bus.calls()[0]
    assert call["app"] == "PyMailGUI" and call["replaces"] == 0
    assert call["summary"] == "2 new messages (test)"
    # Markup in a subject is escaped: a server with body-markup shows it as text.
    assert "Bob Chen: Lunch &lt;b&gt;today&lt;/b&gt; &amp; more" in call["body"]
    assert "Carol: Release notes" in call["body"]
    assert call["actions"] == ["default", "Open"]
    assert call["hints"]["desktop-entry"] == "pymailgui" and call["timeout"] == -1
    qtbot.waitUntil(lambda: notifier.available is True, timeout=WAIT_MS)
    assert window.windowTitle() == "test - PyMailGUI (2 unread, 3 messages)"
    if session_bus.click:  # a click on "Open" brings the account's inbox forward
        qtbot.waitUntil(lambda: opened_accounts == ["test"], timeout=WAIT_MS)
    else:
        assert opened_accounts == []
    # The next arrival replaces the notification instead of piling up another one.
    drop.add(make_message("One more"))
    window.context.check_timer.timeout.emit()
    qtbot.waitUntil(lambda: len(session_bus.calls()) == 2, timeout=WAIT_MS)
    assert session_bus.calls()[1]["replaces"] == call["id"]
    assert session_bus.calls()[1]["summary"] == "1 new message (test)"


def test_no_notification_server_is_not_an_error(open_inbox, qtbot, tmp_path):
    daemon, address = _start_bus(tmp_path)  # a bus where nobody owns the name
    try:
        opened = open_inbox([make_message("Old news")], check_minutes=5)
        notifier = Notifier(address, opened.desktop)
        opened.desktop.notifier = notifier
        get_mail(qtbot, opened.window)
        opened.server.maildrop("alice").add(make_message("New"))
        opened.window.context.check_timer.timeout.emit()
        qtbot.waitUntil(lambda: notifier.available is False, timeout=WAIT_MS)
        assert "1 unread" in opened.window.windowTitle()
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        assert daemon.stdout is not None
        daemon.stdout.close()
