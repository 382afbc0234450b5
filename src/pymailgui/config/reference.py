"""Generate the configuration reference (``docs/config.md``) from the schema.

``python -m pymailgui.config.reference > docs/config.md``; a test fails when the
committed file differs from what this prints.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from pymailgui.config.schema import AccountConfig, GeneralConfig, GuiConfig, Security, ServerConfig

_HEADER = """\
# Configuration reference

Generated from `src/pymailgui/config/schema.py` by
`python -m pymailgui.config.reference`; do not edit by hand.

The file is TOML: `$PYMAILGUI_HOME/config.toml` when `PYMAILGUI_HOME` is set, else
`~/.config/pymailgui/config.toml`; `pymail --config PATH` names another. Passwords are
never read from it: each server's `password_command`, the system keyring, or a prompt.

```toml
[general]
default_account = "home"

[accounts.home]
address = "alice@example.com"
display_name = "Alice Example"

[accounts.home.pop]
host = "pop.example.com"
security = "tls"            # port 995
username = "alice"
password_command = "pass show mail/pop"

[accounts.home.smtp]
host = "smtp.example.com"
security = "starttls"       # port 587
password_command = "pass show mail/smtp"
```
"""

_SKIP = {"name", "pop", "smtp", "source"}


def _type_name(hint: Any) -> str:
    if hint is Security:
        return '`"tls"`, `"starttls"` or `"none"`'
    origin = typing.get_origin(hint)
    if origin is list:
        return "list of strings"
    names = {str: "string", int: "integer", float: "number", bool: "boolean"}
    return names.get(hint, getattr(hint, "__name__", str(hint)))


def _default(fld: dataclasses.Field[Any]) -> str:
    if fld.metadata.get("required"):
        return "required"
    if fld.default_factory is not dataclasses.MISSING:
        value: Any = fld.default_factory()
    else:
        value = fld.default
    if isinstance(value, Security):
        return f'`"{value.value}"`'
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def _table(title: str, cls: type) -> list[str]:
    hints = typing.get_type_hints(cls)
    lines = [f"## {title}", "", "| key | type | default | meaning |", "|---|---|---|---|"]
    for fld in dataclasses.fields(cls):
        if fld.name in _SKIP:
            continue
        help_text = fld.metadata["help"].replace("|", "\\|")
        lines.append(
            f"| `{fld.name}` | {_type_name(hints[fld.name])} | {_default(fld)} | {help_text} |"
        )
    lines.append("")
    return lines


def render() -> str:
    parts = [_HEADER]
    parts += _table("[general]", GeneralConfig)
    parts += _table("[gui]", GuiConfig)
    parts += _table("[accounts.NAME]", AccountConfig)
    parts += _table("[accounts.NAME.pop] and [accounts.NAME.smtp]", ServerConfig)
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
