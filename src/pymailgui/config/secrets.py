"""Where passwords come from, and keeping them out of logs.

Order (first that answers wins): the server's ``password_command`` (its standard output,
trailing newline removed), the system keyring (service ``pymailgui``, user
``LOGIN@HOST``), then the front end's prompt. Passwords are never read from the TOML
file (the loader refuses such keys) and every password handed out is registered with
:class:`RedactingFilter`, so a log record that contains it shows ``***`` instead.
"""

from __future__ import annotations

import importlib.util
import logging
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pymailgui.config.schema import AccountConfig, ServerConfig
from pymailgui.errors import ConfigError, PasswordCancelled

KEYRING_SERVICE = "pymailgui"
COMMAND_TIMEOUT = 120.0  # a password manager may ask for a passphrase first


@dataclass(frozen=True)
class PasswordRequest:
    """What a front end's password prompt is asked: for whom, where, and why again."""

    account: str  # the account's name in the config
    protocol: str  # "pop" or "smtp"
    host: str
    user: str
    #: The server refused the last password given for this login: say so.
    again: bool = False

    @property
    def text(self) -> str:
        """One sentence a prompt can show as is."""
        proto = "POP3" if self.protocol == "pop" else self.protocol.upper()
        lead = "The server refused the password. Password" if self.again else "Password"
        return f"{lead} for {self.user} on {self.host} ({proto}, account {self.account}):"


#: ``prompt(request) -> password``, or None when the user cancelled; supplied by a
#: front end (getpass on a terminal, a dialog in the GUI). It may block its caller.
Prompt = Callable[[PasswordRequest], str | None]

_lock = threading.Lock()
_known_secrets: set[str] = set()
_session_cache: dict[tuple[str, str, int, str], str] = {}


def remember_secret(secret: str) -> None:
    """Make sure ``secret`` is masked in every log record from now on."""
    if secret:
        with _lock:
            _known_secrets.add(secret)


def redact(text: str) -> str:
    """``text`` with every known secret replaced by ``***``."""
    with _lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that masks every password PyMailGUI has handed out."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def keyring_user(login: str, server: ServerConfig) -> str:
    return f"{login}@{server.host}"


def get_password(
    account: AccountConfig,
    server: ServerConfig,
    *,
    protocol: str,
    use_keyring: bool = True,
    prompt: Prompt | None = None,
    again: bool = False,
) -> str:
    """The password for ``server`` of ``account`` (``protocol`` is "pop" or "smtp").

    ``again``: the server refused the previous one (the prompt says so). A prompt that
    is cancelled raises PasswordCancelled; no source at all is a ConfigError.
    """
    login = account.login(server)
    key = (login, server.host, server.effective_port(protocol), protocol)
    with _lock:
        cached = _session_cache.get(key)
    if cached is not None:
        return cached
    password = (
        _from_command(server, account.name, protocol)
        if server.password_command
        else (_from_keyring(login, server) if use_keyring else None)
    )
    if password is None and prompt is not None:
        request = PasswordRequest(account.name, protocol, server.host, login, again)
        password = prompt(request)
        if password is None:
            raise PasswordCancelled(
                f"No password was given for {login} on {server.host}; nothing was done."
            )
    if not password:
        keep = (
            "or store the password in the system keyring"
            if use_keyring and keyring_available()
            else "(this machine has no system keyring to keep it in)"
        )
        raise ConfigError(
            f"No password for {login} on {server.host}: give the account a password "
            f"command (password_command) {keep}."
        )
    remember_secret(password)
    with _lock:
        _session_cache[key] = password
    return password


def forget_passwords() -> None:
    """Drop every password cached in memory (e.g. after an authentication failure)."""
    with _lock:
        _session_cache.clear()


def _from_command(server: ServerConfig, account: str, protocol: str) -> str:
    where = f"password_command of [accounts.{account}.{protocol}]"
    try:
        done = subprocess.run(
            ["/bin/sh", "-c", server.password_command],
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"The {where} could not be run: {exc.__class__.__name__}.") from None
    if done.returncode != 0:
        # stderr may help, stdout may hold a secret: show only the former, shortened.
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        hint = f": {detail[-1][:200]}" if detail else ""
        raise ConfigError(f"The {where} failed with exit status {done.returncode}{hint}.")
    text = done.stdout.decode("utf-8", "replace")
    # Only the line terminator is removed: spaces may be part of a password.
    first = text.split("\n", 1)[0].removesuffix("\r")
    if not first:
        raise ConfigError(f"The {where} printed no password.")
    return first


def _keyring() -> Any | None:
    """The keyring package when it has a usable backend here, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        return None if isinstance(keyring.get_keyring(), fail.Keyring) else keyring
    except Exception:  # a broken backend configuration: as good as none
        logging.getLogger(__name__).debug("keyring backend unusable", exc_info=True)
        return None


def _from_keyring(login: str, server: ServerConfig) -> str | None:
    keyring = _keyring()
    if keyring is None:
        return None
    try:
        value = keyring.get_password(KEYRING_SERVICE, keyring_user(login, server))
    except Exception:
        logging.getLogger(__name__).debug("keyring lookup failed", exc_info=True)
        return None
    return value if isinstance(value, str) and value else None


def keyring_available() -> bool:
    """Whether a system keyring can keep passwords here (the package and a backend)."""
    return _keyring() is not None


def store_in_keyring(account: AccountConfig, server: ServerConfig, password: str) -> None:
    """Save ``password`` in the system keyring (``pymail password set``)."""
    keyring = _keyring()
    if keyring is None:
        if importlib.util.find_spec("keyring") is None:
            raise ConfigError("The keyring package is not installed.")
        raise ConfigError("No system keyring is available on this machine.")
    try:
        keyring.set_password(KEYRING_SERVICE, keyring_user(account.login(server), server), password)
    except Exception as exc:
        raise ConfigError(f"The keyring refused the password: {exc}.") from None
