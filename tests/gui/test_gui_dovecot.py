"""The inbox window against a real Dovecot over TLS, with another IMAP client at work."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from pymailgui.config import AccountConfig, Security, ServerConfig
from pymailgui.gui.session import Desktop
from tests.gui.support import (
    WAIT_MS,
    click_row,
    close_desktop,
    config_for,
    get_mail,
    open_by_enter,
    subjects,
    wait_idle,
)
from tests.support.mail import make_message

pytestmark = pytest.mark.dovecot


def dovecot_desktop(dovecot, user) -> Desktop:
    pop = ServerConfig(
        host=dovecot.host,
        port=dovecot.pop3s_port,
        security=Security.TLS,
        username=user.name,
        ca_file=str(dovecot.ca_file),
        timeout=10.0,
    )
    account = AccountConfig(name="dovecot", address=f"{user.name}@example.com", pop=pop)
    return Desktop(config_for([account], delete_undo_seconds=0), fixed_password=user.password)


def test_read_delete_and_another_clients_deletion(app, qtbot, dovecot, dovecot_user):
    for subject in ("One", "Two", "Three", "Four"):
        dovecot_user.deliver(make_message(subject, f"{subject} body\r\n"))
    desktop = dovecot_desktop(dovecot, dovecot_user)
    window = desktop.open_account()
    assert window is not None
    try:
        qtbot.waitUntil(lambda: window.context.loaded, timeout=WAIT_MS)
        get_mail(qtbot, window)
        assert subjects(window) == ["One", "Two", "Three", "Four"]
        viewer = open_by_enter(qtbot, window, "Three")
        assert viewer.text.toPlainText().startswith("Three body")
        # Another client (IMAP) deletes the message being read and one more.
        dovecot_user.other_client_delete_by_subject("Three")
        dovecot_user.other_client_delete_by_subject("One")
        click_row(qtbot, window, "Two")
        qtbot.keyClick(window.table, Qt.Key.Key_Delete)
        qtbot.waitUntil(lambda: "Two" not in subjects(window), timeout=WAIT_MS)
        wait_idle(qtbot, window)
        # The delete session saw the other client's deletions: the list and the open
        # view window know at once, before any refresh.
        assert "2 other messages had been removed" in window.statusBar().currentMessage()
        get_mail(qtbot, window)
        assert subjects(window) == ["Four"]
        assert viewer.gone_bar.isVisible()
        assert viewer.text.toPlainText().startswith("Three body")
        assert [m for m in dovecot_user.imap_message_ids()] and len(
            dovecot_user.imap_message_ids()
        ) == 1
    finally:
        close_desktop(desktop, qtbot)
