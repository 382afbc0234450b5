"""Sends that fail, through the real windows against aiosmtpd: the server down, a recipient
refused (all, or some), TLS refused, an invalid address. The text is never lost (Outbox,
or Drafts when it could not even be built), the error is shown with the refused
recipients by name, and sending again works - from the window, from the Outbox window,
and by the periodic check once the server is back."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Qt

from pymailgui.devserver.smtpdemo import LoopbackController
from pymailgui.gui.compose import ComposeWindow
from pymailgui.message.drafts import read_draft
from pymailgui.store import DRAFTS, OUTBOX, SENT
from tests.gui.support import WAIT_MS, activate, gone, wait_idle
from tests.gui.test_gui_compose import new_compose
from tests.support.mail import make_message
from tests.support.smtp import SMTPOptions, SMTPTestServer


def write(qtbot, window, to: str, subject: str, body: str = "Hello.") -> ComposeWindow:
    compose = new_compose(qtbot, window)
    qtbot.keyClicks(compose.to, to)
    qtbot.keyClicks(compose.subject, subject)
    compose.body.setFocus()
    qtbot.keyClicks(compose.body, body)
    return compose


def press_send(qtbot, compose: ComposeWindow) -> None:
    activate(qtbot, compose)
    qtbot.keyClick(compose.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def wait_failed(qtbot, compose: ComposeWindow) -> str:
    qtbot.waitUntil(lambda: compose.job is None and compose.error_bar.isVisible(), timeout=WAIT_MS)
    assert compose.isVisible()
    return compose.error_bar.text


def rows(window, folder: str) -> list:
    folders = window.context.mailbox.folders
    return folders.rows(folder) if folders.exists(folder) else []


def restart(server: SMTPTestServer) -> None:
    """The same server comes back on the same port."""
    port = server.port
    server.controller = LoopbackController(server.handler, port=port)
    server.controller.start()


def smtp_inbox(open_inbox, make_smtp_server: Callable[[SMTPOptions], SMTPTestServer], **options):
    server = make_smtp_server(SMTPOptions(**options))
    opened = open_inbox([make_message("Hello")], smtp=server.config(auth="none"))
    return opened.window, server


def test_server_down_keeps_the_message_in_outbox_and_send_again_works(
    open_inbox, make_smtp_server, qtbot
):
    window, server = smtp_inbox(open_inbox, make_smtp_server)
    server.controller.stop()  # the server goes down
    compose = write(qtbot, window, "bob@example.com", "Minutes")
    press_send(qtbot, compose)
    text = wait_failed(qtbot, compose)
    assert "Not sent" in text and "Outbox" in text
    assert [r.subject for r in rows(window, OUTBOX)] == ["Minutes"]
    assert rows(window, DRAFTS) == []  # Outbox holds it now
    assert not compose.keeper.unsaved  # safe: closing would not need to ask
    restart(server)
    press_send(qtbot, compose)
    qtbot.waitUntil(lambda: gone(compose), timeout=WAIT_MS)
    assert len(server.received) == 1 and server.received[0].rcpt_tos == ["bob@example.com"]
    assert rows(window, OUTBOX) == []
    assert [r.subject for r in rows(window, SENT)] == ["Minutes"]


def test_the_outbox_window_shows_the_error_and_sends_again(open_inbox, make_smtp_server, qtbot):
    window, server = smtp_inbox(open_inbox, make_smtp_server)
    server.controller.stop()
    compose = write(qtbot, window, "bob@example.com", "Report")
    press_send(qtbot, compose)
    wait_failed(qtbot, compose)
    compose.close()
    qtbot.waitUntil(lambda: gone(compose), timeout=WAIT_MS)  # no question: it is in Outbox
    activate(qtbot, window)
    qtbot.keyClick(
        window.table,
        Qt.Key.Key_O,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    outbox = window.desktop.outbox_windows[window.context.name]
    qtbot.waitUntil(lambda: outbox.table.rowCount() == 1, timeout=WAIT_MS)
    assert outbox.table.item(0, 0).text() == "Report"
    assert outbox.table.item(0, 2).text() == "Not sent"
    assert outbox.table.item(0, 4).text()  # the last error
    assert "1 message waits" in outbox.summary.text()
    restart(server)
    activate(qtbot, outbox)
    cell = outbox.table.visualItemRect(outbox.table.item(0, 0)).center()
    qtbot.mouseClick(outbox.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    outbox.acts["resend"].trigger()
    qtbot.waitUntil(lambda: outbox.table.rowCount() == 0, timeout=WAIT_MS)
    assert "1 sent" in outbox.statusBar().currentMessage()
    assert len(server.received) == 1
    assert "Nothing waits in Outbox" in outbox.summary.text()


def test_the_periodic_check_sends_what_waits_once_the_server_is_back(
    open_inbox, make_smtp_server, qtbot
):
    window, server = smtp_inbox(open_inbox, make_smtp_server)
    server.controller.stop()
    compose = write(qtbot, window, "bob@example.com", "Later")
    press_send(qtbot, compose)
    wait_failed(qtbot, compose)
    compose.close()
    restart(server)
    window.context.check_timer.timeout.emit()  # the check, as its timer fires it
    qtbot.waitUntil(lambda: len(server.received) == 1, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: rows(window, OUTBOX) == [], timeout=WAIT_MS)


def test_every_recipient_refused_names_them_and_a_corrected_send_replaces_the_copy(
    open_inbox, make_smtp_server, qtbot
):
    window, server = smtp_inbox(open_inbox, make_smtp_server)
    compose = write(qtbot, window, "reject-me@example.com", "Invitation")
    press_send(qtbot, compose)
    text = wait_failed(qtbot, compose)
    assert "reject-me@example.com (550" in text
    assert len(rows(window, OUTBOX)) == 1
    compose.to.clear()
    qtbot.keyClicks(compose.to, "carol@example.com")
    press_send(qtbot, compose)
    qtbot.waitUntil(lambda: gone(compose), timeout=WAIT_MS)
    assert server.received[0].rcpt_tos == ["carol@example.com"]
    assert rows(window, OUTBOX) == []  # the failed copy was replaced, not left behind


def test_some_recipients_refused_keeps_only_them_in_the_window(open_inbox, make_smtp_server, qtbot):
    window, server = smtp_inbox(open_inbox, make_smtp_server)
    compose = write(qtbot, window, "bob@example.com, reject-me@example.com", "Party")
    press_send(qtbot, compose)
    text = wait_failed(qtbot, compose)
    assert "Sent to bob@example.com" in text and "reject-me@example.com (550" in text
    assert compose.to.text() == "reject-me@example.com"
    assert [r.subject for r in rows(window, SENT)] == ["Party"]
    assert server.received[0].rcpt_tos == ["bob@example.com"]
    assert compose.keeper.unsaved  # what is left was not sent to anyone: closing asks


def test_tls_refused_keeps_it_in_outbox_and_it_goes_once_the_server_is_trusted(
    open_inbox, make_smtp_server, qtbot, untrusted_tls_files
):
    window, server = smtp_inbox(open_inbox, make_smtp_server, tls="implicit", untrusted=True)
    compose = write(qtbot, window, "bob@example.com", "Secret plans")
    press_send(qtbot, compose)
    text = wait_failed(qtbot, compose)
    assert "certificate" in text.lower() and "Outbox" in text
    assert server.received == []
    compose.close()
    # The user trusts the server's CA in the settings; the settings are applied.
    desktop = window.desktop
    account = desktop.config.accounts["test"]
    smtp = dataclasses.replace(account.smtp, ca_file=str(untrusted_tls_files.ca_file))
    desktop.apply_config(
        dataclasses.replace(
            desktop.config, accounts={"test": dataclasses.replace(account, smtp=smtp)}
        )
    )
    outbox = desktop.open_outbox(window.context)
    qtbot.waitUntil(lambda: outbox.table.rowCount() == 1, timeout=WAIT_MS)
    outbox.acts["resend_all"].trigger()
    qtbot.waitUntil(lambda: outbox.table.rowCount() == 0, timeout=WAIT_MS)
    assert len(server.received) == 1


def test_an_invalid_address_keeps_the_text_in_drafts(open_inbox, make_smtp_server, qtbot):
    window, _server = smtp_inbox(open_inbox, make_smtp_server)
    compose = write(qtbot, window, "not an address", "Oops", body="Keep me")
    press_send(qtbot, compose)
    text = wait_failed(qtbot, compose)
    assert "not a valid address" in text and "Drafts" in text
    assert rows(window, OUTBOX) == []
    kept = rows(window, DRAFTS)
    assert len(kept) == 1
    data = window.context.mailbox.folders.get(DRAFTS, kept[0].key)
    assert read_draft(data).body.startswith("Keep me")
