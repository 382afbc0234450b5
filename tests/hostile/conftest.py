"""Fixtures of the adversarial suite: an :class:`Account` wired to hostile servers.

``hostile_account(pop=..., smtp=...)`` builds the real facade the front ends use over
the project's scripted servers (or aiosmtpd), with its own index cache and folders
under the test's directory, so every case runs the whole client, not one layer of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from pymailgui.actions import Account, open_account
from pymailgui.config import AccountConfig, Config, Security, ServerConfig
from pymailgui.config.schema import GeneralConfig
from pymailgui.inbox import IndexCache
from pymailgui.store import FolderStore
from tests.support.popserver import POP_PASSWORD, POP_USER
from tests.support.tls import TLSFiles

ADDRESS = "alice@example.org"


class Endpoint(Protocol):
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...


class AccountMaker(Protocol):
    def __call__(
        self,
        pop: Endpoint | None = None,
        *,
        pop_security: Security = Security.NONE,
        smtp: Endpoint | None = None,
        smtp_security: Security = Security.NONE,
        smtp_auth: str = "none",
        tls: TLSFiles | None = None,
        timeout: float = 5.0,
        max_message_bytes: int | None = None,
        name: str = "hostile",
    ) -> Account: ...


def server_config(
    endpoint: Endpoint | None, security: Security, tls: TLSFiles | None, timeout: float, **kw: Any
) -> ServerConfig:
    if endpoint is None:  # no server: a closed port on loopback (nothing may connect)
        return ServerConfig(host="127.0.0.1", port=9, security=Security.NONE, timeout=timeout)
    return ServerConfig(
        host=endpoint.host,
        port=endpoint.port,
        security=security,
        ca_file=str(tls.ca_file) if tls is not None else "",
        timeout=timeout,
        **kw,
    )


@pytest.fixture
def hostile_account(tmp_path: Path) -> Iterator[AccountMaker]:
    """Accounts over the given servers, closed after the test."""
    made: list[Account] = []

    def make(
        pop: Endpoint | None = None,
        *,
        pop_security: Security = Security.NONE,
        smtp: Endpoint | None = None,
        smtp_security: Security = Security.NONE,
        smtp_auth: str = "none",
        tls: TLSFiles | None = None,
        timeout: float = 5.0,
        max_message_bytes: int | None = None,
        name: str = "hostile",
    ) -> Account:
        general = GeneralConfig(use_keyring=False)
        if max_message_bytes is not None:
            general = GeneralConfig(use_keyring=False, max_message_bytes=max_message_bytes)
        account = AccountConfig(
            name=name,
            address=ADDRESS,
            pop=server_config(pop, pop_security, tls, timeout, username=POP_USER),
            smtp=(
                server_config(smtp, smtp_security, tls, timeout, username=POP_USER, auth=smtp_auth)
                if smtp is not None
                else None
            ),
            display_name="Alice",
        )
        state = tmp_path / f"state-{len(made)}"
        opened = open_account(
            Config(general=general, accounts={name: account}),
            fixed_password=POP_PASSWORD,
            cache=IndexCache(state / "cache.sqlite3"),
            folder_store=FolderStore(state / "folders"),
        )
        made.append(opened)
        return opened

    yield make
    for account in made:
        account.close()
