"""Fixtures of the POP3 client tests: the scripted server, closed after each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.pop.popserver_script import (
    Maildrop,
    Options,
    ScriptedPOP3Server,
    ServerMaker,
    sample_message,
)


@pytest.fixture
def scripted_pop() -> Iterator[ServerMaker]:
    """Factory: ``scripted_pop(messages=[...], uids=[...], **Options fields)``."""
    servers: list[ScriptedPOP3Server] = []

    def make(
        messages: list[bytes] | None = None, uids: list[str] | None = None, **options: Any
    ) -> ScriptedPOP3Server:
        drop = Maildrop(
            messages if messages is not None else [sample_message(i) for i in range(1, 6)],
            uids or [],
        )
        server = ScriptedPOP3Server(drop, Options(**options))
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()
