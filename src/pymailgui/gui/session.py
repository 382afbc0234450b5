"""The running desktop client: open accounts, their windows, and what they share.

One :class:`AccountContext` per account opened (its worker threads and list model);
one inbox window per context; view windows keyed by (account, message key) so opening
a message twice raises the window already open; compose, help and about windows kept
alive here until closed. Closing the last inbox window quits.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtWidgets import QApplication, QWidget

from pymailgui.actions import open_account
from pymailgui.config import Config
from pymailgui.demo import Demo, open_demo_account
from pymailgui.errors import MailError
from pymailgui.gui import report
from pymailgui.gui.about import AboutBox
from pymailgui.gui.compose import ComposeWindow, draft_from_mailto
from pymailgui.gui.context import AccountContext
from pymailgui.gui.help import HelpWindow
from pymailgui.gui.inbox import InboxWindow
from pymailgui.gui.mailbox import Mailbox
from pymailgui.gui.password import PasswordBroker
from pymailgui.gui.viewer import ViewerWindow
from pymailgui.message import Draft


class Desktop(QObject):
    #: The last inbox window closed and every account was closed.
    finished = Signal()

    def __init__(
        self, config: Config, *, fixed_password: str | None = None, demo: Demo | None = None
    ) -> None:
        """``demo``: the running demo servers, whose account keeps its own cache and
        folders (never a real account's); ``fixed_password``: tests' servers."""
        super().__init__()
        self.config = config
        self.fixed_password = fixed_password
        self.demo = demo
        self.passwords = PasswordBroker(self)
        self.contexts: dict[str, AccountContext] = {}
        self.inboxes: dict[str, InboxWindow] = {}
        self.viewers: dict[tuple[str, str], ViewerWindow] = {}
        self.windows: list[QWidget] = []
        self.help_window: HelpWindow | None = None

    def account_names(self) -> list[str]:
        return list(self.config.accounts)

    # -- accounts -----------------------------------------------------------------------
    def open_account(self, name: str | None = None) -> InboxWindow | None:
        """Show the inbox window of ``name`` (default: the configured default account)."""
        try:
            chosen = self.config.account(name).name
            window = self.inboxes.get(chosen)
            if window is None:
                if self.demo is not None:
                    account = open_demo_account(self.demo, prompt=self.passwords)
                else:
                    account = open_account(
                        self.config,
                        chosen,
                        prompt=self.passwords,
                        fixed_password=self.fixed_password,
                    )
                context = AccountContext(Mailbox(account), self.config, self)
                context.removed.connect(lambda keys, c=context: self._removed(c, keys))
                self.contexts[chosen] = context
                window = InboxWindow(context, self)
                self.inboxes[chosen] = window
        except MailError as exc:
            report.error(exc, None)
            return None
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def inbox_closed(self, window: InboxWindow) -> None:
        name = window.context.name
        self.inboxes.pop(name, None)
        for (account, _key), viewer in list(self.viewers.items()):
            if account == name:
                viewer.close()
        context = self.contexts.pop(name, None)
        if context is not None:
            context.close()
        if not self.inboxes:
            self.passwords.cancel_all()
            for other in list(self.windows):
                other.close()
            self.finished.emit()

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

    def _forget(self, window: QWidget) -> None:
        if window in self.windows:
            self.windows.remove(window)

    def open_viewer(self, context: AccountContext, key: str) -> ViewerWindow:
        existing = self.viewers.get((context.name, key))
        if existing is not None:
            existing.show()
            existing.raise_()
            existing.activateWindow()
            return existing
        viewer = ViewerWindow(context, key, context.model.get(key))
        self.viewers[(context.name, key)] = viewer
        viewer.destroyed.connect(lambda _obj=None, k=(context.name, key): self.viewers.pop(k, None))
        inbox = self.inboxes.get(context.name)
        viewer.reply_requested.connect(
            lambda data, everyone: self.reply(context, data, reply_all=everyone)
        )
        viewer.forward_requested.connect(lambda data: self.forward(context, data))
        viewer.mailto_requested.connect(lambda url: self.compose(context, draft_from_mailto(url)))
        if inbox is not None:
            viewer.delete_requested.connect(inbox.delete_key)
            viewer.save_requested.connect(inbox.save_selected)
        viewer.show()

        def shown(data: bytes) -> None:
            context.mark_seen(key)
            viewer.set_data(data)

        def failed(error: MailError) -> None:
            viewer.failed(error)

        context.fetch(key, shown, failed)
        return viewer

    def _removed(self, context: AccountContext, keys: list[str]) -> None:
        for key in keys:
            viewer = self.viewers.get((context.name, key))
            if viewer is not None:
                viewer.mark_gone()

    def compose(self, context: AccountContext, draft: Draft | None = None) -> ComposeWindow:
        window = ComposeWindow(context, draft)
        self.keep(window)
        window.show()
        return window

    def reply(self, context: AccountContext, data: bytes, *, reply_all: bool = False) -> None:
        try:
            draft = context.mailbox.reply_draft(data, reply_all=reply_all)
        except MailError as exc:
            report.error(exc, None)
            return
        self.compose(context, draft)

    def forward(self, context: AccountContext, data: bytes) -> None:
        try:
            draft = context.mailbox.forward_draft(data)
        except MailError as exc:
            report.error(exc, None)
            return
        self.compose(context, draft)

    def compose_mailto(self, url: str) -> None:
        """``pymailgui mailto:...``: a compose window of the default account."""
        context = next(iter(self.contexts.values()), None)
        if context is not None:
            self.compose(context, draft_from_mailto(QUrl(url)))

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
