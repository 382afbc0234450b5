"""Passwords in the settings dialog: for a test, and where they go on Save.

A password typed in the dialog is used for Test connection as it is; otherwise the
configured source is asked (the command, or the keyring), never a prompt - a test
that cannot find a password reports the login as not tried. On Save a typed password
goes to the system keyring (and, for this session, to the running client so it does
not ask again); where there is no keyring the user is told that PyMailGUI will ask
once per session.
"""

from __future__ import annotations

from collections.abc import Callable

from pymailgui.config import AccountConfig, Config, secrets
from pymailgui.config.write import PasswordSource, password_source
from pymailgui.errors import ConfigError

#: ``remember(account, protocol, password)``: a password typed here, for this session.
Remember = Callable[[str, str, str], None]


def passwords_for_test(
    account: AccountConfig, typed: dict[str, str | None], use_keyring: bool
) -> Callable[[str], str | None]:
    """``password_for(protocol)`` for :func:`pymailgui.actions.diagnose.test_account`."""

    def password_for(protocol: str) -> str | None:
        given = typed.get(protocol)
        if given:
            return given
        server = account.pop if protocol == "pop" else account.smtp
        if server is None:
            return None
        try:  # the command, or the keyring; never a prompt from a test
            return secrets.get_password(account, server, protocol=protocol, use_keyring=use_keyring)
        except ConfigError:
            return None

    return password_for


def store_typed(
    config: Config, typed: dict[tuple[str, str], str], remember: Remember | None
) -> list[str]:
    """Typed passwords ``{(account, protocol): password}`` into the keyring (and this
    session); the sentences saying which could not be stored."""
    notes: list[str] = []
    for (name, protocol), password in typed.items():
        account = config.accounts.get(name)
        if account is None:
            continue
        server = account.pop if protocol == "pop" else account.smtp
        if server is None or password_source(server) is not PasswordSource.KEYRING:
            continue
        if remember is not None:
            remember(name, protocol, password)
        try:
            secrets.store_in_keyring(account, server, password)
        except ConfigError as exc:
            why = str(exc).rstrip(".")
            why = why[:1].lower() + why[1:]
            then = (
                "PyMailGUI keeps it until it quits and asks for it again after a restart"
                if remember is not None
                else "PyMailGUI asks for it once per session when it connects"
            )
            notes.append(f"Saved. The password could not be stored ({why}); {then}.")
    return list(dict.fromkeys(notes))
