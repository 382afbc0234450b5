"""The running desktop client: open accounts, their windows, and what they share.

One :class:`AccountContext` per account opened (its worker threads and list model);
one inbox window per context, and at most one folder window and one Outbox window;
view windows keyed by (account, message key) so opening a message twice raises the
window already open; compose windows in :mod:`pymailgui.gui.writing`; help and about
kept alive here until closed. Closing the last inbox window quits.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from pymailgui.actions import open_account
from pymailgui.config import Config
from pymailgui.config.load import load
from pymailgui.demo import Demo, open_demo_account
from pymailgui.errors import MailError
from pymailgui.gui import collector, pool, report
from pymailgui.gui.about import AboutBox
from pymailgui.gui.accounts import AccountsDialog
from pymailgui.gui.context import AccountContext
from pymailgui.gui.folderwin import FolderWindow
from pymailgui.gui.help import HelpWindow
from pymailgui.gui.inbox import InboxWindow
from pymailgui.gui.mailbox import Mailbox
from pymailgui.gui.notify import Notifier
from pymailgui.gui.outboxwin import OutboxWindow
from pymailgui.gui.password import PasswordBroker
from pymailgui.gui.viewer import ViewerWindow
from pymailgui.gui.writing import Writing

#: The demo's account name (see pymailgui.demo.start_demo).
DEMO_NAME = "demo"


class Desktop(QObject):
    #: The last inbox window closed and every account was closed.
    finished = Signal()

    def __init__(
        self,
        config: Config,
        *,
        fixed_password: str | None = None,
        demo: Demo | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        """``demo``: the running demo servers, whose account keeps its own cache and
        folders (never a real account's); ``fixed_password``: tests' servers;
        ``notifier``: where new mail is announced (default: the session bus)."""
        super().__init__()
        self.notifier = notifier or Notifier(parent=self)
        self.notifier.opened.connect(self.open_account)
        self.config = config
        self.fixed_password = fixed_password
        self.demo = demo
        self.passwords = PasswordBroker(self)
        self.contexts: dict[str, AccountContext] = {}
        self.inboxes: dict[str, InboxWindow] = {}
        self.viewers: dict[tuple[str, str], ViewerWindow] = {}
        self.windows: list[QWidget] = []
        self.help_window: HelpWindow | None = None
        self.folder_windows: dict[str, FolderWindow] = {}
        self.outbox_windows: dict[str, OutboxWindow] = {}
        self.writing = Writing(self)
        self.accounts_dialog: AccountsDialog | None = None
        #: The config file the settings dialog writes (default: paths.config_file()).
        self.config_path: Path | None = config.source
        # A window open during a Get Mail was frozen with the rows (gui/collector.py):
        # once closed, one collection a moment later frees it (a burst of closes, one).
        self._reclaim = QTimer(self)
        self._reclaim.setSingleShot(True)
        self._reclaim.setInterval(1000)
        self._reclaim.timeout.connect(self._reclaim_now)

    def account_names(self) -> list[str]:
        return list(self.config.accounts)

    # -- accounts -----------------------------------------------------------------------
    def open_account(self, name: str | None = None) -> InboxWindow | None:
        """Show the inbox window of ``name`` (default: the configured default account)."""
        try:
            chosen = self.config.account(name).name
            window = self.inboxes.get(chosen)
            if window is None:
                window = InboxWindow(self._context(chosen), self)
                self.inboxes[chosen] = window
        except MailError as exc:
            report.error(exc, None)
            return None
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def _context(self, name: str) -> AccountContext:
        context = self.contexts.get(name)
        if context is not None:
            return context
        if self.demo is not None and name == DEMO_NAME:
            account = open_demo_account(self.demo, prompt=self.passwords)
        else:
            account = open_account(
                self.config, name, prompt=self.passwords, fixed_password=self.fixed_password
            )
        context = AccountContext(Mailbox(account), self.config, self)
        context.removed.connect(lambda keys, c=context: self._removed(c, keys))
        context.new_mail.connect(lambda rows, n=name: self.notifier.new_mail(n, rows))
        # With no window ever closed, what each Get Mail froze still gets collected
        # now and then (an inbox left open for days with a check every few minutes).
        context.list_updated.connect(
            lambda _report: self._reclaim.start() if collector.reclaim_due() else None
        )
        self.contexts[name] = context
        return context

    def context_for(self, name: str) -> AccountContext | None:
        """The account ``name``, opened (without a window) if it was not yet: a compose
        window's From may name any account."""
        try:
            return self._context(self.config.account(name).name)
        except MailError as exc:
            report.error(exc, None)
            return None

    def inbox_closed(self, window: InboxWindow) -> None:
        name = window.context.name
        self.inboxes.pop(name, None)
        self._close_account(name)
        if not self.inboxes:
            self.passwords.cancel_all()
            for other in list(self.contexts):
                self._close_account(other)
            for widget in list(self.windows):
                widget.close()
            self.finished.emit()

    def _close_account(self, name: str) -> None:
        """Close the account's windows (text being written kept in Drafts), then it."""
        for (account, _key), viewer in list(self.viewers.items()):
            if account == name:
                viewer.close()
        for windows in (self.folder_windows, self.outbox_windows):
            opened = windows.pop(name, None)
            if opened is not None:
                opened.close()
        self.writing.close_for(name)
        context = self.contexts.pop(name, None)
        if context is not None:
            context.close()

    def quit(self) -> None:
        """Close every inbox window; each asks first when its work still runs."""
        for window in list(self.inboxes.values()):
            window.close()

    def close_now(self) -> None:
        """Tear everything down without asking (the screenshot script, tests)."""
        for window in list(self.inboxes.values()):
            window._quitting = "stop"
            window.close()

    # -- windows ------------------------------------------------------------------------
    def keep(self, window: QWidget) -> None:
        """Keep a top-level window alive until it is closed."""
        self.windows.append(window)
        window.destroyed.connect(lambda _obj=None, w=window: self._forget(w))

    def show_source(self, data: bytes, title: str) -> None:
        """A raw source window of ``data``, kept until it is closed."""
        from pymailgui.gui.sourceview import SourceWindow

        window = SourceWindow(data, title, None)
        self.keep(window)
        window.show()

    def _forget(self, window: QWidget) -> None:
        if window in self.windows:
            self.windows.remove(window)
        self.window_gone()

    def window_gone(self) -> None:
        """A window was destroyed: what it held is freed a moment later."""
        self._reclaim.start()

    def _reclaim_now(self) -> None:
        if not collector.reclaim():
            self._reclaim.start()  # a list is being built: after it

    def open_viewer(
        self, context: AccountContext, key: str, folder: str | None = None
    ) -> ViewerWindow:
        """A view window of server message ``key``, or of ``key`` in local ``folder``."""
        where = (context.name, key if folder is None else f"{folder}\x00{key}")
        existing = self.viewers.get(where)
        if existing is not None:
            existing.show()
            existing.raise_()
            existing.activateWindow()
            return existing
        if folder is None:
            row = context.model.get(key)
        else:
            opened = self.folder_windows.get(context.name)
            row = opened.model.get(key) if opened is not None else None
        viewer = ViewerWindow(context, key, row, folder=folder)
        self.viewers[where] = viewer
        viewer.destroyed.connect(lambda _obj=None, k=where: self._viewer_gone(k))
        writing = self.writing
        viewer.reply_requested.connect(
            lambda data, everyone: writing.reply(context, data, reply_all=everyone)
        )
        viewer.forward_requested.connect(
            lambda data, attached: writing.forward(context, data, as_attachment=attached)
        )
        viewer.mailto_requested.connect(lambda url: writing.mailto(context, url.toString()))
        viewer.show()
        if folder is None:
            self._show_server_message(context, key, viewer)
        else:
            self._show_folder_message(context, folder, key, viewer)
        return viewer

    def _viewer_gone(self, where: tuple[str, str]) -> None:
        self.viewers.pop(where, None)
        self.window_gone()

    def _show_server_message(self, context: AccountContext, key: str, viewer: ViewerWindow) -> None:
        inbox = self.inboxes.get(context.name)
        if inbox is not None:
            viewer.delete_requested.connect(inbox.delete_key)
            viewer.save_requested.connect(inbox.save_selected)

        def shown(data: bytes) -> None:
            context.mark_seen(key)
            viewer.set_data(data)

        context.fetch(key, shown, viewer.failed)

    def _show_folder_message(
        self, context: AccountContext, folder: str, key: str, viewer: ViewerWindow
    ) -> None:
        opened = self.folder_windows.get(context.name)
        if opened is not None:
            viewer.delete_requested.connect(lambda k: opened.delete_keys(folder, [k]))
            viewer.save_requested.connect(lambda keys: opened.choose_target(folder, keys, True))
        folders = context.mailbox.folders

        def read() -> bytes:
            data = folders.get(folder, key)
            with contextlib.suppress(MailError):  # read-only folder: still readable
                folders.add_flags(folder, key, "S")  # Maildir "seen": no longer bold
            return data

        def shown(data: bytes) -> None:
            if opened is not None and shiboken6.isValid(opened) and opened.current == folder:
                opened.model.mark_seen(key)
            viewer.set_data(data)

        pool.run(read, shown, _as_mail_error(viewer.failed), owner=viewer)

    def _removed(self, context: AccountContext, keys: list[str]) -> None:
        for key in keys:
            viewer = self.viewers.get((context.name, key))
            if viewer is not None:
                viewer.mark_gone()

    def compose_mailto(self, url: str) -> None:
        """``pymailgui mailto:...``: a compose window of the default account."""
        context = next(iter(self.contexts.values()), None)
        if context is not None:
            self.writing.mailto(context, url)

    def open_folders(self, context: AccountContext, folder: str | None = None) -> FolderWindow:
        window = _one_per_account(self.folder_windows, context, lambda: FolderWindow(context, self))
        if folder is not None:
            window.show_folder(folder)
        return window

    def open_outbox(self, context: AccountContext) -> OutboxWindow:
        return _one_per_account(self.outbox_windows, context, lambda: OutboxWindow(context, self))

    # -- settings -----------------------------------------------------------------------
    def file_config(self) -> Config:
        """The accounts of the config file (never the demo's, which lives in memory)."""
        if self.demo is None:
            return self.config
        try:
            return load(self.config_path)
        except MailError:
            return Config()

    def show_accounts(self) -> AccountsDialog:
        if self.accounts_dialog is None:
            dialog = AccountsDialog(
                self.file_config(),
                path=self.config_path,
                remember=self.passwords.remember,
                parent=None,
            )
            dialog.saved.connect(self.apply_config)
            dialog.destroyed.connect(lambda _o=None: setattr(self, "accounts_dialog", None))
            self.accounts_dialog = dialog
        self.accounts_dialog.show()
        self.accounts_dialog.raise_()
        self.accounts_dialog.activateWindow()
        return self.accounts_dialog

    def apply_config(self, saved: Config) -> None:
        """Settings were saved: edited accounts take them, removed ones close, and the
        first account ever set up opens."""
        config = saved
        if self.demo is not None:  # the demo stays next to the accounts of the file
            demo = self.demo.config.accounts
            config = dataclasses.replace(saved, accounts={**demo, **saved.accounts})
        self.config = config
        for name in list(self.contexts):
            if name in config.accounts:
                self.contexts[name].reconfigure(config)
            else:
                window = self.inboxes.get(name)
                if window is not None and len(self.inboxes) > 1:
                    window.close()
        for window in self.inboxes.values():
            window.update_switcher(self.account_names())
        if not self.inboxes and saved.accounts:
            self.open_account(next(iter(saved.accounts)))

    def show_help(self) -> None:
        if self.help_window is None:
            self.help_window = HelpWindow()
            self.help_window.destroyed.connect(lambda _obj=None: setattr(self, "help_window", None))
        self.help_window.show()
        self.help_window.raise_()

    def show_about(self) -> None:
        box = AboutBox(QApplication.activeWindow())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.keep(box)
        box.show()


_W = TypeVar("_W", bound=QWidget)


def _one_per_account(windows: dict[str, _W], context: AccountContext, make: Callable[[], _W]) -> _W:
    """The account's window of a kind (made once, forgotten when closed), in front."""
    window = windows.get(context.name)
    if window is None:
        window = make()
        windows[context.name] = window
        window.destroyed.connect(lambda _o=None, n=context.name: windows.pop(n, None))
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def _as_mail_error(on_error: Callable[[MailError], None]) -> Callable[[BaseException], None]:
    """A pool error handler that shows a MailError and lets a bug reach the crash dialog."""

    def handle(error: BaseException) -> None:
        if not isinstance(error, MailError):
            raise error
        on_error(error)

    return handle
