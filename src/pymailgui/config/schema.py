"""The configuration schema: every option declared once, with type, default and help.

The reference in ``docs/config.md`` is generated from these declarations
(``python -m pymailgui.config.reference``) and a test fails when it drifts.
"""

from __future__ import annotations

import dataclasses
import enum
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pymailgui.tls import client_context


class Security(enum.StrEnum):
    """How a connection is protected."""

    TLS = "tls"  # implicit TLS from the first byte (RFC 8314)
    STARTTLS = "starttls"  # plain connect, then STLS/STARTTLS, required
    NONE = "none"  # cleartext; only when written explicitly


def opt(default: Any, help: str, **kw: Any) -> Any:
    """Declare one option: its default and the help text shown in the reference."""
    meta = {"help": help}
    if isinstance(default, list | dict):
        return field(default_factory=lambda: type(default)(default), metadata=meta, **kw)
    return field(default=default, metadata=meta, **kw)


def required(help: str) -> Any:
    """Declare an option that has no default."""
    return field(metadata={"help": help, "required": True})


# Default ports by protocol and security (RFC 8314: 995/465 implicit TLS).
POP_PORTS = {Security.TLS: 995, Security.STARTTLS: 110, Security.NONE: 110}
SMTP_PORTS = {Security.TLS: 465, Security.STARTTLS: 587, Security.NONE: 25}


@dataclass(frozen=True)
class ServerConfig:
    """A POP3 or SMTP server of one account."""

    host: str = required("Server host name (certificates are checked against it).")
    port: int = opt(0, "TCP port; 0 means the standard port for the protocol and security.")
    security: Security = opt(
        Security.TLS,
        'Connection security: "tls" (implicit TLS), "starttls" (required upgrade) or '
        '"none" (cleartext, must be written explicitly).',
    )
    username: str = opt("", "Login name; empty means the account's address.")
    password_command: str = opt(
        "",
        'A shell command whose standard output is the password (e.g. "pass show mail"). '
        "When empty the system keyring is asked, then the user is prompted.",
    )
    ca_file: str = opt("", "Extra trust anchor (PEM file) added to the system's CA store.")
    pinned_certificate: str = opt(
        "",
        "This server's own certificate (PEM file), trusted for this server although its "
        "CA is unknown; set when the user pins it after a connection test. Host name and "
        "validity are still checked, and any other certificate is refused.",
    )
    timeout: float = opt(30.0, "Seconds to wait for connecting and for each server reply.")
    auth: str = opt(
        "auto",
        'Login method: "auto" (POP3: SASL PLAIN when offered, else USER/PASS; SMTP: the '
        'best AUTH offered), "plain" or "user" (POP3 only), "none" (SMTP only: a relay '
        "that needs no login).",
    )

    def effective_port(self, protocol: str) -> int:
        """The configured port, or the standard one for ``protocol`` ("pop" or "smtp")."""
        if self.port:
            return self.port
        table = POP_PORTS if protocol == "pop" else SMTP_PORTS
        return table[self.security]

    def ca_path(self) -> Path | None:
        return Path(self.ca_file).expanduser() if self.ca_file else None

    def pinned_path(self) -> Path | None:
        return Path(self.pinned_certificate).expanduser() if self.pinned_certificate else None

    def tls_context(self) -> ssl.SSLContext:
        """The verifying TLS context for this server: system store, ca_file, the pin."""
        return client_context(self.ca_path(), pinned=self.pinned_path())


@dataclass(frozen=True)
class AccountConfig:
    """One mail account: an address, a POP3 server and optionally an SMTP server."""

    name: str = required("The account's name (the key in [accounts.NAME]).")
    address: str = required("The From address, e.g. alice@example.com.")
    pop: ServerConfig = required("The POP3 server ([accounts.NAME.pop]).")
    smtp: ServerConfig | None = opt(None, "The SMTP server ([accounts.NAME.smtp]).")
    display_name: str = opt("", "Your name, shown in From next to the address.")
    signature: str = opt("", "Text appended to new messages, replies and forwards.")
    aliases: list[str] = opt([], "Other addresses of yours, left out of reply-all recipients.")
    check_minutes: int = opt(
        0,
        "Check this account for new mail every this many minutes and notify the desktop "
        "when some arrived (0: use [gui] check_minutes).",
    )

    def login(self, server: ServerConfig) -> str:
        return server.username or self.address

    def own_addresses(self) -> set[str]:
        return {a.lower() for a in (self.address, *self.aliases)}


@dataclass(frozen=True)
class GeneralConfig:
    """Settings shared by every account ([general])."""

    default_account: str = opt("", "Account used when --account is not given (else the first).")
    wrap_width: int = opt(78, "Column at which long lines are wrapped for display (0: never).")
    use_keyring: bool = opt(True, "Look passwords up in the system keyring when available.")
    protocol_log: bool = opt(
        False, "Write a protocol log (credentials redacted) under the logs directory."
    )
    max_message_bytes: int = opt(
        100 * 1024 * 1024, "Largest message (in bytes) fetched from the server."
    )


@dataclass(frozen=True)
class GuiConfig:
    """Settings of the desktop client ([gui]); the console client ignores them."""

    check_minutes: int = opt(
        0, "Check the server for new mail every this many minutes (0: only when asked)."
    )
    delete_undo_seconds: int = opt(
        5,
        "Seconds during which a delete can be undone before it is sent to the server "
        "(0: delete at once).",
    )


@dataclass(frozen=True)
class Config:
    """The whole configuration file."""

    general: GeneralConfig = opt(GeneralConfig(), "The [general] table.")
    gui: GuiConfig = opt(GuiConfig(), "The [gui] table.")
    accounts: dict[str, AccountConfig] = opt({}, "The [accounts.NAME] tables.")
    source: Path | None = opt(None, "Where the file was read from (not a file option).")

    def account(self, name: str | None = None) -> AccountConfig:
        from pymailgui.errors import ConfigError

        if not self.accounts:
            raise ConfigError(
                "No account is configured: add an [accounts.NAME] table to the config file, "
                "or try the demo with --demo."
            )
        chosen = name or self.general.default_account
        if not chosen:
            return next(iter(self.accounts.values()))
        try:
            return self.accounts[chosen]
        except KeyError:
            known = ", ".join(sorted(self.accounts))
            raise ConfigError(f"No account named {chosen!r} (known: {known}).") from None


def fields_of(cls: type) -> list[dataclasses.Field[Any]]:
    return list(dataclasses.fields(cls))
