from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pymailgui.config import Security, ServerConfig
from pymailgui.devserver.pop3server import ScriptedPOP3Server
from pymailgui.inbox import Inbox, IndexCache
from pymailgui.inbox.session import Connector, PopSession
from pymailgui.pop import open_session
from pymailgui.tasks import Task


def connector(
    host: str, port: int, user: str = "alice", password: str = "secret", **server_kw: object
) -> Connector:
    server = ServerConfig(host=host, port=port, security=Security.NONE, timeout=5.0, **server_kw)  # type: ignore[arg-type]

    def connect(task: Task) -> PopSession:
        return open_session(server, user, password, task=task)

    return connect


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[IndexCache]:
    c = IndexCache(tmp_path / "cache.sqlite3")
    yield c
    c.close()


InboxFactory = Callable[[ScriptedPOP3Server], Inbox]


@pytest.fixture
def inbox_for(cache: IndexCache) -> InboxFactory:
    def make(server: ScriptedPOP3Server, account: str = "acct") -> Inbox:
        return Inbox(account, cache, connector(server.host, server.port))

    return make
