"""A first compose window: To, Cc, Subject, the text, and Send as a task.

Write, Reply, Reply all and Forward open one; any number can be open at once. Sending
runs in the account's sending worker (sends may overlap with the POP session); the
window closes only when the server accepted the message. On failure it stays open with
the error, and the core keeps the text in Outbox. (Drafts, attachments and address
completion come with issue 8.)
"""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, unquote

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QCloseEvent, QFontDatabase
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from pymailgui.errors import MailError
from pymailgui.gui import commands, report, settings
from pymailgui.gui.bars import MessageBar
from pymailgui.gui.context import AccountContext
from pymailgui.gui.worker import Job
from pymailgui.message import Draft
from pymailgui.smtp import SendResult


def split_addresses(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def draft_from_mailto(url: QUrl) -> Draft:
    """A draft from a mailto: URL (RFC 6068): to, cc, subject, body; nothing else."""
    text = url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
    target, _, query = text.removeprefix("mailto:").partition("?")
    fields = parse_qs(query, keep_blank_values=True)

    def one(name: str) -> str:
        # Header values can't carry line breaks (CR/LF would inject headers).
        return (
            " ".join(fields.get(name, [""])[0].split())
            if name != "body"
            else fields.get(name, [""])[0]
        )

    to = split_addresses(unquote(target)) + split_addresses(one("to"))
    return Draft(to=to, cc=split_addresses(one("cc")), subject=one("subject"), body=one("body"))


class ComposeWindow(QMainWindow):
    def __init__(self, context: AccountContext, draft: Draft | None = None) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("compose_window")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.context = context
        self.draft = draft or Draft()
        self.job: Job | None = None
        self.sent: SendResult | None = None
        self._closed = False
        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.error_bar = MessageBar("danger", central)
        self.error_bar.setObjectName("send_error")
        layout.addWidget(self.error_bar)
        form = QFormLayout()
        self.from_label = QLabel(context.mailbox.identity_line(), central)
        self.to = QLineEdit(", ".join(self.draft.to), central)
        self.to.setObjectName("to_field")
        self.cc = QLineEdit(", ".join(self.draft.cc), central)
        self.cc.setObjectName("cc_field")
        self.subject = QLineEdit(self.draft.subject, central)
        self.subject.setObjectName("subject_field")
        form.addRow("From:", self.from_label)
        form.addRow("&To:", self.to)
        form.addRow("&Cc:", self.cc)
        form.addRow("&Subject:", self.subject)
        layout.addLayout(form)
        self.body = QPlainTextEdit(central)
        self.body.setObjectName("body_field")
        self.body.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.body.setPlainText(self.draft.body)
        layout.addWidget(self.body, 1)
        self.setCentralWidget(central)
        self.send_action = commands.action(self, "send", self.send)
        close = commands.action(self, "close", self.close)
        toolbar = self.addToolBar("Compose")
        toolbar.setObjectName("compose_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.send_action)
        menu = self.menuBar().addMenu("&Message")
        menu.addAction(self.send_action)
        menu.addAction(close)
        self._update_title()
        self.subject.textChanged.connect(lambda _t: self._update_title())
        self.resize(720, 560)
        settings.restore_geometry("compose", self)
        (self.body if self.draft.to else self.to).setFocus()
        if self.draft.body and not self.draft.to:
            self.to.setFocus()

    def _update_title(self) -> None:
        self.setWindowTitle(f"Write: {self.subject.text() or '(no subject)'}")

    def current_draft(self) -> Draft:
        return dataclasses.replace(
            self.draft,
            to=split_addresses(self.to.text()),
            cc=split_addresses(self.cc.text()),
            subject=self.subject.text(),
            body=self.body.toPlainText(),
        )

    def send(self) -> None:
        if self.job is not None:
            return
        draft = self.current_draft()
        if not draft.to and not draft.cc:
            self.error_bar.show_text("Add at least one recipient in To or Cc.")
            self.to.setFocus()
            return
        self.error_bar.hide()
        self._set_editable(False)
        self.statusBar().showMessage("Sending…")
        self.job = self.context.outgoing.submit(
            Job(
                "send",
                f"Sending “{draft.subject or '(no subject)'}”",
                lambda task: self.context.mailbox.send(draft, task),
                on_done=self._sent,
                on_error=self._failed,
            )
        )

    def _set_editable(self, editable: bool) -> None:
        for field in (self.to, self.cc, self.subject):
            field.setReadOnly(not editable)
        self.body.setReadOnly(not editable)
        self.send_action.setEnabled(editable)

    def _sent(self, result: SendResult) -> None:
        self.job = None
        self.sent = result
        if self._closed:
            return
        if result.refused:
            refused = ", ".join(
                f"{a} ({code} {text})" for a, (code, text) in result.refused.items()
            )
            self.context.status.emit(f"Sent, but these recipients were refused: {refused}")
        else:
            self.context.status.emit(f"Sent “{self.subject.text() or '(no subject)'}”.")
        self.close()

    def _failed(self, error: MailError) -> None:
        self.job = None
        if self._closed:  # closed while sending: say it where the user is
            report.error(error, None)
            return
        self._set_editable(True)
        self.statusBar().clearMessage()
        self.error_bar.show_text(f"Not sent: {error}")

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closed = True
        settings.save_geometry("compose", self)
        super().closeEvent(event)
