"""Helpers for the GUI tests: an account on a real server, waiting as a user waits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from pymailgui.config import AccountConfig, Config, GeneralConfig, GuiConfig, Security, ServerConfig
from pymailgui.gui.inbox import InboxWindow
from pymailgui.gui.session import Desktop
from pymailgui.gui.viewer import ViewerWindow

WAIT_MS = 15_000


def account_config(
    host: str,
    port: int,
    *,
    user: str = "alice",
    name: str = "test",
    smtp: ServerConfig | None = None,
    **server: Any,
) -> AccountConfig:
    pop = ServerConfig(
        host=host, port=port, security=Security.NONE, username=user, timeout=5.0, **server
    )
    return AccountConfig(
        name=name, address="alice@example.com", pop=pop, smtp=smtp, display_name="Alice"
    )


def config_for(accounts: list[AccountConfig], **gui: Any) -> Config:
    return Config(
        general=GeneralConfig(use_keyring=False),
        gui=GuiConfig(**gui),
        accounts={a.name: a for a in accounts},
    )


def desktop_for(
    server: Any,
    qtbot: QtBot,
    *,
    password: str = "secret",
    smtp: ServerConfig | None = None,
    **gui: Any,
) -> tuple[Desktop, InboxWindow]:
    gui.setdefault("delete_undo_seconds", 0)
    config = config_for([account_config(server.host, server.port, smtp=smtp)], **gui)
    desktop = Desktop(config, fixed_password=password)
    window = desktop.open_account()
    assert window is not None
    qtbot.waitUntil(lambda: window.context.loaded, timeout=WAIT_MS)
    return desktop, window


def close_desktop(desktop: Desktop, qtbot: QtBot) -> None:
    desktop.close_now()
    qtbot.waitUntil(lambda: not desktop.inboxes, timeout=WAIT_MS)
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.close()


def wait_idle(qtbot: QtBot, window: InboxWindow, timeout: int = WAIT_MS) -> None:
    """Until the account has no job left (queued or running)."""
    qtbot.waitUntil(
        lambda: not window.context.worker.busy and not window.context.outgoing.busy,
        timeout=timeout,
    )


def activate(qtbot: QtBot, window: QWidget) -> None:
    """Bring ``window`` to the front, as a click on it would (shortcuts need it)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def get_mail(qtbot: QtBot, window: InboxWindow) -> None:
    """Press F5 and wait for the refresh to end."""
    activate(qtbot, window)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F5)
    wait_idle(qtbot, window)


def subjects(window: InboxWindow) -> list[str]:
    return [window.model.row_at(r).subject for r in range(window.model.rowCount())]


def row_of(window: InboxWindow, subject: str) -> int:
    return subjects(window).index(subject)


def click_row(
    qtbot: QtBot,
    window: InboxWindow,
    subject: str,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    activate(qtbot, window)
    row = row_of(window, subject)
    rect = window.table.visualRect(window.model.index(row, 3))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def double_click_row(qtbot: QtBot, window: InboxWindow, subject: str) -> None:
    row = row_of(window, subject)
    rect = window.table.visualRect(window.model.index(row, 3))
    click_row(qtbot, window, subject)
    qtbot.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def open_by_enter(qtbot: QtBot, window: InboxWindow, subject: str) -> ViewerWindow:
    click_row(qtbot, window, subject)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    return viewer_for(qtbot, window, subject)


def viewer_for(qtbot: QtBot, window: InboxWindow, subject: str) -> ViewerWindow:
    key = next(r.key for r in window.model.rowset.rows if r.subject == subject)
    desktop = window.desktop
    qtbot.waitUntil(lambda: (window.context.name, key) in desktop.viewers, timeout=WAIT_MS)
    viewer = desktop.viewers[(window.context.name, key)]
    qtbot.waitUntil(
        lambda: viewer.prepared is not None or "could not" in viewer.loading.text(), timeout=WAIT_MS
    )
    return viewer


def gone(widget: QWidget) -> bool:
    """Closed: deleted (WA_DeleteOnClose) or hidden."""
    return not shiboken6.isValid(widget) or not widget.isVisible()


def visible_boxes(name: str) -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == name and w.isVisible()
    ]


def top_level(name: str) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.objectName() == name and w.isVisible()]


def center(widget: QWidget) -> QPoint:
    return widget.rect().center()


def settle(qtbot: QtBot, ms: int = 100) -> None:
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        QApplication.processEvents()
        qtbot.wait(10)


class _UrlCatcher(QObject):
    def __init__(self, urls: list[str]) -> None:
        super().__init__()
        self.urls = urls

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


@contextmanager
def handed_to_desktop(*schemes: str) -> Iterator[list[str]]:
    """The URLs of ``schemes`` the program hands to the desktop (QDesktopServices),
    caught instead of opened, in order."""
    urls: list[str] = []
    catcher = _UrlCatcher(urls)
    for scheme in schemes:
        QDesktopServices.setUrlHandler(scheme, catcher, "open")
    try:
        yield urls
    finally:
        for scheme in schemes:
            QDesktopServices.unsetUrlHandler(scheme)
