"""A new user, from the first start to daily use, against the test Dovecot and aiosmtpd,
through the windows only: set the account up in the dialog (the server's certificate
from an unknown CA pinned after Test connection), get mail, write with an attachment
and send, find the copy in Sent, save a server message into a new folder, move it,
export the folder, and be notified of new mail over D-Bus. No config file is edited."""

from __future__ import annotations

import argparse
import mailbox
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from pymailgui.config import Security
from pymailgui.devserver.smtpdemo import LoopbackController
from pymailgui.gui.launcher import Launcher
from pymailgui.gui.notify import Notifier
from pymailgui.store import SENT
from tests.gui.dbus_support import running_bus
from tests.gui.support import WAIT_MS, activate, get_mail, gone, subjects, top_level
from tests.gui.test_gui_compose import attach_with_dialog, new_compose
from tests.gui.test_gui_folders import open_folders, pick, save_to, shown
from tests.support.mail import make_message

pytestmark = pytest.mark.dovecot


class DeliverToDovecot:
    """An SMTP server that delivers what it accepts into the Dovecot mailbox (an MTA)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.delivered = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.user.deliver(bytes(envelope.original_content))
        self.delivered += 1
        return "250 2.0.0 Delivered"


def type_into(qtbot, widget, text: str) -> None:
    widget.clear()
    qtbot.keyClicks(widget, text)


def test_a_new_user_sets_up_reads_writes_files_and_is_notified(
    app, qtbot, dovecot, dovecot_user, tmp_path, gui_home
):
    address = f"{dovecot_user.name}@example.com"
    dovecot_user.deliver(make_message("Welcome aboard", "Glad you are here.\r\n"))
    dovecot_user.deliver(make_message("Project kickoff", "Monday at ten.\r\n"))
    mta = DeliverToDovecot(dovecot_user)
    smtp = LoopbackController(mta)
    smtp.start()
    launcher = Launcher(argparse.Namespace(demo=False, config=None, account=None, mailto=None))
    try:
        with running_bus(tmp_path) as bus:
            _journey(qtbot, launcher, address, dovecot, dovecot_user, smtp, mta, bus, tmp_path)
    finally:
        launcher.stop()
        smtp.stop()
    assert not (gui_home / "config.toml").read_text().count(dovecot_user.password)


def _journey(qtbot, launcher, address, dovecot, user, smtp, mta, bus, tmp_path) -> None:
    # 1. The first start offers to set up an account.
    assert launcher.start()
    box = launcher.welcome
    qtbot.waitUntil(box.isVisible, timeout=WAIT_MS)
    qtbot.mouseClick(launcher.setup_button, Qt.MouseButton.LeftButton)
    desktop = launcher.desktop
    qtbot.waitUntil(lambda: desktop is not None and desktop.accounts_dialog is not None,
                    timeout=WAIT_MS)  # fmt: skip
    desktop = launcher.desktop
    desktop.notifier = Notifier(bus.address, desktop)
    dialog = desktop.accounts_dialog
    form = dialog.form
    qtbot.keyClicks(form.address, address)
    qtbot.keyClicks(form.display_name, "Dana Doe")
    type_into(qtbot, form.name, "dana")
    type_into(qtbot, form.pop.host, dovecot.host)
    form.pop.port.setValue(dovecot.pop3s_port)
    form.pop.security.setCurrentIndex(form.pop.security.findData(Security.TLS.value))
    type_into(qtbot, form.pop.user, user.name)
    type_into(qtbot, form.pop.password, user.password)
    type_into(qtbot, form.smtp.host, "127.0.0.1")
    form.smtp.port.setValue(int(smtp.port))
    form.smtp.security.setCurrentIndex(form.smtp.security.findData(Security.NONE.value))
    form.smtp.auth.setCurrentIndex(form.smtp.auth.findData("none"))
    form.check.setValue(1)
    # 2. Test connection: Dovecot's certificate is from a CA this computer does not know.
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.job is None and dialog.report.report is not None,
                    timeout=WAIT_MS)  # fmt: skip
    first = dialog.report.report
    assert first.pop.failure is not None and first.pop.failure.certificate.pinnable
    assert first.smtp is not None and first.smtp.ok
    qtbot.mouseClick(dialog.report.pin_buttons["pop"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.job is None and dialog.report.report is not first,
                    timeout=WAIT_MS)  # fmt: skip
    qtbot.waitUntil(lambda: dialog.job is None and dialog.report.report.ok, timeout=WAIT_MS)
    assert "Both servers work" in dialog.report.text
    # 3. Save: the account opens (the typed password is used for this session).
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "dana" in desktop.inboxes, timeout=WAIT_MS)
    dialog.close()
    window = desktop.inboxes["dana"]
    get_mail(qtbot, window)
    assert sorted(subjects(window)) == ["Project kickoff", "Welcome aboard"]
    assert top_level("password_dialog") == []  # never asked: typed in the dialog
    # 4. Write with an attachment, send, find the copy in Sent.
    report = tmp_path / "plan.pdf"
    report.write_bytes(b"%PDF-1.4 the plan\n" * 100)
    compose = new_compose(qtbot, window)
    qtbot.keyClicks(compose.to, address)
    qtbot.keyClicks(compose.subject, "The plan")
    compose.body.setFocus()
    qtbot.keyClicks(compose.body, "Attached.")
    attach_with_dialog(qtbot, compose, report)
    activate(qtbot, compose)
    qtbot.keyClick(compose.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: gone(compose), timeout=WAIT_MS)
    assert mta.delivered == 1
    folders = window.context.mailbox.folders
    assert [r.subject for r in folders.rows(SENT)] == ["The plan"]
    # 5. The periodic check (every minute, as set) finds it and notifies the desktop.
    assert window.context.check_timer.interval() == 60_000
    window.context.check_timer.timeout.emit()
    qtbot.waitUntil(lambda: len(bus.calls()) == 1, timeout=WAIT_MS)
    assert bus.calls()[0]["summary"] == "1 new message (dana)"
    qtbot.waitUntil(lambda: "The plan" in subjects(window), timeout=WAIT_MS)
    assert "1 unread" in window.windowTitle()
    # 6. Save a server message into a new folder, move it, export the folder.
    save_to(qtbot, window, "Project kickoff", "Projects")
    folder_window = open_folders(qtbot, window)
    pick(qtbot, folder_window, "Projects")
    qtbot.waitUntil(lambda: shown(folder_window) == ["Project kickoff"], timeout=WAIT_MS)
    activate(qtbot, folder_window)
    folder_window.table.select_keys([folder_window.model.key_at(0)])
    folder_window.acts["move"].trigger()
    picker = folder_window.dialog
    qtbot.waitUntil(picker.isVisible, timeout=WAIT_MS)
    picker.folder.setCurrentText("Archive")  # a folder that does not exist yet
    qtbot.mouseClick(picker.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(folder_window) == [], timeout=WAIT_MS)
    pick(qtbot, folder_window, "Archive")
    assert shown(folder_window) == ["Project kickoff"]
    target = tmp_path / "archive.mbox"
    folder_window.acts["export_mbox"].trigger()
    file_dialog = folder_window.dialog
    qtbot.waitUntil(file_dialog.isVisible, timeout=WAIT_MS)
    file_dialog.selectFile(str(target))
    file_dialog.accept()
    qtbot.waitUntil(target.exists, timeout=WAIT_MS)
    box = mailbox.mbox(str(target), create=False)
    try:
        assert [m["Subject"] for m in box] == ["Project kickoff"]
    finally:
        box.close()
    assert Path(folder_window.context.mailbox.account.settings.pop.pinned_certificate).exists()
