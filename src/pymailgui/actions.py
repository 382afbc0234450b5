"""The user's verbs, shared by both front ends.

Each function or method returns data and raises :class:`~pymailgui.errors.MailError`
subclasses; none prints or draws. The console client and the GUI are thin layers over
:class:`Account`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from pymailgui import paths
from pymailgui.config import AccountConfig, Config, secrets
from pymailgui.errors import AuthenticationError
from pymailgui.inbox import DeleteReport, Inbox, IndexCache, MessageSummary, RefreshReport
from pymailgui.inbox.session import PopSession, Progress
from pymailgui.pop import open_session

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

    def __post_init__(self) -> None:
        self.inbox = Inbox(self.account.name, self.cache, self._open_pop)

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
) -> Account:
    """The account ``name`` (or the default one) with its index cache opened."""
    account = config.account(name)
    return Account(
        config=config,
        account=account,
        cache=cache or IndexCache(paths.cache_db()),
        prompt=prompt,
        fixed_password=fixed_password,
    )
