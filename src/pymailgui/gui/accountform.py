"""The form of one account: who you are, its POP3 and SMTP servers, how often to check.

Typing an address of a known provider fills in its servers (the core's table from
Thunderbird's ISPDB, :func:`pymailgui.config.providers.suggest`) as long as the user
has not typed servers of their own, and shows what the provider requires (an app
password, POP to be switched on, or that it offers no POP3 at all).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pymailgui.config import AccountConfig, ServerConfig
from pymailgui.config.providers import ProviderSettings, suggest
from pymailgui.errors import ConfigError
from pymailgui.gui.bars import MessageBar
from pymailgui.gui.serverbox import ServerBox


def provider_text(provider: ProviderSettings) -> str:
    if not provider.usable:
        why = " ".join(provider.notes) or "PyMailGUI cannot log in to it."
        return f"{provider.name}: {why}"
    text = f"The servers of {provider.name} are filled in."
    return f"{text} {' '.join(provider.notes)}" if provider.notes else text


class AccountForm(QWidget):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("account_form")
        self.base: AccountConfig | None = None
        self._suggested: tuple[ServerConfig | None, ServerConfig | None] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.address = self._line("address_field", "you@example.com")
        self.address.textEdited.connect(self._address_typed)
        self.display_name = self._line("display_name_field", "shown next to your address")
        self.name = self._line("name_field", "a short name, e.g. work")
        self.signature = QPlainTextEdit(self)
        self.signature.setObjectName("signature_field")
        self.signature.setPlaceholderText("added under new messages, replies and forwards")
        self.signature.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.signature.textChanged.connect(self.edited.emit)
        self.check = QSpinBox(self)
        self.check.setObjectName("check_field")
        self.check.setRange(0, 24 * 60)
        self.check.setSuffix(" minutes")
        self.check.setSpecialValueText("only when I ask (F5)")
        self.check.setToolTip("Check the server and notify the desktop when new mail arrived")
        self.check.valueChanged.connect(lambda _v: self.edited.emit())
        form.addRow("&Address:", self.address)
        form.addRow("Your &name:", self.display_name)
        form.addRow("Account na&me:", self.name)
        form.addRow("Si&gnature:", self.signature)
        form.addRow("Check for &new mail:", self.check)
        layout.addLayout(form)
        self.note = MessageBar("info", self, closable=False)
        self.note.setObjectName("provider_note")
        layout.addWidget(self.note)
        self.pop = ServerBox("pop", "Incoming mail (POP3)", self)
        self.smtp = ServerBox("smtp", "Outgoing mail (SMTP)", self)
        self.smtp.setCheckable(True)
        self.smtp.toggled.connect(lambda _on: self.edited.emit())
        for box in (self.pop, self.smtp):
            box.edited.connect(self.edited.emit)
            box.host.textEdited.connect(lambda _t: self._host_edited())
            layout.addWidget(box)
        layout.addStretch(1)

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.textEdited.connect(lambda _t: self.edited.emit())
        return edit

    # -- in and out ---------------------------------------------------------------------
    def load(self, account: AccountConfig | None) -> None:
        self.base = account
        self._suggested = None
        self.address.setText(account.address if account else "")
        self.display_name.setText(account.display_name if account else "")
        self.name.setText(account.name if account else "")
        self.signature.setPlainText(account.signature if account else "")
        self.check.setValue(account.check_minutes if account else 0)
        self.pop.set_server(account.pop if account else None)
        self.smtp.set_server(account.smtp if account else None)
        self.smtp.setChecked(account is None or account.smtp is not None)
        self.note.hide()

    def account(self) -> AccountConfig:
        """The account as typed; ConfigError names what is missing."""
        address = self.address.text().strip()
        if "@" not in address:
            raise ConfigError("Give the account's address, like you@example.com.")
        name = self.name.text().strip() or address.partition("@")[0] or "mail"
        pop = self.pop.server()
        smtp = self.smtp.server() if self.smtp.isChecked() else None
        base = self.base
        return AccountConfig(
            name=name,
            address=address,
            pop=pop,
            smtp=smtp,
            display_name=self.display_name.text().strip(),
            signature=self.signature.toPlainText().rstrip(),
            aliases=list(base.aliases) if base else [],
            check_minutes=self.check.value(),
        )

    def password_for(self, protocol: str) -> str | None:
        return (self.pop if protocol == "pop" else self.smtp).typed_password()

    # -- the provider table -------------------------------------------------------------
    def _address_typed(self, text: str) -> None:
        provider = suggest(text.strip())
        if provider is None:
            self.note.hide()
            return
        if not self._servers_are_ours():
            # The user typed servers of their own: leave them, and claim nothing.
            if provider.usable:
                self.note.hide()
            else:
                self.note.show_text(provider_text(provider))
            return
        self.note.show_text(provider_text(provider))
        address = text.strip()
        pop, smtp = provider.pop_server(address), provider.smtp_server(address)
        if pop is not None:
            self.pop.suggest(pop)
        if smtp is not None:
            self.smtp.suggest(smtp)
        self._suggested = (pop, smtp)
        if not self.name.text().strip():
            self.name.setText(provider.name.split()[0].lower())

    def _host_edited(self) -> None:
        """A server changed by hand: "the servers of X are filled in" is no longer true."""
        if self._suggested is not None and not self._servers_are_ours():
            self._suggested = None
            self.note.hide()

    def _servers_are_ours(self) -> bool:
        """The server fields are empty or still hold what was filled in last."""
        filled = [self.pop.host.text().strip(), self.smtp.host.text().strip()]
        if not any(filled):
            return True
        if self._suggested is None:
            return self.base is None and not any(filled)
        pop, smtp = self._suggested
        return filled == [pop.host if pop else "", smtp.host if smtp else ""]
