"""Every compose window of the running client, and the ways one is opened.

Write, Reply, Reply All, Forward (inline or as an attachment), a mailto: link, a draft
continued from Drafts, a message changed from Outbox: each opens a compose window of
its own (any number at once). When an account's last window closes or the program
quits, a compose window with unsaved text keeps it in Drafts instead of asking a
question nobody would see.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from pymailgui.errors import MailError
from pymailgui.gui import report
from pymailgui.gui.compose import ComposeWindow
from pymailgui.gui.context import AccountContext
from pymailgui.gui.mailto import mailto_draft
from pymailgui.message import Draft
from pymailgui.message.drafts import read_draft
from pymailgui.tasks import Notice

if TYPE_CHECKING:
    from pymailgui.gui.session import Desktop


class Writing(QObject):
    def __init__(self, desktop: Desktop) -> None:
        super().__init__(desktop)
        self.desktop = desktop
        self.windows: list[ComposeWindow] = []

    def _accounts(self) -> list[tuple[str, str]]:
        desktop = self.desktop
        lines = []
        for name in desktop.account_names():
            settings = desktop.config.accounts[name]
            line = (
                f"{settings.display_name} <{settings.address}>"
                if settings.display_name
                else settings.address
            )
            lines.append((name, line))
        return lines

    def compose(
        self,
        context: AccountContext,
        draft: Draft | None = None,
        *,
        draft_key: str | None = None,
        outbox_key: str | None = None,
        notices: Sequence[Notice] = (),
    ) -> ComposeWindow:
        window = ComposeWindow(
            context,
            draft,
            accounts=self._accounts(),
            contexts=self.desktop.context_for,
            draft_key=draft_key,
            outbox_key=outbox_key,
            notices=notices,
        )
        self.windows.append(window)
        window.destroyed.connect(lambda _o=None, w=window: self._forget(w))
        window.show()
        return window

    def _forget(self, window: ComposeWindow) -> None:
        if window in self.windows:
            self.windows.remove(window)
        self.desktop.window_gone()

    def _from(self, context: AccountContext, make: Callable[[], Draft]) -> None:
        try:
            draft = make()
        except MailError as exc:
            report.error(exc, None)
            return
        self.compose(context, draft)

    def reply(self, context: AccountContext, data: bytes, *, reply_all: bool = False) -> None:
        self._from(context, lambda: context.mailbox.reply_draft(data, reply_all=reply_all))

    def forward(self, context: AccountContext, data: bytes, *, as_attachment: bool = False) -> None:
        self._from(
            context, lambda: context.mailbox.forward_draft(data, as_attachment=as_attachment)
        )

    def respond(self, context: AccountContext, data: bytes, kind: str) -> None:
        """``kind``: "reply", "reply_all", "forward" or "forward_attached"."""
        if kind.startswith("forward"):
            self.forward(context, data, as_attachment=kind == "forward_attached")
        else:
            self.reply(context, data, reply_all=kind == "reply_all")

    def mailto(self, context: AccountContext, url: str) -> ComposeWindow | None:
        """A compose window filled from a mailto: link; what was left out is said there."""
        try:
            draft, notices = mailto_draft(url)
        except MailError as exc:
            report.error(exc, None)
            return None
        signature = context.mailbox.new_draft().body
        if signature and signature not in draft.body:
            draft.body += signature
        return self.compose(context, draft, notices=notices)

    def continue_draft(self, context: AccountContext, key: str, data: bytes) -> None:
        """A draft from Drafts, to go on writing (saving replaces that draft)."""
        for window in self.windows:
            if window.store.kept == key:
                window.show()
                window.raise_()
                window.activateWindow()
                return
        self._opened(context, data, draft_key=key)

    def edit_outgoing(self, context: AccountContext, key: str, data: bytes) -> None:
        """A message waiting in Outbox, to change and send again (it replaces that copy)."""
        for window in self.windows:
            if window.outbox_key == key:
                window.show()
                window.raise_()
                return
        self._opened(context, data, outbox_key=key)

    def _opened(
        self,
        context: AccountContext,
        data: bytes,
        *,
        draft_key: str | None = None,
        outbox_key: str | None = None,
    ) -> None:
        try:
            draft = read_draft(data)
        except MailError as exc:
            report.error(exc, None)
            return
        self.compose(context, draft, draft_key=draft_key, outbox_key=outbox_key)

    def close_for(self, name: str | None = None) -> None:
        """Close the compose windows of account ``name`` (all: None), unsaved text kept
        in Drafts (a send still running is the quit prompt's business: stopped, its
        message waits in Outbox)."""
        for window in list(self.windows):
            if name is None or window.context.name == name:
                window.close_keeping_text()
