"""The account as the desktop client uses it: the core facade, with a few adapters.

Every verb is ``pymailgui.actions.Account``'s (docs/core-api.md): key-based, long ones
with a core ``Task``. What the facade lacks is adapted here, each in a few lines, until
the core has it: a new message's draft with the signature (:meth:`new_draft`),
removing one draft (:meth:`delete_draft`), and taking edited settings
(:meth:`reconfigure`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pymailgui.actions import Account, LocalFolders, OutboxEntry, SaveReport, SendOutcome
from pymailgui.config import Config
from pymailgui.inbox import DeleteReport, RefreshReport
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
        return self.account.cached(key)

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

    def forward_draft(self, original: bytes, *, as_attachment: bool = False) -> Draft:
        return self.account.forward_draft(original, [], as_attachment=as_attachment)

    def new_draft(self) -> Draft:
        return self.account.new_draft()

    def identity_line(self) -> str:
        identity = self.account.identity()
        if identity.display_name:
            return f"{identity.display_name} <{identity.address}>"
        return identity.address

    def save_draft(self, draft: Draft, *, replace: str | None = None) -> str:
        return self.account.save_draft(draft, replace=replace)

    def delete_draft(self, key: str) -> None:
        self.account.delete_draft(key)

    def send(
        self,
        draft: Draft,
        task: Task,
        *,
        draft_key: str | None = None,
        outbox_key: str | None = None,
    ) -> SendResult:
        return self.account.send(draft, task, draft_key=draft_key, outbox_key=outbox_key)

    def outbox(self) -> list[OutboxEntry]:
        return self.account.outbox()

    def resend_outbox(self, keys: Sequence[str] | None, task: Task) -> list[SendOutcome]:
        return self.account.resend_outbox(keys, task)

    @property
    def folders(self) -> LocalFolders:
        return self.account.folders

    def reconfigure(self, config: Config) -> None:
        self.account.reconfigure(config)

    def close(self) -> None:
        self.account.close()
