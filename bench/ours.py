"""Our side of each measurement: the Inbox and the POP3 client as the application uses them."""

from __future__ import annotations

import itertools
from pathlib import Path

from bench.lab import PASSWORD
from pymailgui.config import Security, ServerConfig
from pymailgui.inbox import Inbox, IndexCache
from pymailgui.inbox.model import Connector
from pymailgui.inbox.session import PopSession
from pymailgui.pop import open_session
from pymailgui.tasks import Task

TIMEOUT = 30.0
_serial = itertools.count(1)


def server(host: str, port: int) -> ServerConfig:
    return ServerConfig(host=host, port=port, security=Security.NONE, timeout=TIMEOUT)


def connector(host: str, port: int, user: str = "alice") -> Connector:
    config = server(host, port)

    def connect(task: Task) -> PopSession:
        return open_session(config, user, PASSWORD, task=task)

    return connect


class Workspace:
    """Fresh caches in a temporary directory: one new SQLite file per measurement."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._open: list[IndexCache] = []

    def cache(self) -> IndexCache:
        """A new, empty cache. Measurements run one after another (prepare, run), so
        the caches handed out before are done with and are closed here."""
        self.close()
        cache = IndexCache(self.root / f"cache-{next(_serial)}.sqlite3")
        self._open.append(cache)
        return cache

    def close(self) -> None:
        for cache in self._open:
            cache.close()
        self._open.clear()

    def inboxes(
        self, host: str, fast_port: int, slow_port: int, user: str = "alice"
    ) -> tuple[Inbox, Inbox]:
        """Two Inbox views of one fresh cache: over plain loopback (for untimed set-up)
        and over the port being measured."""
        cache = self.cache()
        account = f"bench-{user}"
        fast = Inbox(account, cache, connector(host, fast_port, user))
        slow = Inbox(account, cache, connector(host, slow_port, user))
        return fast, slow


def retr_first(host: str, port: int, user: str) -> bytes:
    """Message 1 with the protocol layer alone (POP3Client.retr), no inbox around it."""
    client = open_session(server(host, port), user, PASSWORD)
    try:
        data = client.retr(1)
        client.quit()
    except BaseException:
        client.abort()
        raise
    return data
