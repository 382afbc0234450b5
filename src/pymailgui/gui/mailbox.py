"""The account as the desktop client uses it: key-based verbs that take a core Task.

This is the GUI's seam onto ``pymailgui.actions.Account`` and speaks the contract of
docs/core-api.md (``index()``, ``refresh(task)``, ``fetch(key, task)``, ``delete(keys,
task)``...). Until the core facade implements that contract itself, the few lines
below bridge today's Account to it; nothing in here knows Qt, and nothing else in the
GUI touches the core's inbox directly.

Cancelling: every progress report first asks the task whether it was cancelled, so a
cancel lands between two protocol steps. A delete reports progress only while it
lists (before any DELE), so a cancel can never cut it between DELE and QUIT.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from pymailgui.actions import Account, SaveReport
from pymailgui.inbox import DeleteReport, MessageSummary, RefreshReport
from pymailgui.inbox.identity import is_fingerprint_key
from pymailgui.message import Draft, MessageView
from pymailgui.message.summary import MessageRow
from pymailgui.smtp import SendResult
from pymailgui.tasks import Phase, Task

_PHASES = {"headers": Phase.HEADERS, "list": Phase.LIST}


class Mailbox:
    """One account's server inbox, folders and outgoing mail, for the windows."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self._lock = threading.Lock()
        self._new: set[str] = set()
        self._seen: set[str] = set()

    @property
    def name(self) -> str:
        return self.account.name

    @property
    def address(self) -> str:
        return self.account.account.address

    # -- the server inbox, no network ---------------------------------------------------
    def index(self) -> list[MessageRow]:
        """The cached index in server order (no connection)."""
        entries = self.account.cached_index()
        with self._lock:
            new, seen = set(self._new), set(self._seen)
        return [_row(e, e.uid in new and e.uid not in seen, e.uid in seen) for e in entries]

    def cached(self, key: str) -> bytes | None:
        """The full text of ``key`` when it is in the cache, else None (no connection)."""
        inbox = self.account.inbox
        entry = inbox.cache.entry(inbox.account, key)
        if entry is None:
            return None
        # A look-alike's label may move to its twin on the next listing: never trust it.
        if (
            is_fingerprint_key(key)
            and inbox.cache.fingerprint_count(inbox.account, entry.fingerprint) != 1
        ):
            return None
        return inbox.cache.body(inbox.account, key)

    def mark_seen(self, keys: Sequence[str]) -> None:
        with self._lock:
            self._seen.update(keys)

    # -- the server inbox, one POP session each -----------------------------------------
    def refresh(self, task: Task) -> RefreshReport:
        task.check("the list was not updated")
        inbox = self.account.inbox
        first = inbox.cache.mode(inbox.account) is None  # never refreshed before
        task.report(Phase.CONNECT)
        report = self.account.refresh(_progress(task, "the list was not updated"))
        with self._lock:
            # The first list ever is not "new mail": everything would be bold.
            added = set() if first else set(report.added)
            self._new = (self._new - set(report.removed)) | added
        return report

    def fetch(self, key: str, task: Task) -> bytes:
        task.check("the message was not downloaded")
        task.report(Phase.RETRIEVE, 0, 1)
        data = self.account.fetch(key)
        task.report(Phase.RETRIEVE, 1, 1, len(data))
        return data

    def delete(self, keys: Sequence[str], task: Task) -> DeleteReport:
        undone = "nothing was deleted"
        task.check(undone)
        task.report(Phase.CONNECT)
        report = self.account.delete(list(keys), _progress(task, undone))
        with self._lock:
            self._new -= set(report.deleted) | set(report.already_gone)
        return report

    def save_to_folder(
        self, keys: Sequence[str], folder: str, task: Task, *, delete: bool = False
    ) -> SaveReport:
        task.check("nothing was saved")
        task.report(Phase.SAVE, 0, len(keys))
        report = self.account.save_to_folder(list(keys), folder, delete=delete)
        task.report(Phase.SAVE, len(keys), len(keys))
        return report

    # -- reading ------------------------------------------------------------------------
    def view(self, data: bytes, *, allow_remote: bool = False) -> MessageView:
        return self.account.view(data, allow_remote=allow_remote)

    def save_parts(self, data: bytes, directory: Path, index: int | None = None) -> list[Path]:
        return self.account.save_parts(data, directory, index)

    def folder_names(self) -> list[str]:
        return self.account.folders.names()

    # -- writing ------------------------------------------------------------------------
    def reply_draft(self, original: bytes, *, reply_all: bool = False) -> Draft:
        return self.account.reply_draft(original, reply_all=reply_all)

    def forward_draft(self, original: bytes) -> Draft:
        return self.account.forward_draft(original, [])

    def identity_line(self) -> str:
        identity = self.account.identity()
        if identity.display_name:
            return f"{identity.display_name} <{identity.address}>"
        return identity.address

    def send(self, draft: Draft, task: Task) -> SendResult:
        task.check("nothing was sent")
        task.report(Phase.SEND)
        return self.account.send(draft)

    def close(self) -> None:
        self.account.close()


def _progress(task: Task, undone: str) -> Callable[[str, int, int], None]:
    def report(phase: str, done: int, total: int) -> None:
        task.check(undone)
        task.report(_PHASES.get(phase, Phase.HEADERS), done, total)

    return report


def _row(entry: MessageSummary, new: bool, seen: bool) -> MessageRow:
    return MessageRow(
        key=entry.uid,
        size=entry.size,
        from_=entry.from_,
        to=entry.to,
        cc=entry.cc,
        subject=entry.subject,
        date=entry.date,
        message_id=entry.message_id,
        has_attachments=entry.has_attachments,
        flags="S" if seen else "",
        new=new,
        number=entry.num,
        fingerprint=entry.fingerprint,
    )
