"""Reading and validating the TOML configuration file against the declared schema."""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from pymailgui import paths
from pymailgui.config.schema import (
    AccountConfig,
    Config,
    GeneralConfig,
    GuiConfig,
    Security,
    ServerConfig,
)
from pymailgui.errors import ConfigError

_T = TypeVar("_T")

# Keys that would put a secret in a plain file: refused outright.
_SECRET_KEYS = {"password", "pass", "passwd", "secret"}


def load(path: Path | None = None) -> Config:
    """Read ``path`` (default: :func:`paths.config_file`). A missing default file is empty."""
    explicit = path is not None
    target = path if path is not None else paths.config_file()
    try:
        text = target.read_bytes().decode("utf-8")
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"The config file {target} does not exist.") from None
        return Config(source=None)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The config file {target} cannot be read: {exc}.") from None
    return parse(text, source=target)


def parse(text: str, source: Path | None = None) -> Config:
    """Validate TOML ``text`` into a :class:`Config`."""
    where = str(source) if source else "the config"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}.") from None
    data = dict(data)
    accounts_raw = data.pop("accounts", {})
    general_raw = data.pop("general", {})
    gui_raw = data.pop("gui", {})
    if data:
        raise ConfigError(f"{where}: unknown setting {sorted(data)[0]!r} at the top level.")
    general = _build(GeneralConfig, general_raw, "general")
    gui = _build(GuiConfig, gui_raw, "gui")
    if gui.check_minutes < 0 or gui.delete_undo_seconds < 0:
        raise ConfigError(f"{where}: [gui] times cannot be negative.")
    if not isinstance(accounts_raw, dict):
        raise ConfigError(f"{where}: [accounts] must be a table of [accounts.NAME] tables.")
    accounts = {name: _account(name, raw) for name, raw in accounts_raw.items()}
    if general.default_account and general.default_account not in accounts:
        raise ConfigError(
            f"{where}: default_account {general.default_account!r} is not a configured account."
        )
    return Config(general=general, gui=gui, accounts=accounts, source=source)


def _account(name: str, raw: Any) -> AccountConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"[accounts.{name}] must be a table.")
    raw = dict(raw)
    if "pop" not in raw:
        raise ConfigError(f"[accounts.{name}] has no [accounts.{name}.pop] table.")
    pop = _server(raw.pop("pop"), f"accounts.{name}.pop")
    smtp_raw = raw.pop("smtp", None)
    smtp = _server(smtp_raw, f"accounts.{name}.smtp") if smtp_raw is not None else None
    account = _build(AccountConfig, {**raw, "name": name}, f"accounts.{name}", pop=pop, smtp=smtp)
    if "@" not in account.address:
        raise ConfigError(f"[accounts.{name}] address {account.address!r} is not an address.")
    if account.check_minutes < 0:
        raise ConfigError(f"[accounts.{name}] check_minutes cannot be negative.")
    return account


def _server(raw: Any, where: str) -> ServerConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"[{where}] must be a table.")
    server = _build(ServerConfig, raw, where)
    if not server.host.strip():
        raise ConfigError(f"[{where}] host is empty.")
    if not 0 <= server.port <= 65535:
        raise ConfigError(f"[{where}] port {server.port} is out of range.")
    if server.timeout <= 0:
        raise ConfigError(f"[{where}] timeout must be a positive number of seconds.")
    allowed = (
        ("auto", "plain", "user", "none") if where.endswith(".smtp") else ("auto", "plain", "user")
    )
    if server.auth not in allowed:
        choices = ", ".join(f'"{a}"' for a in allowed)
        raise ConfigError(f"[{where}] auth must be one of {choices}.")
    if server.ca_file and not Path(server.ca_file).expanduser().is_file():
        raise ConfigError(f"[{where}] ca_file {server.ca_file} does not exist.")
    pinned = server.pinned_path()
    if pinned is not None:
        if not pinned.is_file():
            raise ConfigError(
                f"[{where}] pinned_certificate {server.pinned_certificate} does not exist; "
                "test the connection again to pin the certificate anew."
            )
        if server.security is Security.NONE:
            raise ConfigError(f'[{where}] pinned_certificate needs security "tls" or "starttls".')
    return server


def _build(cls: type[_T], raw: Any, where: str, **given: Any) -> _T:
    if not isinstance(raw, dict):
        raise ConfigError(f"[{where}] must be a table.")
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = dict(given)
    known = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for key, value in raw.items():
        if key.lower() in _SECRET_KEYS:
            raise ConfigError(
                f"[{where}] {key}: passwords are never read from the config file; "
                "use password_command or the system keyring."
            )
        if key not in known or key in given or key == "source":
            raise ConfigError(f"[{where}] has an unknown setting {key!r}.")
        kwargs[key] = _coerce(value, hints[key], f"{where}.{key}")
    for name, fld in known.items():
        if fld.metadata.get("required") and name not in kwargs:
            raise ConfigError(f"[{where}] is missing the required setting {name!r}.")
    return cls(**kwargs)


def _coerce(value: Any, hint: Any, where: str) -> Any:
    if hint is Security:
        try:
            return Security(value)
        except ValueError:
            raise ConfigError(
                f'{where} must be "tls", "starttls" or "none", not {value!r}.'
            ) from None
    origin = typing.get_origin(hint)
    if origin is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} must be a list of strings.")
        return list(value)
    if origin in (types.UnionType, typing.Union):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, bool):
        raise ConfigError(f"{where} must be a whole number.")
    if isinstance(hint, type) and not isinstance(value, hint):
        raise ConfigError(f"{where} must be of type {hint.__name__}, not {value!r}.")
    return value
