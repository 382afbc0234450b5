"""One server of an account in the settings dialog: host, port, security, login, password.

The password source is the schema's: the system keyring (PyMailGUI asks when there is
none, once per session) or a command that prints it. A password typed here is used
for Test connection and, on Save, stored in the keyring - never in the config file.
Settings the form does not show (a CA file, a timeout, a pinned certificate) are kept
as they were.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLineEdit, QSpinBox, QWidget

from pymailgui.config import Security, ServerConfig
from pymailgui.config.write import PasswordSource, password_source, with_password_source
from pymailgui.errors import ConfigError

SECURITY = (
    (Security.TLS, "TLS (encrypted from the start)"),
    (Security.STARTTLS, "STARTTLS (encryption required)"),
    (Security.NONE, "None (clear text, this computer only)"),
)
SOURCES = (
    (PasswordSource.KEYRING, "System keyring (asked when missing)"),
    (PasswordSource.COMMAND, "A command prints it"),
)


class ServerBox(QGroupBox):
    edited = Signal()

    def __init__(self, protocol: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.protocol = protocol
        self.setObjectName(f"{protocol}_box")
        self.base: ServerConfig | None = None
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.host = self._line("host", "mail.example.com")
        self.port = QSpinBox(self)
        self.port.setObjectName(f"{protocol}_port")
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText("standard")
        self.security = QComboBox(self)
        self.security.setObjectName(f"{protocol}_security")
        for security, label in SECURITY:
            self.security.addItem(label, security.value)
        self.user = self._line("user", "the address")
        self.source = QComboBox(self)
        self.source.setObjectName(f"{protocol}_source")
        for source, label in SOURCES:
            self.source.addItem(label, source.value)
        self.password = self._line("password", "typed here: kept in the keyring")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.command = self._line("command", "e.g. pass show mail/work")
        form.addRow("Server:", self.host)
        form.addRow("Port:", self.port)
        form.addRow("Security:", self.security)
        form.addRow("User name:", self.user)
        self.auth: QComboBox | None = None
        if protocol == "smtp":
            self.auth = QComboBox(self)
            self.auth.setObjectName("smtp_auth")
            self.auth.addItem("Log in with the user name and password", "auto")
            self.auth.addItem("No login (a relay that needs none)", "none")
            form.addRow("Login:", self.auth)
            self.auth.currentIndexChanged.connect(lambda _i: self._update())
            self.auth.currentIndexChanged.connect(lambda _i: self.edited.emit())
        form.addRow("Password from:", self.source)
        form.addRow("Password:", self.password)
        form.addRow("Command:", self.command)
        self._form = form
        self.port.valueChanged.connect(lambda _v: self.edited.emit())
        for combo in (self.security, self.source):
            combo.currentIndexChanged.connect(lambda _i: self._update())
            combo.currentIndexChanged.connect(lambda _i: self.edited.emit())
        self._update()

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(f"{self.protocol}_{name}")
        edit.setPlaceholderText(placeholder)
        edit.textEdited.connect(lambda _t: self.edited.emit())
        return edit

    def _update(self) -> None:
        login = self.auth is None or self.auth.currentData() != "none"
        command = self.chosen_source() is PasswordSource.COMMAND
        for widget in (self.user, self.source):
            self._form.setRowVisible(widget, login)
        self._form.setRowVisible(self.password, login and not command)
        self._form.setRowVisible(self.command, login and command)

    # -- in and out ---------------------------------------------------------------------
    def set_server(self, server: ServerConfig | None) -> None:
        self.base = server
        server = server or ServerConfig(host="")
        self.host.setText(server.host)
        self.port.setValue(server.port)
        self.security.setCurrentIndex(max(0, self.security.findData(server.security.value)))
        self.user.setText(server.username)
        self.source.setCurrentIndex(max(0, self.source.findData(password_source(server).value)))
        self.command.setText(server.password_command)
        self.password.clear()
        if self.auth is not None:
            self.auth.setCurrentIndex(max(0, self.auth.findData(server.auth)))
        self._update()

    def suggest(self, server: ServerConfig) -> None:
        """A provider's host, port, security and login (the rest stays as typed)."""
        self.host.setText(server.host)
        self.port.setValue(server.port)
        self.security.setCurrentIndex(max(0, self.security.findData(server.security.value)))
        self.user.setText(server.username)

    def server(self) -> ServerConfig:
        """The server as the fields describe it (ConfigError when the host is missing)."""
        host = self.host.text().strip()
        if not host:
            raise ConfigError(f"Give the {self.title().lower()}'s host name.")
        base = self.base or ServerConfig(host=host)
        auth = (
            str(self.auth.currentData())
            if self.auth is not None
            else (base.auth if base.auth != "none" else "auto")
        )
        if self.auth is not None and auth == "auto" and base.auth not in ("none", "auto"):
            auth = base.auth  # a method chosen in the file ("plain") stays
        changed = dataclasses.replace(
            base,
            host=host,
            port=self.port.value(),
            security=Security(self.security.currentData()),
            username=self.user.text().strip(),
            auth=auth,
        )
        if changed.host != base.host or changed.security is not base.security:
            # A pinned certificate belongs to one server and one kind of connection.
            changed = dataclasses.replace(changed, pinned_certificate="")
        return with_password_source(changed, self.chosen_source(), self.command.text().strip())

    def chosen_source(self) -> PasswordSource:
        return PasswordSource(self.source.currentData())

    def typed_password(self) -> str | None:
        if self.chosen_source() is PasswordSource.COMMAND:
            return None
        return self.password.text() or None

    def pin(self, path: str) -> None:
        """Keep ``path`` as this server's pinned certificate from now on."""
        self.base = dataclasses.replace(self.server(), pinned_certificate=path)
        self.edited.emit()
