"""The account as the desktop client uses it: the core facade, plus one look at the cache.

Every verb is ``pymailgui.actions.Account``'s (docs/core-api.md): key-based, long ones
with a core ``Task``. The one thing the facade lacks is "the cached text of this
message, or None, without any connection": the GUI must know that on the GUI thread,
before it decides to queue a download behind a running refresh, so opening a message
already fetched is instant. :meth:`Mailbox.cached` reads it the way the core's own
fetch does (never for a look-alike's label, which may move to its twin).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pymailgui.actions import Account, SaveReport
from pymailgui.inbox import DeleteReport, RefreshReport
from pymailgui.inbox.identity import is_fingerprint_key
from pymailgui.message import Draft, MessageView
from pymailgui.message.summary import MessageRow
from pymailgui.smtp import SendResult
from pymailgui.tasks import Task


class Mailbox:
    """One account's server inbox, folders and outgoing mail, for the windows."""

    def __init__(self, account: Account) -> None:
        self.account = account

    @property
    def name(self) -> str:
        return self.account.name

    # -- the server inbox, no network ---------------------------------------------------
    def index(self) -> list[MessageRow]:
        """The cached index in server order (no connection)."""
        return self.account.index()

    def cached(self, key: str) -> bytes | None:
        """The full text of ``key`` when it is in the cache, else None (no connection)."""
        inbox = self.account.inbox
        row = inbox.cache.row(inbox.account, key)
        if row is None:
            return None
        if (
            is_fingerprint_key(key)
            and inbox.cache.fingerprint_count(inbox.account, row.fingerprint) != 1
        ):
            return None
        return inbox.cache.body(inbox.account, key)

    def mark_seen(self, keys: Sequence[str]) -> None:
        self.account.mark_seen(keys)

    # -- the server inbox, one POP session each -----------------------------------------
    def refresh(self, task: Task) -> RefreshReport:
        return self.account.refresh(task)

    def fetch(self, key: str, task: Task) -> bytes:
        return self.account.fetch(key, task)

    def delete(self, keys: Sequence[str], task: Task) -> DeleteReport:
        return self.account.delete(keys, task)

    def save_to_folder(
        self, keys: Sequence[str], folder: str, task: Task, *, delete: bool = False
    ) -> SaveReport:
        return self.account.save_to_folder(keys, folder, delete=delete, task=task)

    # -- reading ------------------------------------------------------------------------
    def view(self, data: bytes, *, allow_remote: bool = False) -> MessageView:
        return self.account.view(data, allow_remote=allow_remote)

    def save_parts(self, data: bytes, directory: Path, index: int | None = None) -> list[Path]:
        return self.account.save_parts(data, directory, index)

    def folder_names(self) -> list[str]:
        return self.account.folders.names()

    # -- writing ------------------------------------------------------------------------
    def reply_draft(self, original: bytes, *, reply_all: bool = False) -> Draft:
        return self.account.reply_draft(original, reply_all=reply_all)

    def forward_draft(self, original: bytes) -> Draft:
        return self.account.forward_draft(original, [])

    def identity_line(self) -> str:
        identity = self.account.identity()
        if identity.display_name:
            return f"{identity.display_name} <{identity.address}>"
        return identity.address

    def send(self, draft: Draft, task: Task) -> SendResult:
        return self.account.send(draft, task)

    def close(self) -> None:
        self.account.close()
