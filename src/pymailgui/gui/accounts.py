"""The account settings dialog: add, edit and remove accounts; test a connection.

The accounts on the left, the selected one's form in the middle (address, name,
signature, the POP3 and SMTP servers, the check interval), and on the right what
*Test connection* found - it logs in to both servers through the client's own code
as a task in a thread of its own, and says exactly which step failed: the name not
found, the connection refused or timed out, the certificate (its subject, issuer and
fingerprint), the login. Edits are kept in a working copy while the user moves between
accounts; *Save* writes the whole file durably (the core's ``config.write``), and a
password typed here goes to the system keyring, never into the file. Non-modal, like
every window here.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from pymailgui.actions.diagnose import ConnectionReport, pin_certificate, test_account
from pymailgui.config import Config
from pymailgui.config.write import (
    save,
    with_account,
    without_account,
)
from pymailgui.errors import Cancelled, ConfigError, MailError
from pymailgui.gui import settings
from pymailgui.gui.accountform import AccountForm
from pymailgui.gui.accountsecrets import Remember, passwords_for_test, store_typed
from pymailgui.gui.bars import MessageBar
from pymailgui.gui.checkreport import CheckReport
from pymailgui.gui.choicebox import ChoiceBox
from pymailgui.gui.worker import Job, Worker
from pymailgui.tasks import Task

NEW = "(new account)"


class AccountsDialog(QDialog):
    #: The settings were saved: the new Config.
    saved = Signal(object)

    def __init__(
        self,
        config: Config,
        *,
        path: Path | None = None,
        remember: Remember | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("accounts_dialog")
        self.setWindowTitle("Account Settings")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.working = config
        self.path = path
        self.remember = remember
        self.current: str | None = None  # the account in the form (None: a new one)
        self.dirty = False
        self._loading = False
        self.typed: dict[tuple[str, str], str] = {}
        self.job: Job | None = None
        self.prompt: ChoiceBox | None = None
        self.worker = Worker("settings-test", self)
        self._build()
        names = list(config.accounts)
        self._fill_list(names[0] if names else None)
        self.resize(1180, 760)
        settings.restore_geometry("accounts", self)

    # -- building -----------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.error_bar = MessageBar("danger", self)
        self.error_bar.setObjectName("settings_error")
        outer.addWidget(self.error_bar)
        columns = QHBoxLayout()
        columns.addLayout(self._build_list())
        self.form = AccountForm(self)
        self.form.edited.connect(self._edited)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setMinimumWidth(440)
        columns.addWidget(scroll, 3)
        columns.addLayout(self._build_report(), 3)
        outer.addLayout(columns, 1)
        outer.addLayout(self._build_buttons())
        self._update()

    def _build_list(self) -> QVBoxLayout:
        left = QVBoxLayout()
        self.account_list = QListWidget(self)
        self.account_list.setObjectName("account_list")
        self.account_list.setMaximumWidth(170)
        self.account_list.currentTextChanged.connect(self._picked)
        left.addWidget(self.account_list, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add", self)
        self.add_button.setObjectName("add_account")
        self.add_button.clicked.connect(self.add_account)
        self.remove_button = QPushButton("Remove…", self)
        self.remove_button.setObjectName("remove_account")
        self.remove_button.clicked.connect(self.remove_account)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        left.addLayout(row)
        return left

    def _build_report(self) -> QVBoxLayout:
        right = QVBoxLayout()
        test_row = QHBoxLayout()
        self.test_button = QPushButton("Test Connection", self)
        self.test_button.setObjectName("test_button")
        self.test_button.clicked.connect(self.test_connection)
        self.cancel_button = QPushButton("Cancel Test", self)
        self.cancel_button.setObjectName("cancel_test")
        self.cancel_button.clicked.connect(self.cancel_test)
        self.cancel_button.hide()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.cancel_button)
        test_row.addStretch(1)
        right.addLayout(test_row)
        self.report = CheckReport(self)
        self.report.pin_requested.connect(self.pin)
        report_scroll = QScrollArea(self)
        report_scroll.setWidgetResizable(True)
        report_scroll.setWidget(self.report)
        right.addWidget(report_scroll, 1)
        return right

    def _build_buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        self.where = QLabel(self)
        self.where.setObjectName("settings_file")
        self.where.setWordWrap(True)
        buttons.addWidget(self.where, 1)
        self.save_button = QPushButton("Save", self)
        self.save_button.setObjectName("save_settings")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("close_settings")
        self.close_button.clicked.connect(self.close)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        return buttons

    def _fill_list(self, select: str | None) -> None:
        """List the accounts (and a new one being typed) and show ``select``'s form."""
        self.account_list.blockSignals(True)
        self.account_list.clear()
        self.account_list.addItems(list(self.working.accounts))
        if select is None:
            self.account_list.addItem(NEW)
        items = self.account_list.findItems(select or NEW, Qt.MatchFlag.MatchExactly)
        if items:
            self.account_list.setCurrentItem(items[0])
        self.account_list.blockSignals(False)
        if select is None or items:
            self._load(select)

    def _select(self, name: str | None) -> None:
        items = self.account_list.findItems(name or NEW, Qt.MatchFlag.MatchExactly)
        if items:
            self.account_list.blockSignals(True)
            self.account_list.setCurrentItem(items[0])
            self.account_list.blockSignals(False)

    def _load(self, name: str | None) -> None:
        self.current = name
        self._loading = True  # filling the form is not an edit
        try:
            self.form.load(self.working.accounts.get(name) if name else None)
        finally:
            self._loading = False
        self.report.clear()
        self.error_bar.hide()
        self._update()

    def _update(self) -> None:
        where = self.path or self.working.source
        self.where.setText(f"Saved in {where}" if where else "")
        self.save_button.setEnabled(self.dirty)
        self.remove_button.setEnabled(self.current is not None)
        testing = self.job is not None
        self.test_button.setEnabled(not testing)
        self.cancel_button.setVisible(testing)

    def _edited(self) -> None:
        if self._loading:
            return
        self.dirty = True
        self._update()

    # -- moving between accounts --------------------------------------------------------
    def _commit(self) -> bool:
        """Put the form into the working copy; False (and why, in the bar) if it can't."""
        if not self.dirty and self.current is not None:
            return True
        if self.current is None and not self.form.address.text().strip():
            return True  # an untouched new account: nothing to keep
        try:
            account = self.form.account()
            self.working = with_account(self.working, account, replacing=self.current)
        except ConfigError as exc:
            self.error_bar.show_text(str(exc))
            return False
        for protocol in ("pop", "smtp"):
            password = self.form.password_for(protocol)
            if password:
                self.typed[(account.name, protocol)] = password
        self.current = account.name
        self.error_bar.hide()
        return True

    def _picked(self, text: str) -> None:
        if not text or text == (self.current or NEW):
            return
        if not self._commit():
            self._select(self.current)  # stay on the account with the problem, as typed
            return
        self._fill_list(None if text == NEW else text)

    def add_account(self) -> None:
        if not self._commit():
            return
        self.current = None
        self._fill_list(None)
        self.form.address.setFocus()

    def remove_account(self) -> None:
        name = self.current
        if name is None:
            return
        self.prompt = ChoiceBox.confirm(
            "remove_account",
            "Remove the account?",
            f"Remove the account {name}?",
            "Its settings are removed from PyMailGUI; the mail on the server and your local "
            "folders stay as they are.",
            "Remove",
            lambda: self._removed(name),
            self,
        )

    def _removed(self, name: str) -> None:
        self.working = without_account(self.working, name)
        self.dirty = True
        self.current = None
        names = list(self.working.accounts)
        self._fill_list(names[0] if names else None)
        self._update()

    # -- saving -------------------------------------------------------------------------
    def save(self) -> None:
        if not self._commit():
            return
        try:
            written = save(self.working, self.path)
        except MailError as exc:
            self.error_bar.show_text(f"Not saved: {exc}")
            return
        self.working = dataclasses.replace(self.working, source=written)
        notes = store_typed(self.working, self.typed, self.remember)
        self.typed.clear()
        self.dirty = False
        self._fill_list(self.current)
        self._update()
        if notes:
            self.error_bar.set_kind("info")
            self.error_bar.show_text(" ".join(notes))
        self.saved.emit(self.working)

    # -- testing ------------------------------------------------------------------------
    def test_connection(self) -> None:
        if self.job is not None:
            return
        try:
            account = self.form.account()
        except ConfigError as exc:
            self.error_bar.show_text(str(exc))
            return
        self.error_bar.hide()
        typed = {p: self.form.password_for(p) for p in ("pop", "smtp")}
        password_for = passwords_for_test(account, typed, self.working.general.use_keyring)

        def run(task: Task) -> ConnectionReport:
            return test_account(account, password_for, task)

        self.report.show_running(f"Testing {account.pop.host}…")
        self.job = self.worker.submit(
            Job(
                "test",
                "Testing the connection",
                run,
                on_done=self._tested,
                on_error=self._not_tested,
            )
        )
        self._update()

    def _tested(self, report: ConnectionReport) -> None:
        self.job = None
        self.report.show_report(report)
        self._update()

    def _not_tested(self, error: MailError) -> None:
        self.job = None
        if isinstance(error, Cancelled):
            self.report.show_running("The test was cancelled.")
        else:
            self.report.show_failed(str(error))
        self._update()

    def cancel_test(self) -> None:
        if self.job is not None:
            self.job.task.cancel()

    def pin(self, protocol: str, der: bytes) -> None:
        """Trust exactly this certificate for this account's server, then test again."""
        box = self.form.pop if protocol == "pop" else self.form.smtp
        try:
            path = pin_certificate(box.server(), der)
        except MailError as exc:
            self.error_bar.show_text(str(exc))
            return
        box.pin(str(path))
        self.test_connection()

    # -- closing ------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.dirty and self.prompt is None:
            event.ignore()
            box = ChoiceBox("settings_close_prompt", "Save the settings?", self)
            box.setText("The account settings have changes that are not saved.")
            role = QMessageBox.ButtonRole
            save_button = box.choice("Save", "settings_close_save", role.AcceptRole, "save")
            box.choice("Discard", "settings_close_discard", role.DestructiveRole, "discard")
            box.choice("Cancel", "settings_close_cancel", role.RejectRole)
            box.setDefaultButton(save_button)
            box.decided.connect(self._close_decided)
            box.destroyed.connect(lambda _o=None: setattr(self, "prompt", None))
            self.prompt = box
            box.show()
            return
        if self.dirty:
            event.ignore()
            return
        if self.job is not None:
            self.job.task.cancel()
        self.worker.stop(5_000)
        settings.save_geometry("accounts", self)
        super().closeEvent(event)

    def _close_decided(self, how: str) -> None:
        if how == "save":
            self.save()
            if self.dirty:
                return  # not saved: the bar says why
        self.dirty = False
        self.close()
