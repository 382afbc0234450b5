"""The demo account through the real windows: read, parts, source, write, reply, save."""

from __future__ import annotations

import stat
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from tests.gui.support import (
    WAIT_MS,
    activate,
    click_row,
    get_mail,
    gone,
    open_by_enter,
    subjects,
    top_level,
    wait_idle,
)


class UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def compose_windows() -> list:
    return top_level("compose_window")


def test_write_send_and_see_it_arrive(demo, qtbot):
    _desktop, window = demo
    before = window.model.rowCount()
    qtbot.keyClick(window.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(compose_windows()), timeout=WAIT_MS)
    compose = compose_windows()[0]
    activate(qtbot, compose)
    qtbot.keyClicks(compose.to, "demo@example.com")
    qtbot.keyClicks(compose.subject, "Hello from the test")
    qtbot.keyClicks(compose.body, "It works.")
    qtbot.keyClick(compose.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: gone(compose), timeout=WAIT_MS)
    get_mail(qtbot, window)
    assert window.model.rowCount() == before + 1
    assert "Hello from the test" in subjects(window)
    new = window.model.row_at(subjects(window).index("Hello from the test"))
    assert new.new  # marked as new mail


def test_the_demo_keeps_its_own_cache_and_folders(demo, gui_home: Path):
    assert (gui_home / "demo" / "client" / "cache.sqlite3").exists()
    assert not (gui_home / "cache.sqlite3").exists()  # a real account's cache stays clean


def test_reply_reply_all_and_forward_open_filled_compose_windows(demo, qtbot):
    _desktop, window = demo
    click_row(qtbot, window, "Re: Moving the release to May 12")
    for key, modifiers in (
        (Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier),
        (
            Qt.Key.Key_R,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        ),
        (Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier),
    ):
        count = len(compose_windows())
        activate(qtbot, window)
        qtbot.keyClick(window.table, key, modifiers)
        qtbot.waitUntil(lambda c=count: len(compose_windows()) == c + 1, timeout=WAIT_MS)
    reply, reply_all, forward = sorted(compose_windows(), key=lambda w: w.winId())[-3:]
    assert reply.subject.text() == "Re: Moving the release to May 12"
    assert reply.to.text() and not reply.cc.text()
    assert reply_all.cc.text()  # the other recipients
    assert forward.subject.text().startswith("Fwd: ") and not forward.to.text()
    assert "> " in reply.body.toPlainText()  # the quoted original
    for w in (reply, reply_all, forward):
        w.close()


def test_parts_open_only_safe_types_and_save_all(demo, qtbot, gui_home: Path):
    _desktop, window = demo
    viewer = open_by_enter(qtbot, window, "Invoice 2026-0147 and the site photo")
    parts = viewer.parts
    assert parts.isVisible() and parts.list.count() == 2
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        parts.list.setCurrentRow(0)
        assert parts.open_button.isEnabled()
        qtbot.mouseClick(parts.open_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(catcher.urls), timeout=WAIT_MS)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    opened = Path(catcher.urls[0].toLocalFile())
    assert opened.name == "invoice-2026-0147.pdf" and opened.read_bytes().startswith(b"%PDF")
    assert not opened.stat().st_mode & (stat.S_IWUSR | stat.S_IXUSR)  # a read-only copy
    target = gui_home / "saved"
    target.mkdir()
    qtbot.mouseClick(parts.save_all_button, Qt.MouseButton.LeftButton)
    dialog: QFileDialog = parts.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.setDirectory(str(target))
    dialog.selectFile(str(target))
    dialog.accept()
    qtbot.waitUntil(lambda: len(list(target.iterdir())) == 2, timeout=WAIT_MS)
    assert sorted(p.name for p in target.iterdir()) == ["invoice-2026-0147.pdf", "site-photo.png"]
    assert "Saved 2 files" in viewer.statusBar().currentMessage()


def test_view_source_from_the_list_and_from_the_viewer(demo, qtbot):
    _desktop, window = demo
    click_row(qtbot, window, "Team lunch on Thursday?")
    qtbot.keyClick(window.table, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(top_level("source_window")), timeout=WAIT_MS)
    source = top_level("source_window")[0]
    assert (
        "Message-ID:" in source.text.toPlainText()
        and "Subject: Team lunch" in source.text.toPlainText()
    )
    source.close()
    viewer = open_by_enter(qtbot, window, "Team lunch on Thursday?")
    activate(qtbot, viewer)
    qtbot.keyClick(viewer, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(top_level("source_window")), timeout=WAIT_MS)


def test_save_to_folder_from_the_list(demo, qtbot):
    _desktop, window = demo
    click_row(qtbot, window, "Team lunch on Thursday?")
    qtbot.keyClick(window.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.save_dialog.isVisible(), timeout=WAIT_MS)  # noqa: PLW0108 - set later
    dialog = window.save_dialog
    dialog.folder.setCurrentText("Lunches")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    folders = window.context.mailbox.account.folders
    assert "Lunches" in folders.names()
    assert "Saved 1 message in Lunches" in window.statusBar().currentMessage()
    assert window.model.rowCount() == 13  # a copy: still on the server


def test_delete_from_a_view_window_goes_through_the_undo_bar(demo, qtbot):
    _desktop, window = demo
    viewer = open_by_enter(qtbot, window, "Team lunch on Thursday?")
    activate(qtbot, viewer)
    qtbot.keyClick(viewer, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: gone(viewer), timeout=WAIT_MS)
    assert window.undo_bar.isVisible()
    assert "Team lunch on Thursday?" not in subjects(window)
    qtbot.mouseClick(window.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert "Team lunch on Thursday?" in subjects(window)


def test_help_and_about(demo, qtbot):
    desktop, window = demo
    activate(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_F1)
    qtbot.waitUntil(
        lambda: desktop.help_window is not None and desktop.help_window.isVisible(), timeout=WAIT_MS
    )
    text = desktop.help_window.view.toPlainText()
    for needed in ("Synchronization", "UIDL", "Undo", "Ctrl+Shift+R", "F5", "Del"):
        assert needed in text
    window.acts["about"].trigger()
    qtbot.waitUntil(lambda: bool(top_level("about_box")), timeout=WAIT_MS)
    about = top_level("about_box")[0]
    assert "PySide6" in about.informativeText() and "Python" in about.informativeText()
    about.close()
