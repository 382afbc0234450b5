"""The screenshot script's part-2 steps: writing, the folders, the settings, the Outbox.

Each step drives the real windows of the running demo desktop and waits for the
signal it needs (an attachment read, a folder listed, a test that failed, a send
that failed), then takes the picture (see :mod:`pymailgui.gui.screenshots`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from pymailgui.gui.capture import ScriptFailed, settle, wait_until
from pymailgui.gui.compose import ComposeWindow
from pymailgui.gui.inbox import InboxWindow
from pymailgui.gui.session import Desktop
from pymailgui.message.compose import Attachment
from pymailgui.store import OUTBOX

COMPOSE_SIZE = (820, 640)
FOLDERS_SIZE = (1100, 620)
SETTINGS_SIZE = (1240, 800)
OUTBOX_SIZE = (960, 360)

Shot = Callable[[QWidget, str], None]

_REPORT = (
    b"%PDF-1.4\n% PyMailGUI screenshot sample\n"
    + b"1 0 obj << /Type /Catalog >> endobj\n" * 1800
    + b"%%EOF\n"
)


def compose_with_attachment(desktop: Desktop, inbox: InboxWindow, shot: Shot) -> ComposeWindow:
    """A new message with an attachment, the address completed from those seen."""
    compose = desktop.writing.compose(inbox.context)
    compose.resize(*COMPOSE_SIZE)
    compose.to.setText("Bob Chen <bob@example.com>, ")
    compose.cc.setText("Carol Diaz <carol@example.com>")
    compose.subject.setText("Quarterly report")
    compose.body.setPlainText(
        "Hi Bob,\n\nhere is the quarterly report, with the figures we discussed on "
        "Thursday.\nThe summary is on page 2.\n\nBest,\nDemo" + compose.body.toPlainText()
    )
    compose.attachments.add_items(
        [
            Attachment("quarterly-report.pdf", _REPORT, "application/pdf"),
            Attachment("figures.csv", b"quarter,revenue\nQ1,120\nQ2,135\n" * 40, "text/csv"),
        ]
    )
    wait_until(lambda: len(compose.attachments.items) == 2, "the attachments")
    compose.body.setFocus()
    shot(compose, "compose.png")
    return compose


def folders(desktop: Desktop, inbox: InboxWindow, shot: Shot) -> None:
    """The folder window on a folder of saved messages."""
    context = inbox.context
    subjects = ("Invoice 2026-0147", "Team lunch", "Moving the release")
    keys = [r.key for r in inbox.model.rowset.rows if r.subject.startswith(subjects)]
    done: list[object] = []
    context.save(
        keys,
        "Projects",
        delete=False,
        label="Saving for the screenshot",
        on_done=done.append,
        on_error=done.append,
    )
    wait_until(lambda: bool(done), "saving into Projects")
    window = desktop.open_folders(context, "Projects")
    window.resize(*FOLDERS_SIZE)
    wait_until(lambda: window.model.rowCount() == len(keys), "the Projects folder")
    wait_until(lambda: window.folder_list.row_of("Projects") is not None, "the folder list")
    window.table.selectRow(0)
    window.table.setFocus()
    shot(window, "folders.png")
    window.close()


def settings_failed_test(desktop: Desktop, shot: Shot) -> None:
    """The settings dialog after a test that failed at DNS (and SMTP refused)."""
    dialog = desktop.show_accounts()
    dialog.resize(*SETTINGS_SIZE)
    form = dialog.form
    form.address.setText("alice@example.org")
    form.display_name.setText("Alice Martin")
    form.signature.setPlainText("Alice Martin\nExample Org")
    form.pop.host.setText("pop.example.invalid")  # RFC 2606: never resolves
    form.pop.password.setText("not-a-real-password")
    form.smtp.host.setText("127.0.0.1")
    form.smtp.port.setValue(_closed_port())
    dialog.test_connection()
    wait_until(lambda: dialog.job is None and dialog.report.report is not None, "the test")
    settle(0.3)
    shot(dialog, "settings-test.png")
    dialog.dirty = False
    dialog.close()


def outbox(desktop: Desktop, inbox: InboxWindow, compose: ComposeWindow, shot: Shot) -> None:
    """A send while the SMTP server is down: the message waits in Outbox, with why."""
    demo = desktop.demo
    if demo is None:
        raise ScriptFailed("the Outbox picture needs the demo servers")
    demo.smtp.stop()
    compose.send()
    wait_until(lambda: compose.job is None, "the send to fail")
    if compose.outbox_key is None:
        raise ScriptFailed("the message did not wait in Outbox")
    shot(compose, "compose-failed.png")
    compose.close_keeping_text()
    window = desktop.open_outbox(inbox.context)
    window.resize(*OUTBOX_SIZE)
    folders = inbox.context.mailbox.folders
    wait_until(lambda: window.table.rowCount() == len(folders.rows(OUTBOX)), "the Outbox list")
    window.table.selectRow(0)
    shot(window, "outbox.png")
    window.close()


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
