"""Fixtures of the adversarial suite: an :class:`Account` wired to hostile servers.

``hostile_account(pop=..., smtp=...)`` builds the real facade the front ends use over
the project's scripted servers (or aiosmtpd), with its own index cache and folders
under the test's directory, so every case runs the whole client, not one layer of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pytest

from pymailgui.actions import Account
from pymailgui.config import Security
from tests.hostile.world import Endpoint, account_config, open_in
from tests.support.tls import TLSFiles


class Server(Protocol):
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...


#: ``make(pop=None, *, pop_security, smtp, smtp_security, smtp_auth, tls, timeout,
#: max_message_bytes) -> Account`` (see :func:`hostile_account`).
AccountMaker = Callable[..., Account]


@pytest.fixture
def hostile_account(tmp_path: Path) -> Iterator[AccountMaker]:
    """Accounts over the given servers, each with its own state; closed after the test."""
    made: list[Account] = []

    def make(
        pop: Server | None = None,
        *,
        pop_security: Security = Security.NONE,
        smtp: Server | None = None,
        smtp_security: Security = Security.NONE,
        smtp_auth: str = "none",
        tls: TLSFiles | None = None,
        timeout: float = 5.0,
        max_message_bytes: int | None = None,
    ) -> Account:
        ca = str(tls.ca_file) if tls is not None else ""
        config = account_config(
            Endpoint(pop.host, pop.port, pop_security, ca) if pop is not None else None,
            Endpoint(smtp.host, smtp.port, smtp_security, ca, smtp_auth) if smtp else None,
            timeout=timeout,
            max_message_bytes=max_message_bytes,
        )
        account = open_in(tmp_path / f"state-{len(made)}", config)
        made.append(account)
        return account

    yield make
    for account in made:
        account.close()
