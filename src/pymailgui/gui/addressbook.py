"""The addresses a compose window completes: seen in the server index and in Sent.

Built in the thread pool when a compose window first asks (100,000 index rows take a
fraction of a second there, nothing on the GUI thread), kept until the list or Sent
changes; windows that ask while it is being built all get the one result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject

from pymailgui.actions import LocalFolders
from pymailgui.gui import addresses, pool
from pymailgui.message.summary import MessageRow
from pymailgui.store import SENT


class AddressBook(QObject):
    def __init__(
        self,
        received: Callable[[], list[MessageRow]],
        folders: LocalFolders,
        own: Iterable[str],
        parent: QObject | None = None,
    ) -> None:
        """``received()``: the index rows now shown (read on the GUI thread)."""
        super().__init__(parent)
        self._received = received
        self._folders = folders
        self._own = set(own)
        self._found: list[str] | None = None
        self._waiting: list[Callable[[list[str]], None]] = []

    def forget(self) -> None:
        self._found = None

    def request(self, on_ready: Callable[[list[str]], None]) -> None:
        if self._found is not None:
            on_ready(self._found)
            return
        self._waiting.append(on_ready)
        if len(self._waiting) > 1:
            return  # being built: the result goes to every window that asked
        received, folders, own = self._received(), self._folders, self._own

        def build() -> list[str]:
            sent = folders.rows(SENT) if folders.exists(SENT) else []
            return addresses.collect(received, sent, own)

        pool.run(build, self._ready, owner=self)

    def _ready(self, found: list[str]) -> None:
        self._found = found
        waiting, self._waiting = self._waiting, []
        for waiter in waiting:
            waiter(found)
