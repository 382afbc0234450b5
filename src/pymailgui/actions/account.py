"""One configured account and the verbs on its server inbox, folders and outgoing mail."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pymailgui import paths
from pymailgui.actions.local import LocalFolders, SaveReport
from pymailgui.config import AccountConfig, Config, secrets
from pymailgui.errors import (
    AuthenticationError,
    ConfigError,
    LocalStoreError,
    MessageError,
    SyncError,
)
from pymailgui.inbox import DeleteReport, Inbox, IndexCache, MessageSummary, RefreshReport
from pymailgui.inbox.session import PopSession, Progress
from pymailgui.message import (
    BuiltMessage,
    Draft,
    Identity,
    MessageView,
    build_message,
    forward,
    reply,
    save_all_parts,
    save_part,
    view,
)
from pymailgui.pop import open_session
from pymailgui.smtp import SendResult, send_and_file
from pymailgui.store import DRAFTS, OUTBOX, SENT, FolderStore

log = logging.getLogger(__name__)

#: Returns the password for (protocol, prompt text) or None; a front end's prompt.
PasswordPrompt = secrets.Prompt


@dataclass
class Account:
    """One configured account with its server inbox, ready for the user's verbs."""

    config: Config
    account: AccountConfig
    cache: IndexCache
    prompt: PasswordPrompt | None = None
    #: For the demo account: a fixed password instead of the usual sources.
    fixed_password: str | None = None
    folder_store: FolderStore | None = None

    def __post_init__(self) -> None:
        self.inbox = Inbox(self.account.name, self.cache, self._open_pop)
        self.folders = LocalFolders(self.folder_store or FolderStore())

    @property
    def name(self) -> str:
        return self.account.name

    # -- sessions ----------------------------------------------------------------------
    def password(self, protocol: str) -> str:
        if self.fixed_password is not None:
            return self.fixed_password
        server = self.account.pop if protocol == "pop" else self.account.smtp
        assert server is not None
        return secrets.get_password(
            self.account,
            server,
            protocol=protocol,
            use_keyring=self.config.general.use_keyring,
            prompt=self.prompt,
        )

    def _open_pop(self) -> PopSession:
        server = self.account.pop
        try:
            return open_session(
                server,
                self.account.login(server),
                self.password("pop"),
                protocol_log=protocol_logger("pop") if self.config.general.protocol_log else None,
                max_message_bytes=self.config.general.max_message_bytes,
            )
        except AuthenticationError:
            secrets.forget_passwords()  # a wrong cached or typed password is not reused
            raise

    # -- the server inbox --------------------------------------------------------------
    def cached_index(self) -> list[MessageSummary]:
        return self.inbox.entries()

    def refresh(self, progress: Progress | None = None) -> RefreshReport:
        return self.inbox.refresh(progress)

    def fetch(self, uid: str) -> bytes:
        return self.inbox.fetch(uid)

    def delete(self, uids: Sequence[str], progress: Progress | None = None) -> DeleteReport:
        return self.inbox.delete(uids, progress)

    def save_to_folder(
        self, uids: Sequence[str], folder_name: str, *, delete: bool = False
    ) -> SaveReport:
        """Copy server messages into a local folder; with ``delete``, then remove them.

        Each copy is written durably (fsync, rename) and its origin recorded before the
        next; the server delete runs only after every copy is known to be stored, and
        through the inbox's safe delete (verified, committed by QUIT).
        """
        folder = self.folders.folder(folder_name, create=True)
        saved: dict[str, str] = {}
        skipped: list[str] = []
        wanted = []
        for uid in dict.fromkeys(uids):
            if folder.has_source(self.name, uid):
                skipped.append(uid)  # a second "save" must not make duplicates
            else:
                wanted.append(uid)
        try:
            fetched = self.inbox.fetch_many(wanted)  # one session, pipelined
        except SyncError as exc:
            # Save every message that can still be identified, then say what failed.
            for uid in wanted:
                with contextlib.suppress(SyncError):
                    saved[uid] = folder.add(self.fetch(uid), source_uid=uid, account=self.name)
            raise SyncError(
                f"{exc} The other {len(saved)} were saved in {folder.name}; "
                "nothing was deleted from the server."
            ) from exc
        for uid, data in fetched.items():
            saved[uid] = folder.add(data, source_uid=uid, account=self.name)
        report = SaveReport(folder=folder.name, saved=saved, skipped=skipped)
        if not delete:
            return report
        stored = [u for u in dict.fromkeys(uids) if folder.has_source(self.name, u)]
        if len(stored) != len(dict.fromkeys(uids)):
            raise LocalStoreError(
                f"Not every message could be confirmed as stored in {folder.name}; "
                "nothing was deleted from the server."
            )
        return dataclasses.replace(report, deleted=self.inbox.delete(stored))

    # -- reading -----------------------------------------------------------------------
    def view(self, data: bytes, *, allow_remote: bool = False) -> MessageView:
        return view(data, wrap_width=self.config.general.wrap_width, allow_remote=allow_remote)

    def save_parts(self, data: bytes, directory: Path, index: int | None = None) -> list[Path]:
        """Save one part (``index`` from the view's part list) or every part."""
        try:
            directory.mkdir(parents=True, exist_ok=True)
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

    def reply_draft(self, original: bytes, *, reply_all: bool = False) -> Draft:
        return reply(original, self.identity(), reply_all=reply_all)

    def forward_draft(
        self, original: bytes, to: list[str], *, as_attachment: bool = False
    ) -> Draft:
        return forward(original, self.identity(), to=to, as_attachment=as_attachment)

    def _build(self, draft: Draft) -> BuiltMessage:
        """``draft`` as a message; SMTPUTF8 only when an address needs it (RFC 6531).

        The SMTP layer refuses such a message before sending anything if the server
        does not offer SMTPUTF8.
        """
        try:
            return build_message(draft, self.identity())
        except MessageError as exc:
            if "SMTPUTF8" not in str(exc):
                raise
            return build_message(draft, self.identity(), smtputf8=True)

    def save_draft(self, draft: Draft) -> str:
        """Keep an unsent message in Drafts (durably); returns its key."""
        built = self._build(draft)
        return self.folders.folder(DRAFTS, create=True).add(built.as_bytes(), flags="D")

    def send(self, draft: Draft) -> SendResult:
        """Build and send ``draft``; it waits in Outbox until the server took it.

        A copy goes to Sent. If sending fails the message stays in Outbox (never lost)
        and the error says so.
        """
        server = self.account.smtp
        if server is None:
            raise ConfigError(
                f"The account {self.name} has no SMTP server: add [accounts.{self.name}.smtp]."
            )
        built = self._build(draft)
        password: str | None = None
        if server.auth == "none":
            server = dataclasses.replace(server, username="")
        else:
            server = dataclasses.replace(server, username=self.account.login(server))
            password = self.password("smtp")
        try:
            return send_and_file(
                built.as_bytes(),
                built.envelope_from,
                built.recipients,
                server,
                password,
                outbox=self.folders.folder(OUTBOX, create=True),
                sent=self.folders.folder(SENT, create=True),
                smtputf8=built.smtputf8,
            )
        except AuthenticationError:
            secrets.forget_passwords()
            raise

    def close(self) -> None:
        self.cache.close()


def protocol_logger(protocol: str) -> logging.Logger:
    """The protocol log (credentials redacted by the client and by a filter)."""
    logger = logging.getLogger(f"pymailgui.protocol.{protocol}")
    if not any(getattr(h, "_pymailgui", False) for h in logger.handlers):
        directory = paths.ensure_dir(paths.logs_dir())
        handler = logging.FileHandler(directory / f"{protocol}.log", encoding="utf-8")
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
