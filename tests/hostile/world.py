"""An :class:`Account` over given servers, the same in a test and in a child process.

The data-safety cases run the client in a child process (:mod:`tests.hostile.killer`)
that is killed midway; both sides build the account here, from plain values, so the
child needs nothing but the servers' addresses and a state directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pymailgui.actions import Account, open_account
from pymailgui.config import AccountConfig, Config, Security, ServerConfig
from pymailgui.config.schema import GeneralConfig
from pymailgui.inbox import IndexCache
from pymailgui.store import FolderStore

ADDRESS = "alice@example.org"
USER = "alice"
PASSWORD = "secret"  # tests.support.popserver's POP_PASSWORD


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    security: Security = Security.NONE
    ca_file: str = ""
    auth: str = "auto"


def account_config(
    pop: Endpoint | None,
    smtp: Endpoint | None = None,
    *,
    name: str = "hostile",
    timeout: float = 5.0,
    max_message_bytes: int | None = None,
) -> Config:
    def server(end: Endpoint | None) -> ServerConfig:
        if end is None:  # no server: a closed port on loopback
            return ServerConfig(host="127.0.0.1", port=9, security=Security.NONE, timeout=timeout)
        return ServerConfig(
            host=end.host,
            port=end.port,
            security=end.security,
            ca_file=end.ca_file,
            timeout=timeout,
            username=USER,
            auth=end.auth,
        )

    general = GeneralConfig(use_keyring=False)
    if max_message_bytes is not None:
        general = GeneralConfig(use_keyring=False, max_message_bytes=max_message_bytes)
    account = AccountConfig(
        name=name,
        address=ADDRESS,
        pop=server(pop),
        smtp=server(smtp) if smtp is not None else None,
        display_name="Alice",
    )
    return Config(general=general, accounts={name: account})


def open_in(state: Path, config: Config) -> Account:
    """The account with its cache and folders under ``state``."""
    return open_account(
        config,
        fixed_password=PASSWORD,
        cache=IndexCache(state / "cache.sqlite3"),
        folder_store=FolderStore(state / "folders"),
    )
