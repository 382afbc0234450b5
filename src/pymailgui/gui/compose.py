"""A compose window: write, reply, forward; attachments; drafts kept safe; Send as a task.

Any number can be open at once. The text is autosaved to Drafts a few seconds after
each change (:mod:`pymailgui.gui.draftkeeper`), so a crash loses at most those
seconds; closing with unsaved changes asks. Send runs in the account's sending thread
(sends may overlap with the POP session): the draft is saved, the core puts the
message in Outbox before the first byte goes out, and the window closes only when the
server accepted it. On failure it stays open with the error, and the message waits in
Outbox; a recipient the server refused is named, and after a partial delivery only the
refused recipients stay in the fields, to be corrected and sent again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QFontDatabase
from PySide6.QtWidgets import QMainWindow, QPlainTextEdit, QVBoxLayout, QWidget

from pymailgui.errors import MailError, RecipientsRefused
from pymailgui.gui import commands, report, settings
from pymailgui.gui.attachpane import AttachmentPane, local_files
from pymailgui.gui.bars import MessageBar
from pymailgui.gui.closeprompt import DISCARD, SAVE, ClosePrompt
from pymailgui.gui.composeform import ComposeForm
from pymailgui.gui.context import AccountContext
from pymailgui.gui.draftkeeper import DraftKeeper, DraftStore
from pymailgui.gui.worker import Job
from pymailgui.message import Draft, signature_block
from pymailgui.smtp import SendResult
from pymailgui.tasks import Notice

#: ``contexts(name)``: the open account ``name`` (opened on demand for From).
Contexts = Callable[[str], AccountContext | None]


def describe_refused(refused: dict[str, tuple[int, str]]) -> str:
    return "; ".join(f"{addr} ({code} {text.strip()})" for addr, (code, text) in refused.items())


class ComposeWindow(QMainWindow):
    def __init__(
        self,
        context: AccountContext,
        draft: Draft | None = None,
        *,
        accounts: Sequence[tuple[str, str]] = (),
        contexts: Contexts | None = None,
        draft_key: str | None = None,
        outbox_key: str | None = None,
        notices: Sequence[Notice] = (),
    ) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("compose_window")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setAcceptDrops(True)
        self.context = context
        self.contexts = contexts
        draft = draft if draft is not None else context.mailbox.new_draft()
        self.draft = draft
        self.outbox_key = outbox_key
        self.job: Job | None = None
        self.sent: SendResult | None = None
        self.prompt: ClosePrompt | None = None
        self._done = False  # closing for good: no question left to ask
        self._closed = False  # closed: late results of a send go to the status line
        self._close_when_sent = False
        self._build(list(accounts) or [(context.name, context.mailbox.identity_line())])
        self.form.fill(draft)
        self.body.setPlainText(draft.body)
        self.attachments.add_items(list(draft.attachments))
        if notices:
            self.notice_bar.show_text(" ".join(n.text for n in notices))
        self.store = DraftStore(context.mailbox, kept=draft_key)
        self.keeper = DraftKeeper(self.store, self.current_draft, self)
        self.keeper.failed.connect(
            lambda error: self.statusBar().showMessage(f"The draft could not be saved: {error}")
        )
        self.keeper.saved.connect(lambda _key: self._saved())
        for signal in (self.form.edited, self.body.textChanged, self.attachments.changed):
            signal.connect(self.keeper.changed)
        self.form.subject.textChanged.connect(lambda _t: self._update_title())
        self.form.account_chosen.connect(self.switch_account)
        self._update_title()
        self.resize(760, 620)
        settings.restore_geometry("compose", self)
        self._load_completions()
        self._focus_first()

    # -- building -----------------------------------------------------------------------
    def _build(self, accounts: list[tuple[str, str]]) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 4)
        self.error_bar = MessageBar("danger", central)
        self.error_bar.setObjectName("send_error")
        layout.addWidget(self.error_bar)
        self.notice_bar = MessageBar("warning", central)
        self.notice_bar.setObjectName("compose_notice")
        layout.addWidget(self.notice_bar)
        self.form = ComposeForm(accounts, self.context.name, central)
        layout.addWidget(self.form)
        # The form's fields under their old names: tests and callers use them.
        self.to, self.cc, self.bcc = self.form.to, self.form.cc, self.form.bcc
        self.subject = self.form.subject
        self.body = QPlainTextEdit(central)
        self.body.setObjectName("body_field")
        self.body.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.body.setTabChangesFocus(False)
        layout.addWidget(self.body, 1)
        self.attachments = AttachmentPane(central)
        attach_box = QWidget(central)
        attach_layout = QVBoxLayout(attach_box)
        attach_layout.setContentsMargins(6, 0, 6, 0)
        attach_layout.addWidget(self.attachments)
        layout.addWidget(attach_box)
        self.setCentralWidget(central)
        act = commands.action
        self.send_action = act(self, "send", self.send)
        self.save_action = act(self, "save_draft", self.save_draft)
        self.attach_action = act(self, "attach", self.attachments.choose)
        close = act(self, "close", self.close)
        toolbar = self.addToolBar("Compose")
        toolbar.setObjectName("compose_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.send_action, self.save_action, self.attach_action):
            toolbar.addAction(action)
        menu = self.menuBar().addMenu("&Message")
        for action in (self.send_action, self.save_action, self.attach_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(close)

    def _focus_first(self) -> None:
        if not self.form.to.text():
            self.form.to.setFocus()
        elif not self.subject.text():
            self.subject.setFocus()
        else:
            self.body.setFocus()
            cursor = self.body.textCursor()
            cursor.movePosition(cursor.MoveOperation.Start)
            self.body.setTextCursor(cursor)

    def _update_title(self) -> None:
        self.setWindowTitle(f"Write: {self.subject.text() or '(no subject)'}")

    def _load_completions(self) -> None:
        form = self.form

        def ready(entries: list[str]) -> None:
            if shiboken6.isValid(form):  # the window may have closed meanwhile
                form.set_completions(entries)

        self.context.completions(ready)

    # -- the message --------------------------------------------------------------------
    def current_draft(self) -> Draft:
        recipients = self.form.recipients()
        return dataclasses.replace(
            self.draft,
            to=recipients["to"],
            cc=recipients["cc"],
            bcc=recipients["bcc"],
            subject=self.subject.text(),
            body=self.body.toPlainText(),
            attachments=list(self.attachments.items),
        )

    def switch_account(self, name: str) -> None:
        """Send from another account: its identity, its signature, its Drafts."""
        if self.contexts is None or name == self.context.name:
            return
        other = self.contexts(name)
        if other is None:
            self.form.from_box.setCurrentIndex(self.form.from_box.findData(self.context.name))
            return
        old = signature_block(self.context.mailbox.account.settings.signature)
        new = signature_block(other.mailbox.account.settings.signature)
        text = self.body.toPlainText()
        if old and old in text:
            at = text.rindex(old)
            self.body.setPlainText(text[:at] + new + text[at + len(old) :])
        elif new and not old:
            self.body.setPlainText(text + new)
        self.context = other
        self.store.mailbox = other.mailbox
        self._load_completions()
        self.keeper.changed()

    # -- drafts -------------------------------------------------------------------------
    def save_draft(self) -> None:
        try:
            self.keeper.save_now()
        except MailError as exc:
            report.error(exc, self)
            return
        self.statusBar().showMessage("Saved in Drafts.", 10_000)

    def _saved(self) -> None:
        self.context.folders_changed.emit(["Drafts"])

    # -- sending ------------------------------------------------------------------------
    def send(self) -> None:
        if self.job is not None:
            return
        draft = self.current_draft()
        if not (draft.to or draft.cc or draft.bcc):
            self.error_bar.show_text("Add at least one recipient in To, Cc or Bcc.")
            self.form.to.setFocus()
            return
        if self.attachments.loading:
            self.error_bar.show_text("Wait until the attachments have been read.")
            return
        self.error_bar.hide()
        self._set_editable(False)
        self.keeper.stop()
        self.statusBar().showMessage("Sending…")
        store, mailbox, outbox_key = self.store, self.context.mailbox, self.outbox_key

        def run(task: object) -> SendResult:
            key = store.save(draft)  # if it cannot even reach Outbox, it is in Drafts
            return mailbox.send(draft, task, draft_key=key, outbox_key=outbox_key)  # type: ignore[arg-type]

        context = self.context
        self.job = context.outgoing.submit(
            Job(
                "send",
                f"Sending “{draft.subject or '(no subject)'}”",
                run,
                on_done=self._sent,
                on_error=self._failed,
            )
        )

    def _set_editable(self, editable: bool) -> None:
        self.form.set_editable(editable)
        self.body.setReadOnly(not editable)
        for action in (self.send_action, self.save_action, self.attach_action):
            action.setEnabled(editable)
        self.attachments.setEnabled(editable)

    def _sent(self, result: SendResult) -> None:
        self.job = None
        self.sent = result
        if self._closed:
            self.context.status.emit(f"Sent “{self.draft.subject or '(no subject)'}”.")
            return
        self.outbox_key = None
        self.store.forget()
        self.context.folders_changed.emit(["Sent", "Drafts", "Outbox"])
        subject = self.subject.text() or "(no subject)"
        if not result.refused:
            self.context.status.emit(f"Sent “{subject}”.")
            self._finish()
            return
        # Delivered to some: the rest stay in the window, to be fixed and sent again.
        accepted = ", ".join(result.accepted) or "nobody"
        self.form.keep_only({a.casefold() for a in result.refused})
        self._set_editable(True)
        self.keeper.resume()
        self.keeper.changed()
        self.statusBar().clearMessage()
        self.error_bar.show_text(
            f"Sent to {accepted} (a copy is in Sent). Refused by the server: "
            f"{describe_refused(result.refused)}. Correct those addresses and send again."
        )
        self._show_again()

    def _failed(self, error: MailError) -> None:
        self.job = None
        if self._closed:  # the window is gone: say it where the user is
            report.error(error, None)
            return
        if error.outbox_key is not None:
            self.store.forget()  # the copy in Outbox replaced the draft
            self.outbox_key = error.outbox_key
        self.context.folders_changed.emit(["Drafts", "Outbox"])
        self.context.outbox_changed.emit()
        self._set_editable(True)
        self.keeper.mark_saved()
        self.keeper.resume()
        self.statusBar().clearMessage()
        where = (
            " It waits in Outbox; Send tries again."
            if error.outbox_key is not None
            else " It is kept in Drafts."
        )
        text = f"Not sent: {error}"
        if isinstance(error, RecipientsRefused) and error.refused:
            text = f"Not sent: the server refused {describe_refused(error.refused)}."
        self.error_bar.show_text(text if "Outbox" in text or "Drafts" in text else text + where)
        self._show_again()

    def _show_again(self) -> None:
        if self._close_when_sent:  # the user had closed it while it was sending
            self._close_when_sent = False
            self.show()
            self.raise_()

    # -- closing ------------------------------------------------------------------------
    def _finish(self) -> None:
        self._done = True
        self.keeper.stop()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.job is not None and not self._done:
            # Sending goes on; the window comes back only if the server says no.
            event.ignore()
            self._close_when_sent = True
            self.hide()
            return
        if not self._done and self.keeper.unsaved:
            event.ignore()
            if self.prompt is None:
                self.prompt = ClosePrompt(self.subject.text(), self)
                self.prompt.decided.connect(self._close_decided)
                self.prompt.destroyed.connect(lambda _o=None: setattr(self, "prompt", None))
                self.prompt.show()
            return
        if not self._done:
            self.keeper.discard()  # nothing unsaved: an autosave copy is not needed
        self.keeper.stop()
        self._closed = True
        settings.save_geometry("compose", self)
        super().closeEvent(event)

    def close_keeping_text(self) -> None:
        """Close without asking: unsaved text goes to Drafts (the program is quitting)."""
        if self.job is None and self.keeper.unsaved:
            try:
                self.keeper.save_now()
            except MailError:
                pass  # the last autosave copy is still in Drafts
        self._done = True
        self.close()

    def _close_decided(self, how: str) -> None:
        if how == SAVE:
            try:
                self.keeper.save_now()
            except MailError as exc:
                report.error(exc, self)
                return
            self.context.status.emit(f"“{self.subject.text() or '(no subject)'}” is in Drafts.")
        elif how == DISCARD:
            self.keeper.discard()
        self.context.folders_changed.emit(["Drafts"])
        self._done = True
        self.close()

    # -- drag and drop: files dropped anywhere on the window are attached -------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.attachments.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if local_files(event.mimeData().urls()):
            self.attachments.dropEvent(event)
