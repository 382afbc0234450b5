"""The user's verbs, shared by both front ends.

Each function or method returns data and raises :class:`~pymailgui.errors.MailError`
subclasses; none prints or draws. The console client and the GUI are thin layers over
:class:`Account` (see docs/core-api.md).
"""

from pymailgui.actions.account import Account, PasswordPrompt, open_account, protocol_logger
from pymailgui.actions.local import LocalFolders, SaveReport
from pymailgui.actions.outgoing import OutboxEntry, SendOutcome

__all__ = [
    "Account",
    "LocalFolders",
    "OutboxEntry",
    "PasswordPrompt",
    "SaveReport",
    "SendOutcome",
    "open_account",
    "protocol_logger",
]
