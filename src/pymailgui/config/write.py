"""Writing the configuration file, so that a front end can add, edit and remove accounts.

:func:`dumps` serializes a :class:`~pymailgui.config.schema.Config` to TOML: exactly
the declared schema, only the settings that differ from their defaults (plus the
required ones), never a password. :func:`save` writes it durably: a temporary file in
the same directory, fsync, rename over the old file, fsync of the directory; the file
is mode 0600 and a directory it creates is 0700 (the file names password commands).
The previous file is kept as ``config.toml.bak``. Before anything is written the text
is parsed back and must give the same Config, so a file PyMailGUI cannot load is never
written.

The file is rewritten as a whole: comments and the layout of a hand-written file are
lost when the settings are saved (the ``.bak`` keeps the old text). A one-line header
comment in the file says so.

Passwords stay out of the file: a server's password source is either the system
keyring (``password_command`` empty; the password itself is stored with
:func:`pymailgui.config.secrets.store_in_keyring`) or a command
(:func:`with_password_source`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from pymailgui import paths
from pymailgui.config.load import parse
from pymailgui.config.schema import AccountConfig, Config, GeneralConfig, ServerConfig
from pymailgui.errors import ConfigError, LocalStoreError

HEADER = (
    "# PyMailGUI settings, rewritten whole by PyMailGUI when you save them: comments "
    "added here are lost (see docs/config.md)."
)
FILE_MODE = 0o600
DIR_MODE = 0o700

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
# TOML 1.0 §String: these must be escaped in a basic string (tab may stay).
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_SKIP = {"name", "pop", "smtp", "source"}


class PasswordSource(enum.Enum):
    """Where a server's password comes from, as the settings dialog offers it."""

    KEYRING = "keyring"  # password_command empty: the system keyring, then a prompt
    COMMAND = "command"  # password_command: its standard output


def password_source(server: ServerConfig) -> PasswordSource:
    return PasswordSource.COMMAND if server.password_command else PasswordSource.KEYRING


def with_password_source(
    server: ServerConfig, source: PasswordSource, command: str = ""
) -> ServerConfig:
    """``server`` taking its password from ``source``; COMMAND needs ``command``.

    For KEYRING the password is stored separately (``secrets.store_in_keyring``); its
    keyring entry is named after the login and host, so store it again after either
    changes.
    """
    if source is PasswordSource.KEYRING:
        return dataclasses.replace(server, password_command="")
    if not command.strip():
        raise ConfigError("Give the command that prints the password, or use the keyring.")
    if "\n" in command or "\r" in command or "\0" in command:
        raise ConfigError("The password command must be one line.")
    return dataclasses.replace(server, password_command=command)


# -- editing a Config -------------------------------------------------------------------
def with_account(config: Config, account: AccountConfig, *, replacing: str | None = None) -> Config:
    """``config`` with ``account`` added, or put in place of the account ``replacing``
    (an edit, possibly a rename: the order of accounts and a default pointing at the
    old name are kept)."""
    if account.name != replacing and account.name in config.accounts:
        raise ConfigError(f"An account named {account.name!r} already exists.")
    if replacing is not None and replacing not in config.accounts:
        raise ConfigError(f"No account named {replacing!r} to change.")
    accounts: dict[str, AccountConfig] = {}
    for name, existing in config.accounts.items():
        accounts[account.name if name == replacing else name] = (
            account if name == replacing else existing
        )
    if replacing is None:
        accounts[account.name] = account
    general = config.general
    if replacing is not None and general.default_account == replacing:
        general = dataclasses.replace(general, default_account=account.name)
    return dataclasses.replace(config, general=general, accounts=accounts)


def without_account(config: Config, name: str) -> Config:
    """``config`` without the account ``name`` (a default pointing at it is cleared)."""
    if name not in config.accounts:
        raise ConfigError(f"No account named {name!r} to remove.")
    accounts = {k: v for k, v in config.accounts.items() if k != name}
    general = config.general
    if general.default_account == name:
        general = dataclasses.replace(general, default_account="")
    return dataclasses.replace(config, general=general, accounts=accounts)


# -- TOML -------------------------------------------------------------------------------
def dumps(config: Config) -> str:
    """The TOML text of ``config``; ConfigError when it is not a valid configuration."""
    lines = [HEADER]
    general = _settings(config.general, GeneralConfig)
    if general:
        lines += ["", "[general]", *general]
    for name, account in config.accounts.items():
        if name != account.name:
            raise ConfigError(f"The account {account.name!r} is filed under {name!r}.")
        table = f"accounts.{_key(name)}"
        lines += ["", f"[{table}]", *_settings(account, AccountConfig)]
        lines += ["", f"[{table}.pop]", *_settings(account.pop, ServerConfig)]
        if account.smtp is not None:
            lines += ["", f"[{table}.smtp]", *_settings(account.smtp, ServerConfig)]
    text = "\n".join(lines) + "\n"
    back = parse(text, source=config.source)
    if back != config:
        raise ConfigError(
            "These settings cannot be saved as they are (they would read back differently)."
        )
    return text


def _settings(value: Any, cls: type) -> list[str]:
    lines = []
    for fld in dataclasses.fields(cls):
        if fld.name in _SKIP:
            continue
        current = getattr(value, fld.name)
        if not fld.metadata.get("required") and current == _default(fld):
            continue
        lines.append(f"{_key(fld.name)} = {_value(current)}")
    return lines


def _default(fld: dataclasses.Field[Any]) -> Any:
    if fld.default_factory is not dataclasses.MISSING:
        return fld.default_factory()
    return fld.default


def _value(value: Any) -> str:
    if isinstance(value, str):  # Security is a StrEnum: its value is written
        return _string(str(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_string(v) for v in value) + "]"
    raise ConfigError(f"A setting of type {type(value).__name__} cannot be saved.")


def _float(value: float) -> str:
    if math.isnan(value):
        raise ConfigError("A number setting is not a number (NaN).")
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)  # repr is the shortest text that reads back as the same float


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif (ord(ch) < 0x20 and ch != "\t") or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# -- the file ---------------------------------------------------------------------------
def save(config: Config, path: Path | None = None) -> Path:
    """Write ``config`` to ``path`` (default: where it was read from, else the default
    config file) durably, keeping the previous file as ``NAME.bak``; returns the path.

    A symbolic link (a dotfiles repository) is followed: the file it points at is
    replaced, the link stays.
    """
    target = path or config.source or paths.config_file()
    text = dumps(dataclasses.replace(config, source=target))
    if target.is_symlink():
        target = target.resolve()
    try:
        _private_dir(target.parent)
        if target.exists():
            write_private(target.with_name(target.name + ".bak"), target.read_bytes())
        write_private(target, text.encode("utf-8"))
    except OSError as exc:
        raise LocalStoreError(
            f"The settings could not be saved to {target}: {exc.strerror or exc}."
        ) from exc
    return target


def _private_dir(directory: Path) -> None:
    # Every missing parent 0700 too, and PyMailGUI's own directory kept private.
    paths.ensure_dir(directory)


def write_private(target: Path, data: bytes) -> None:
    """Replace ``target`` by ``data`` atomically and durably, mode 0600 (OSError else)."""
    # mkstemp creates the file 0600 with O_EXCL in the target's directory, so the
    # rename is atomic (same file system) and nobody can read a half-written file.
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    # The rename is durable only once the directory entry is (POSIX).
    dir_fd = os.open(target.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
