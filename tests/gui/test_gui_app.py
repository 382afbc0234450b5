"""The application around the windows: start-up, errors, look, geometry, responsiveness."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from pymailgui.errors import ConnectionFailed
from pymailgui.gui import look
from pymailgui.gui.app import install_excepthook
from pymailgui.gui.launcher import Launcher
from pymailgui.gui.rowset import Column
from tests.gui.support import (
    WAIT_MS,
    close_desktop,
    desktop_for,
    get_mail,
    open_by_enter,
    top_level,
    visible_boxes,
)
from tests.support.mail import make_message

SRC = Path(__file__).resolve().parents[2] / "src"


def test_first_start_without_an_account_offers_the_demo(app, qtbot, gui_home):
    launcher = Launcher(argparse.Namespace(demo=False, config=None, account=None, mailto=None))
    assert launcher.start()
    box = launcher.welcome
    assert box is not None and box.isVisible()
    assert "No mail account is set up yet" in box.text()
    assert str(gui_home / "config.toml") in box.informativeText()
    qtbot.mouseClick(launcher.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: launcher.desktop is not None and bool(launcher.desktop.inboxes), timeout=WAIT_MS
    )
    window = launcher.desktop.inboxes["demo"]
    get_mail(qtbot, window)
    assert window.model.rowCount() == 13
    launcher.stop()


def test_demo_option_opens_the_demo_account(app, qtbot):
    launcher = Launcher(argparse.Namespace(demo=True, config=None, account=None, mailto=None))
    assert launcher.start()
    assert launcher.desktop is not None and "demo" in launcher.desktop.inboxes
    launcher.stop()


def test_screenshots_script_saves_every_picture_and_exits_0(tmp_path):
    target = tmp_path / "shots"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYMAILGUI")}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(SRC))
    done = subprocess.run(
        [sys.executable, "-bb", "-m", "pymailgui.gui", "--screenshots", str(target)],
        capture_output=True,
        env=env,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    names = sorted(p.name for p in target.iterdir())
    assert names == sorted(
        [
            "about.png",
            "compose-failed.png",
            "compose.png",
            "folders.png",
            "help.png",
            "inbox-dark.png",
            "inbox-first-dark.png",
            "inbox-first.png",
            "inbox.png",
            "outbox.png",
            "settings-test.png",
            "sync-notice.png",
            "undo.png",
            "viewer-dark.png",
            "viewer-html.png",
            "viewer.png",
        ]
    )
    assert all((target / n).stat().st_size > 5000 for n in names)
    # The offscreen platform's "does not support" notes are silenced, nothing else.
    assert "This plugin does not support" not in done.stderr.decode()


def test_a_known_error_is_a_box_and_a_bug_is_the_crash_dialog(app, qtbot, gui_home):
    saved = sys.excepthook
    install_excepthook(app)
    try:
        error = ConnectionFailed("The server pop.example.com could not be reached.")
        sys.excepthook(type(error), error, None)
        qtbot.waitUntil(lambda: bool(visible_boxes("error_box")), timeout=WAIT_MS)
        box = visible_boxes("error_box")[0]
        assert box.windowTitle() == "Connection failed"
        assert box.text() == str(error)
        try:
            raise ZeroDivisionError("boom")
        except ZeroDivisionError as bug:
            sys.excepthook(type(bug), bug, bug.__traceback__)
        qtbot.waitUntil(lambda: bool(visible_boxes("crash_box")), timeout=WAIT_MS)
        crash = visible_boxes("crash_box")[0]
        log = gui_home / "logs" / "crash.log"
        assert str(log) in crash.text()
        assert "ZeroDivisionError: boom" in log.read_text()
        assert QApplication.activeModalWidget() is None  # non-modal
    finally:
        sys.excepthook = saved


def test_light_and_dark_follow_the_desktop_live(app, qtbot, open_inbox):
    opened = open_inbox([make_message("Hello")])
    hints = QApplication.styleHints()
    before = QApplication.palette().color(QPalette.ColorRole.Window)
    try:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # what the desktop sends
        qtbot.waitUntil(lambda: look.is_dark(opened.window.palette()), timeout=WAIT_MS)
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        qtbot.waitUntil(lambda: not look.is_dark(opened.window.palette()), timeout=WAIT_MS)
    finally:
        look.apply(QApplication.instance(), Qt.ColorScheme.Light)
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() >= 128
    assert before.lightness() >= 128


def test_geometry_and_column_widths_are_remembered(app, qtbot, pop_server_factory, gui_home):
    server = pop_server_factory()
    desktop, window = desktop_for(server, qtbot)
    window.resize(700, 450)
    window.table.horizontalHeader().resizeSection(Column.FROM, 333)
    close_desktop(desktop, qtbot)
    assert (gui_home / "gui.ini").exists()  # from pymailgui.paths, not Qt's default place
    desktop, window = desktop_for(server, qtbot)
    try:
        assert (window.width(), window.height()) == (700, 450)
        assert window.table.horizontalHeader().sectionSize(Column.FROM) == 333
    finally:
        close_desktop(desktop, qtbot)


def test_the_gui_thread_never_stalls_long_during_a_2000_message_load(open_inbox, qtbot):
    messages = [make_message(f"Message {i}", f"Body {i}\r\n" * 20) for i in range(2000)]
    opened = open_inbox(messages)
    window = opened.window
    gaps: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)
    heartbeat.start()
    started = time.perf_counter()
    get_mail(qtbot, window)
    elapsed = time.perf_counter() - started
    heartbeat.stop()
    assert window.model.rowCount() == 2000
    worst = max(gaps)
    print(f"2,000-message load: {elapsed:.2f} s, longest GUI-thread stall {worst * 1000:.0f} ms")
    # The bench holds the 50 ms target; on a shared 2-core CI machine a test allows
    # scheduling noise, but a load done on the GUI thread (seconds) fails here.
    assert worst < 0.5


def test_look_alike_senders_are_flagged_and_executables_never_open(open_inbox, qtbot):
    spoof = make_message(
        "Your account", "Click here.\r\n", sender='"paypal@paypal.com" <evil@example.net>'
    )
    exe = (
        b"From: Bob <bob@example.com>\r\nTo: alice@example.com\r\nSubject: Tool\r\n"
        b"Message-ID: <t1@example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain\r\n\r\nHere.\r\n--b\r\n"
        b'Content-Type: application/pdf; name="invoice.pdf.exe"\r\n'
        b'Content-Disposition: attachment; filename="invoice.pdf.exe"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b--\r\n"
    )
    opened = open_inbox([spoof, exe])
    get_mail(qtbot, opened.window)
    viewer = open_by_enter(qtbot, opened.window, "Your account")
    bar = viewer.headers.warning_bar
    assert bar.isVisible() and "paypal@paypal.com" in bar.text and "evil@example.net" in bar.text
    assert '"paypal@paypal.com" <evil@example.net>' in viewer.headers.fields["From"].text()
    tool = open_by_enter(qtbot, opened.window, "Tool")
    assert tool.parts.list.count() == 1
    tool.parts.list.setCurrentRow(0)
    assert not tool.parts.open_button.isEnabled()
    assert tool.parts.save_button.isEnabled()


def test_every_window_is_non_modal(open_inbox, qtbot):
    opened = open_inbox([make_message("Hello")])
    get_mail(qtbot, opened.window)
    opened.window.acts["about"].trigger()
    opened.window.acts["help"].trigger()
    qtbot.waitUntil(
        lambda: bool(top_level("about_box")) and bool(top_level("help_window")), timeout=WAIT_MS
    )
    assert QApplication.activeModalWidget() is None


def test_version_prints_ours_and_qts_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    from pymailgui import __version__
    from pymailgui.gui.app import build_parser

    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"pymailgui {__version__} (PySide6 ") and "Qt 6." in out
