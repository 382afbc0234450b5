"""What every console command works with: the account, the numbering, the terminal.

A :class:`Session` turns the numbers a user types into the core's keys (through the
console's own :class:`~pymailgui.console.state.ConsoleState`), runs long verbs as
tasks, asks confirmations and prints. It names commands the way the current mode
types them ("'pymail list'" on the command line, "'i'" in the interactive mode).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TextIO, TypeVar

from pymailgui.actions import Account
from pymailgui.console import format as fmt
from pymailgui.console.state import ConsoleState, folder_view, server_view
from pymailgui.console.terminal import Runner, confirm
from pymailgui.errors import UsageError
from pymailgui.message.summary import MessageRow
from pymailgui.tasks import Task

T = TypeVar("T")


@dataclass
class Session:
    """One run of ``pymail`` (a command, or the whole interactive mode)."""

    account: Account
    state: ConsoleState
    runner: Runner
    stdin: TextIO
    out: TextIO
    err: TextIO
    interactive: bool = False
    #: command name -> how this mode types it (the interactive mode's letters).
    hints: Mapping[str, str] = field(default_factory=dict)
    #: The interactive mode: server keys marked for deletion at quit, in marking order.
    marked: list[str] = field(default_factory=list)
    current: int = 0  # the interactive mode's last message shown (``l`` shows the next)
    leave: bool = False  # set by ``quit``
    help_text: str = ""

    # -- talking ------------------------------------------------------------------------
    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def note(self, text: str) -> None:
        """A remark beside the output (stderr on the command line, so pipes stay clean)."""
        print(text, file=self.out if self.interactive else self.err, flush=True)

    def hint(self, *words: str) -> str:
        """How the user types a command in this mode, quoted: 'pymail list' or 'i'."""
        if self.interactive:
            first = self.hints.get(words[0], words[0])
            return "'" + " ".join((first, *words[1:])) + "'"
        return "'" + " ".join(("pymail", *words)) + "'"

    def confirm(self, question: str, details: list[str], *, yes: bool, undone: str) -> None:
        confirm(
            question,
            details,
            stdin=self.stdin,
            out=self.out if self.interactive else self.err,
            yes=yes,
            interactive=self.interactive,
            undone=undone,
        )

    def run(self, name: str, verb: Callable[[Task], T], *, said: frozenset[str] = frozenset()) -> T:
        """``verb(task)`` as a task (Ctrl-C cancels it); then the task's notices, but
        those of the kinds in ``said`` (the caller's own report already tells them)."""
        try:
            return self.runner.run(name, verb)
        finally:
            for notice in self.runner.notices:
                if notice.kind not in said:
                    self.note(notice.text)

    # -- the server inbox ---------------------------------------------------------------
    @property
    def server_view(self) -> str:
        return server_view(self.account.name)

    def remember_server(self, rows: Sequence[MessageRow]) -> None:
        self.state.remember(self.server_view, [r.key for r in rows])

    def server_key(self, number: int) -> str:
        """The key of the message the user saw as ``number`` in the last server list."""
        view = self.server_view
        if not self.state.listed(view):
            raise UsageError(
                f"No list of {self.account.name} was shown yet: {self.hint('list')} shows one."
            )
        key = self.state.key(view, number)
        if key is None:
            raise UsageError(
                f"There is no message {number} in the last list (it may have been deleted "
                f"since); {self.hint('list')} shows the inbox again."
            )
        try:
            self.account.row(key)
        except UsageError:
            raise UsageError(
                f"Message {number} of the last list is no longer on the server; "
                f"{self.hint('list')} shows what is there now."
            ) from None
        return key

    def server_keys(self, numbers: Sequence[int], uids: Sequence[str] = ()) -> list[str]:
        """The messages named by numbers of the last list and by UIDLs, in order, once."""
        keys = [self.server_key(n) for n in numbers]
        for uid in uids:
            keys.append(self.account.row(uid).key)
        return list(dict.fromkeys(keys))

    def server_line(self, key: str) -> str:
        """One line naming a server message, for a confirmation."""
        row = self.account.row(key)
        number = self.state.numbers(self.server_view).get(key)
        lead = f"{number:>4}  " if number else "      "
        return f"{lead}{fmt.sender_name(row.from_)}: {row.subject or '(no subject)'}"

    # -- local folders ------------------------------------------------------------------
    def remember_folder(self, name: str, rows: Sequence[MessageRow]) -> None:
        self.state.remember(folder_view(name), [r.key for r in rows])

    def folder_key(self, name: str, number: int) -> str:
        """The key of the message the user saw as ``number`` in the last list of ``name``."""
        folders = self.account.folders
        shown = folders.folder(name).name
        view = folder_view(shown)
        if self.state.listed(view):
            key = self.state.key(view, number)
        else:
            # Never listed: the current order is what any listing would show now.
            rows = folders.rows(shown)
            key = rows[number - 1].key if 0 < number <= len(rows) else None
        if key is None:
            raise UsageError(
                f"There is no message {number} in the last list of {shown}; "
                f"{self.hint('folder', shown, 'list')} shows it again."
            )
        if not folders.contains(shown, key):
            raise UsageError(
                f"Message {number} of {shown} is gone (moved or deleted since the last list)."
            )
        return key

    def folder_keys(self, name: str, numbers: Sequence[int]) -> list[str]:
        return list(dict.fromkeys(self.folder_key(name, n) for n in numbers))

    def forget_folder(self, name: str, keys: Sequence[str]) -> None:
        self.state.forget(folder_view(name), keys)
