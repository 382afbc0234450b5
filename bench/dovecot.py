"""A private Dovecot for the bench: started by the bench, filled fast, stopped at the end.

It reuses the test suite's harness (tests/support/dovecot.py: the configuration,
loopback listeners, plaintext login allowed on loopback), which needs pytest and
trustme from the test dependencies. Mail is put straight into each user's Maildir
``cur/`` with the ``,S=<size>,W=<size>`` names Dovecot itself writes, so it never has
to read a file to learn its size: 100,000 messages are delivered in seconds, in
corpus order (Dovecot numbers new files in name order). Dovecot advertises
PIPELINING, as most servers other than Gmail do.
"""

from __future__ import annotations

import contextlib
import os
import poplib
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.lab import PASSWORD

_TIMEOUT = 120.0  # the first login to a big mailbox indexes it


def available() -> str | None:
    """None when the bench can run Dovecot, else why not."""
    try:
        from tests.support.dovecot import find_dovecot
    except ImportError as exc:
        return f"the Dovecot harness cannot be imported ({exc}; install the test extra)"
    try:
        find_dovecot()
    except BaseException as exc:  # the harness skips (pytest's Skipped) when missing
        return f"Dovecot is not available ({exc})"
    return None


@dataclass
class Mailbox:
    """One bench user's Maildir on the running Dovecot."""

    name: str
    maildir: Path
    owner: tuple[int, int]
    uids: list[str] = field(default_factory=list)
    _serial: int = 0

    def deliver(self, messages: Iterable[bytes], folder: str = "cur") -> list[Path]:
        """Write messages as Maildir files (no fsync: nothing here must survive a crash)."""
        paths = []
        for data in messages:
            self._serial += 1
            base = f"{1_700_000_000 + self._serial}.M{self._serial:07d}P1.bench"
            name = f"{base},S={len(data)},W={len(data)}"
            path = self.maildir / folder / (name + (":2," if folder == "cur" else ""))
            with open(path, "wb") as out:
                out.write(data)
            os.chown(path, *self.owner)
            paths.append(path)
        return paths


class BenchDovecot:
    """Dovecot on 127.0.0.1 with one user per mailbox size."""

    def __init__(self) -> None:
        from tests.support.dovecot import DovecotServer
        from tests.support.tls import make_tls_files

        self._tls_dir = tempfile.TemporaryDirectory(prefix="pymailgui-bench-tls-")
        self.server: Any = DovecotServer.start(make_tls_files(Path(self._tls_dir.name)))
        self.host: str = self.server.host
        self.port: int = self.server.pop3_port
        self.version = _version(self.server.binary)
        self.boxes: dict[str, Mailbox] = {}

    def add_mailbox(self, name: str, messages: Iterable[bytes]) -> Mailbox:
        user = self.server.add_user(name, PASSWORD)
        owner = (self.server.owner.uid, self.server.owner.gid)
        box = self.boxes[name] = Mailbox(name, user.maildir, owner)
        box.deliver(messages)
        box.uids = self.listing(name)  # the first login indexes the Maildir
        return box

    def listing(self, name: str) -> list[str]:
        """The UIDLs Dovecot gives the user's messages now, in message order."""
        pop = poplib.POP3(self.host, self.port, timeout=_TIMEOUT)
        try:
            pop.user(name)
            pop.pass_(PASSWORD)
            _, lines, _ = pop.uidl()
            pop.quit()
        finally:
            pop.close()
        return [line.split()[1].decode("ascii") for line in lines]

    def add_new(self, name: str, messages: Iterable[bytes]) -> list[Path]:
        """New mail arriving (in new/, as an MDA delivers)."""
        return self.boxes[name].deliver(messages, folder="new")

    @staticmethod
    def remove(paths: Iterable[Path]) -> None:
        """Remove delivered files again (Dovecot moves new/ files to cur/ when it sees
        them, so both places are tried)."""
        for path in paths:
            moved = list((path.parent.parent / "cur").glob(path.name + ":*"))
            for candidate in (path, *moved):
                with contextlib.suppress(FileNotFoundError):
                    candidate.unlink()

    def stop(self) -> None:
        try:
            self.server.stop()
        finally:
            self._tls_dir.cleanup()


def _version(binary: Path) -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(
            [str(binary), "--version"], capture_output=True, timeout=10, check=False
        )
        return out.stdout.decode("ascii", "replace").split()[0]
    return "unknown"


def wait_for_login(dovecot: BenchDovecot, name: str, seconds: float = 30.0) -> None:
    """Block until ``name`` can log in (Dovecot re-reads passwd files at most once a
    second)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            dovecot.listing(name)
            return
        except poplib.error_proto:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
