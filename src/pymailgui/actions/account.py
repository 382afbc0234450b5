"""One configured account: the whole facade both front ends use.

Every verb takes stable keys (the server index key, or a folder's Maildir key), every
long one a :class:`~pymailgui.tasks.Task`, and none prints, draws or names a console
command. See docs/core-api.md.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pymailgui import paths
from pymailgui.actions import outgoing
from pymailgui.actions.local import LocalFolders, SaveReport
from pymailgui.actions.saving import save_to_folder
from pymailgui.config import AccountConfig, Config, ServerConfig, secrets
from pymailgui.errors import AuthenticationError, ConfigError, LocalStoreError
from pymailgui.inbox import DeleteReport, Inbox, IndexCache, PopSession, RefreshReport
from pymailgui.message import Draft, Identity, MessageView, save_all_parts, save_part, view
from pymailgui.message.reply import forward, new_message, reply
from pymailgui.message.summary import MessageRow
from pymailgui.pop import open_session
from pymailgui.smtp import SendResult
from pymailgui.store import FolderStore
from pymailgui.tasks import Task

log = logging.getLogger(__name__)

#: ``prompt(request) -> password or None (cancelled)``: a front end's password prompt.
PasswordPrompt = secrets.Prompt


@dataclass
class Account:
    """One configured account with its server inbox, local folders and outgoing mail."""

    config: Config
    account: AccountConfig
    cache: IndexCache
    prompt: PasswordPrompt | None = None
    #: For the demo account: a fixed password instead of the usual sources.
    fixed_password: str | None = None
    folder_store: FolderStore | None = None
    _rejected: set[str] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        self.inbox = Inbox(
            self.account.name,
            self.cache,
            self._open_pop,
            max_message_bytes=self.config.general.max_message_bytes,
        )
        self.folders = LocalFolders(self.folder_store or FolderStore())

    @property
    def name(self) -> str:
        return self.account.name

    @property
    def settings(self) -> AccountConfig:
        return self.account

    # -- sessions ----------------------------------------------------------------------
    def password(self, protocol: str) -> str:
        if self.fixed_password is not None:
            return self.fixed_password
        return secrets.get_password(
            self.account,
            self._server(protocol),
            protocol=protocol,
            use_keyring=self.config.general.use_keyring,
            prompt=self.prompt,
            again=protocol in self._rejected,
        )

    def _server(self, protocol: str) -> ServerConfig:
        if protocol == "pop":
            return self.account.pop
        if self.account.smtp is None:
            raise ConfigError(
                f"The account {self.name} has no SMTP server; add one in its settings."
            )
        return self.account.smtp

    def refused_password(self, protocol: str) -> None:
        """The server refused the login: forget the password, say so when asking next."""
        secrets.forget_passwords()
        self._rejected.add(protocol)

    def _open_pop(self, task: Task) -> PopSession:
        server = self.account.pop
        try:
            client = open_session(
                server,
                self.account.login(server),
                self.password("pop"),
                protocol_log=protocol_logger("pop") if self.config.general.protocol_log else None,
                max_message_bytes=self.config.general.max_message_bytes,
                task=task,
            )
        except AuthenticationError:
            self.refused_password("pop")
            raise
        self._rejected.discard("pop")
        return client

    # -- the server inbox, no network ------------------------------------------------
    def index(self) -> list[MessageRow]:
        """The cached index in server order."""
        return self.inbox.rows()

    def row(self, key: str) -> MessageRow:
        return self.inbox.row(key)

    @property
    def loaded(self) -> bool:
        """False until the index was loaded from the server once."""
        return self.inbox.loaded

    @property
    def busy(self) -> bool:
        """A server task of this account is running; the next one queues behind it."""
        return self.inbox.busy

    def cached(self, key: str) -> bytes | None:
        """The message's text if it was downloaded before, without connecting."""
        return self.inbox.cached(key)

    def mark_seen(self, keys: Sequence[str], seen: bool = True) -> None:
        self.inbox.mark_seen(keys, seen)

    # -- the server inbox, one session each ------------------------------------------
    def refresh(self, task: Task | None = None, *, wait: bool = True) -> RefreshReport:
        return self.inbox.refresh(task, wait=wait)

    def fetch(self, key: str, task: Task | None = None, *, wait: bool = True) -> bytes:
        return self.inbox.fetch(key, task, wait=wait)

    def fetch_many(
        self, keys: Sequence[str], task: Task | None = None, *, wait: bool = True
    ) -> dict[str, bytes]:
        return self.inbox.fetch_many(keys, task, wait=wait)

    def fetch_all(self, task: Task | None = None, *, wait: bool = True) -> int:
        """Download every indexed message not cached yet (offline reading)."""
        return self.inbox.fetch_all(task, wait=wait)

    def delete(
        self, keys: Sequence[str], task: Task | None = None, *, wait: bool = True
    ) -> DeleteReport:
        return self.inbox.delete(keys, task, wait=wait)

    def save_to_folder(
        self,
        keys: Sequence[str],
        folder_name: str,
        *,
        delete: bool = False,
        task: Task | None = None,
    ) -> SaveReport:
        """Copy server messages into a local folder; with ``delete``, then remove them
        from the server (only those confirmed stored, through the safe delete)."""
        return save_to_folder(self, keys, folder_name, delete=delete, task=task)

    # -- reading -----------------------------------------------------------------------
    def view(self, data: bytes, *, allow_remote: bool = False) -> MessageView:
        return view(data, wrap_width=self.config.general.wrap_width, allow_remote=allow_remote)

    def save_parts(self, data: bytes, directory: Path, index: int | None = None) -> list[Path]:
        """Save one part (``index`` from the view's part list) or every part."""
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise LocalStoreError(
                f"Cannot save the parts into {directory}: it is a file, not a folder."
            ) from None
        except OSError as exc:
            raise LocalStoreError(
                f"Cannot use {directory} as the folder for the parts: {exc.strerror}."
            ) from None
        if index is not None:
            return [save_part(data, index, directory)]
        return save_all_parts(data, directory)

    # -- writing and sending -----------------------------------------------------------
    def identity(self) -> Identity:
        a = self.account
        return Identity(
            address=a.address,
            display_name=a.display_name,
            signature=a.signature,
            aliases=tuple(a.aliases),
        )

    def new_draft(self) -> Draft:
        """An empty message with the account's signature."""
        return new_message(self.identity())

    def reply_draft(self, original: bytes, *, reply_all: bool = False) -> Draft:
        return reply(original, self.identity(), reply_all=reply_all)

    def forward_draft(
        self, original: bytes, to: list[str], *, as_attachment: bool = False
    ) -> Draft:
        return forward(original, self.identity(), to=to, as_attachment=as_attachment)

    def save_draft(self, draft: Draft, *, replace: str | None = None) -> str:
        """Keep an unsent message in Drafts (durably); returns its key. ``replace``:
        the key of an earlier version of this draft, removed once the new one is safe."""
        return outgoing.save_draft(self, draft, replace=replace)

    def delete_draft(self, key: str) -> None:
        """Remove one draft (a draft already gone is not an error)."""
        outgoing.delete_draft(self, key)

    def send(
        self,
        draft: Draft,
        task: Task | None = None,
        *,
        draft_key: str | None = None,
        outbox_key: str | None = None,
    ) -> SendResult:
        """Build and send ``draft``: Outbox first, then SMTP, then Sent.

        ``draft_key``: its copy in Drafts, removed once the Outbox copy is durable.
        ``outbox_key``: an earlier failed attempt of this message, replaced by this one.
        On failure the message waits in Outbox and the error carries its
        ``outbox_key``.
        """
        return outgoing.send(self, draft, task, draft_key=draft_key, outbox_key=outbox_key)

    def outbox(self) -> list[outgoing.OutboxEntry]:
        """This account's messages waiting in Outbox, with why they wait."""
        return outgoing.outbox_entries(self)

    def resend_outbox(
        self, keys: Sequence[str] | None = None, task: Task | None = None
    ) -> list[outgoing.SendOutcome]:
        """Send this account's Outbox messages again (all, or ``keys``)."""
        return outgoing.resend(self, keys, task)

    def smtp_server(self) -> tuple[ServerConfig, str | None]:
        """The SMTP server settings with the login filled in, and the password."""
        server = self._server("smtp")
        if server.auth == "none":
            return dataclasses.replace(server, username=""), None
        server = dataclasses.replace(server, username=self.account.login(server))
        return server, self.password("smtp")

    def reconfigure(self, config: Config) -> None:
        """Take edited settings of this account (same name) for its next session.

        A session already running keeps the settings it started with; the password is
        asked again if the login or server changed.
        """
        settings = config.account(self.name)
        if settings.pop != self.account.pop or settings.smtp != self.account.smtp:
            secrets.forget_passwords()
            self._rejected.clear()
        self.config, self.account = config, settings

    def close(self) -> None:
        self.cache.close()


def protocol_logger(protocol: str) -> logging.Logger:
    """The protocol log (credentials redacted by the client and by a filter)."""
    logger = logging.getLogger(f"pymailgui.protocol.{protocol}")
    if not any(getattr(h, "_pymailgui", False) for h in logger.handlers):
        target = paths.private_file(paths.logs_dir() / f"{protocol}.log")
        handler = logging.FileHandler(target, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        handler.addFilter(secrets.RedactingFilter())
        handler._pymailgui = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
    return logger


def open_account(
    config: Config,
    name: str | None = None,
    *,
    prompt: PasswordPrompt | None = None,
    fixed_password: str | None = None,
    cache: IndexCache | None = None,
    folder_store: FolderStore | None = None,
) -> Account:
    """The account ``name`` (or the default one) with its index cache opened."""
    account = config.account(name)
    return Account(
        config=config,
        account=account,
        cache=cache or IndexCache(paths.cache_db()),
        prompt=prompt,
        fixed_password=fixed_password,
        folder_store=folder_store,
    )
