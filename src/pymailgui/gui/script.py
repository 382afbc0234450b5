"""The fixed screenshot script's steps (``pymailgui --screenshots``, see screenshots.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from pymailgui.demo import Demo, start_demo
from pymailgui.gui import look, script2
from pymailgui.gui.capture import ScriptFailed, save, save_over, settle, wait_until
from pymailgui.gui.inbox import InboxWindow
from pymailgui.gui.session import Desktop
from pymailgui.gui.syncnotice import SyncNotice
from pymailgui.gui.viewer import ViewerWindow

INBOX_SIZE = (1100, 660)
VIEWER_SIZE = (860, 700)


class ScreenshotScript:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.saved: list[Path] = []
        self.demo: Demo | None = None
        self.desktop: Desktop | None = None

    def shot(self, widget: QWidget, name: str) -> None:
        self.saved.append(save(widget, self.directory / name))

    def run(self) -> None:
        self.demo = start_demo()
        self.desktop = Desktop(self.demo.config, demo=self.demo)
        inbox = self.desktop.open_account()
        if inbox is None:
            raise ScriptFailed("the demo account did not open")
        inbox.resize(*INBOX_SIZE)
        self.first_start(inbox)
        self.get_mail(inbox)
        viewer = self.open_message(inbox, "Invoice")
        self.shot(viewer, "viewer.png")
        html = self.open_message(inbox, "Issue 112")
        self.shot(html, "viewer-html.png")
        self.open_message(inbox, "Welcome").close()
        # The inbox after reading a few: those are no longer bold (new).
        self.select_subject(inbox, "Team lunch")
        self.shot(inbox, "inbox.png")
        self.undo_bar(inbox)
        self.sync_notice(inbox)
        compose = script2.compose_with_attachment(self.desktop, inbox, self.shot)
        script2.folders(self.desktop, inbox, self.shot)
        script2.settings_failed_test(self.desktop, self.shot)
        script2.outbox(self.desktop, inbox, compose, self.shot)
        self.help_and_about()
        self.dark(inbox, viewer)

    def first_start(self, inbox: InboxWindow) -> None:
        """The list area before the first Get Mail says so, in both schemes."""
        wait_until(lambda: inbox.context.loaded, "the cached index")
        if inbox.model.rowCount() or not inbox.pane.table.empty_text:
            raise ScriptFailed("the first start shows no empty-list hint")
        self.shot(inbox, "inbox-first.png")
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        look.set_scheme(app, Qt.ColorScheme.Dark)
        settle(0.5)
        self.shot(inbox, "inbox-first-dark.png")
        look.set_scheme(app, Qt.ColorScheme.Light)
        settle()

    def get_mail(self, inbox: InboxWindow) -> None:
        inbox.acts["get"].trigger()
        wait_until(lambda: inbox.context.loaded and not inbox.context.worker.busy, "Get Mail")
        if inbox.model.rowCount() == 0:
            raise ScriptFailed("the demo inbox is empty")

    def key_of(self, inbox: InboxWindow, subject: str) -> str:
        for row in inbox.model.rowset.rows:
            if row.subject.startswith(subject):
                return row.key
        raise ScriptFailed(f"no demo message about {subject!r}")

    def select_subject(self, inbox: InboxWindow, subject: str) -> str:
        key = self.key_of(inbox, subject)
        inbox.table.select_keys([key], key)
        inbox.table.setFocus()
        return key

    def open_message(self, inbox: InboxWindow, subject: str) -> ViewerWindow:
        assert self.desktop is not None
        key = self.select_subject(inbox, subject)
        inbox.acts["open"].trigger()
        viewer = self.desktop.viewers.get((inbox.context.name, key))
        if viewer is None:
            raise ScriptFailed(f"no view window opened for {subject!r}")
        viewer.resize(*VIEWER_SIZE)
        wait_until(lambda: viewer.prepared is not None, f"the message {subject!r}")
        return viewer

    def undo_bar(self, inbox: InboxWindow) -> None:
        self.select_subject(inbox, "Moving the release")
        inbox.acts["delete"].trigger()
        wait_until(inbox.undo_bar.isVisible, "the undo bar")
        self.shot(inbox, "undo.png")
        inbox.undo_bar.undo_button.click()
        wait_until(lambda: not inbox.undo_bar.isVisible(), "the undo")

    def sync_notice(self, inbox: InboxWindow) -> None:
        assert self.demo is not None and self.demo.pop.maildrop is not None
        key = self.key_of(inbox, "Nightly sensor export")
        # Another program (say, a phone) deletes the message while the list is open.
        self.demo.pop.maildrop.delete(key)
        self.select_subject(inbox, "Nightly sensor export")
        inbox.acts["open"].trigger()
        wait_until(lambda: inbox.notices, "the synchronization notice")
        notice: SyncNotice = inbox.notices[-1]
        wait_until(lambda: "updated" in notice.outcome.text(), "the automatic refresh")
        settle()
        self.saved.append(save_over(inbox, notice, self.directory / "sync-notice.png"))
        notice.close()
        for viewer in list(self.desktop.viewers.values()) if self.desktop else []:
            if viewer.key == key:
                viewer.close()

    def help_and_about(self) -> None:
        assert self.desktop is not None
        self.desktop.show_help()
        help_window = self.desktop.help_window
        if help_window is None:
            raise ScriptFailed("the help window did not open")
        self.shot(help_window, "help.png")
        help_window.close()
        self.desktop.show_about()
        about = next(w for w in self.desktop.windows if w.objectName() == "about_box")
        self.shot(about, "about.png")
        about.close()

    def dark(self, inbox: InboxWindow, viewer: ViewerWindow) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        look.set_scheme(app, Qt.ColorScheme.Dark)
        settle(0.5)
        self.select_subject(inbox, "Team lunch")
        self.shot(inbox, "inbox-dark.png")
        self.shot(viewer, "viewer-dark.png")
        look.set_scheme(app, Qt.ColorScheme.Light)
        settle()

    def stop(self) -> None:
        if self.desktop is not None:
            self.desktop.close_now()
            self.desktop = None
        if self.demo is not None:
            self.demo.stop()
            self.demo = None
