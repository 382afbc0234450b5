"""Commands about the account and the console itself: password, help."""

from __future__ import annotations

import argparse
import getpass

from pymailgui.config.secrets import keyring_available, store_in_keyring
from pymailgui.console.context import Session
from pymailgui.console.terminal import is_terminal
from pymailgui.errors import UsageError


def cmd_password(s: Session, args: argparse.Namespace) -> int:
    """Ask for the password twice and keep it in the system keyring."""
    settings = s.account.settings
    server = settings.smtp if args.smtp else settings.pop
    if server is None:
        raise UsageError(f"The account {s.account.name} has no SMTP server.")
    if getattr(args, "demo", False):
        raise UsageError("The demo account needs no password; nothing was stored.")
    if not keyring_available():
        raise UsageError(
            "No system keyring is available on this machine, so the password can't be "
            "stored; give the account a password command (password_command) instead."
        )
    if not is_terminal(s.stdin):
        raise UsageError(f"Run {s.hint('password')} on a terminal: it asks for the password.")
    login = settings.login(server)
    first = getpass.getpass(f"Password for {login} on {server.host}: ")
    if not first or first != getpass.getpass("Again: "):
        raise UsageError("The two passwords differ (or are empty); nothing was stored.")
    store_in_keyring(settings, server, first)
    s.say(f"Stored in the system keyring for {login} on {server.host}.")
    return 0


def cmd_help(s: Session, args: argparse.Namespace) -> int:
    s.say(s.help_text)
    return 0
