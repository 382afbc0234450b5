"""The demo account: a persistent maildrop with sample mail, served on 127.0.0.1.

``pymail --demo`` starts a :class:`DemoServer`; a new user can read, delete and (through
the demo SMTP receiver, which calls :meth:`DemoServer.deliver`) receive mail without an
account anywhere. The maildrop lives on disk so deletions and new mail survive restarts.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path

from pymailgui import paths
from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.maildrop import Maildrop
from pymailgui.devserver.pop3server import ScriptedPOP3Server
from pymailgui.devserver.running import Running

DEMO_USER = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 - a public demo login on loopback, not a secret
DEMO_ADDRESS = "demo@example.com"


def sample_messages() -> list[tuple[str, bytes]]:
    """(file name, raw bytes) of every bundled sample message, in file-name order."""
    folder = resources.files("pymailgui.devserver").joinpath("sample_mail")
    entries = [e for e in folder.iterdir() if e.name.endswith(".eml")]
    return [(e.name, e.read_bytes()) for e in sorted(entries, key=lambda e: e.name)]


class DemoServer(Running):
    """The demo POP3 account ``demo``/``demo`` on 127.0.0.1 (no TLS: loopback only).

    ``directory`` holds the maildrop (default: ``paths.demo_dir() / "maildrop"``); it is
    seeded with the samples the first time only, so the user's deletions stick. The
    server is running once the constructor returns; :meth:`stop` ends it and
    :meth:`start` (or entering the context manager) starts it again.
    """

    def __init__(
        self, directory: Path | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.directory = Path(directory) if directory is not None else paths.demo_dir() / "maildrop"
        self._bind = (host, port)
        self._lock = threading.Lock()
        self.maildrop: Maildrop | None = None
        self.server: ScriptedPOP3Server | None = None
        self.start()

    def start(self) -> tuple[str, int]:
        """Open (and seed on first use) the maildrop and serve it; return (host, port).

        Does nothing but return the address when already running.
        """
        with self._lock:
            if self.server is not None:
                return self.server.start()
            paths.ensure_dir(self.directory)
            drop = Maildrop.open_dir(self.directory)
            if drop.created:
                _seed(drop)
            server = ScriptedPOP3Server(
                {DEMO_USER: (DEMO_PASSWORD, drop)},
                ServerBehavior(),
                host=self._bind[0],
                port=self._bind[1],
            )
            address = server.start()
            self.maildrop, self.server = drop, server
            return address

    @property
    def host(self) -> str:
        return self._running().host

    @property
    def port(self) -> int:
        return self._running().port

    def _running(self) -> ScriptedPOP3Server:
        if self.server is None:
            raise RuntimeError("the demo server is not started")
        return self.server

    def _drop(self) -> Maildrop:
        if self.maildrop is None:
            raise RuntimeError("the demo server is not started")
        return self.maildrop

    def deliver(self, data: bytes) -> str:
        """Drop a new message into the demo inbox (durably); return its uid."""
        return self._drop().add(data)

    def reset(self) -> None:
        """Restore the sample messages (with new uids: ids are never reused)."""
        drop = self._drop()
        drop.clear()
        _seed(drop)

    def stop(self) -> None:
        """Stop serving; the maildrop stays on disk."""
        with self._lock:
            if self.server is not None:
                self.server.stop()
            self.server = None
            self.maildrop = None


def _seed(drop: Maildrop) -> None:
    for _, data in sample_messages():
        drop.add(data)
