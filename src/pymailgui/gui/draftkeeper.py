"""Keeping a compose window's text safe: autosave every few seconds, save, discard.

Two copies may exist in Drafts while a window is open:

- the *kept* draft: the one the window was opened from, or the last one the user
  saved (Save Draft, or "Save" when closing);
- the *autosave* copy: written a few seconds after each change (only when something
  changed), replacing the previous autosave copy once the new one is durable.

So a crash (or a SIGKILL) loses at most :data:`AUTOSAVE_SECONDS` of typing, and
closing with "Discard" removes the autosave copy while the draft as it was opened stays.
Saving folds both into one. Every write goes through one lock: the autosave runs in the
thread pool, a send in the account's sending thread, and neither may race the other
into leaving two drafts of one message.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from pymailgui.errors import MailError
from pymailgui.gui import pool
from pymailgui.gui.mailbox import Mailbox
from pymailgui.message import Draft

#: How long after a change the autosave runs (and so the most typing a crash loses).
AUTOSAVE_SECONDS = 3


class DraftStore:
    """The Drafts copies of one message being written (safe from any thread).

    ``generation`` moves on with every save, discard or hand-over, so an autosave that
    was started before one of those (and waited for the lock) writes nothing.
    """

    def __init__(self, mailbox: Mailbox, kept: str | None = None) -> None:
        self.mailbox = mailbox
        self.kept = kept
        self.autosaved: str | None = None
        self.generation = 0
        self._lock = threading.Lock()

    def autosave(self, draft: Draft, generation: int) -> str | None:
        with self._lock:
            if generation != self.generation:
                return None
            self.autosaved = self.mailbox.save_draft(draft, replace=self.autosaved)
            return self.autosaved

    def save(self, draft: Draft) -> str:
        """One durable draft of ``draft``, replacing the kept one and the autosave copy."""
        with self._lock:
            self.generation += 1
            key = self.mailbox.save_draft(draft, replace=self.autosaved)
            self.autosaved = None
            if self.kept is not None and self.kept != key:
                with contextlib.suppress(MailError):
                    self.mailbox.delete_draft(self.kept)
            self.kept = key
            return key

    def discard(self) -> None:
        """Remove the autosave copy; the kept draft (as it was opened or saved) stays."""
        with self._lock:
            self.generation += 1
            if self.autosaved is not None:
                with contextlib.suppress(MailError):
                    self.mailbox.delete_draft(self.autosaved)
                self.autosaved = None

    def forget(self, remaining: str | None = None) -> None:
        """The core took the drafts over (a send moved the text to Outbox); ``remaining``
        is the draft still in Drafts, if any."""
        with self._lock:
            self.generation += 1
            self.kept, self.autosaved = remaining, None


class DraftKeeper(QObject):
    """Watches a window's content and autosaves it a few seconds after each change."""

    #: An autosave (or save) finished: the draft key.
    saved = Signal(str)
    #: An autosave failed: the error (the window shows it; the next change tries again).
    failed = Signal(object)

    def __init__(
        self,
        store: DraftStore,
        snapshot: Callable[[], Draft],
        parent: QObject | None = None,
        seconds: float = AUTOSAVE_SECONDS,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.snapshot = snapshot
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(round(seconds * 1000))
        self.timer.timeout.connect(self.autosave_now)
        self._autosaved = _fingerprint(snapshot())  # what the last autosave wrote
        self._baseline = self._autosaved  # what the user last saved (or opened)
        self._saving = False
        self.paused = False

    # -- what changed -------------------------------------------------------------------
    def changed(self) -> None:
        """The user edited something: autosave in a few seconds (not per keystroke)."""
        if not self.timer.isActive() and not self.paused:
            self.timer.start()

    @property
    def unsaved(self) -> bool:
        """Changes the user has not saved (closing asks about them)."""
        return _fingerprint(self.snapshot()) != self._baseline

    def mark_saved(self) -> None:
        """What the window shows now is safe (saved, or waiting in Outbox)."""
        self._baseline = self._autosaved = _fingerprint(self.snapshot())

    # -- saving -------------------------------------------------------------------------
    def autosave_now(self) -> None:
        if self.paused:
            return
        if self._saving:
            self.timer.start()  # one write at a time; try again shortly
            return
        draft = self.snapshot()
        mark = _fingerprint(draft)
        if mark == self._autosaved:
            return
        self._saving = True

        def done(key: str | None) -> None:
            self._saving = False
            if key is not None:
                self._autosaved = mark
                self.saved.emit(key)

        def failed(error: BaseException) -> None:
            self._saving = False
            if not isinstance(error, MailError):
                raise error
            self.failed.emit(error)

        generation = self.store.generation
        pool.run(lambda: self.store.autosave(draft, generation), done, failed, owner=self)

    def save_now(self) -> str:
        """Save synchronously (an explicit save, or closing): one fsync'd write."""
        self.timer.stop()
        key = self.store.save(self.snapshot())
        self.mark_saved()
        self.saved.emit(key)
        return key

    def discard(self) -> None:
        self.timer.stop()
        self.paused = True
        self.store.discard()

    def stop(self) -> None:
        self.timer.stop()
        self.paused = True

    def resume(self) -> None:
        self.paused = False


def _fingerprint(draft: Draft) -> tuple[object, ...]:
    return (
        tuple(draft.to),
        tuple(draft.cc),
        tuple(draft.bcc),
        draft.subject,
        draft.body,
        tuple(
            (a[0], len(a[1]) if isinstance(a[1], bytes) else 0) if isinstance(a, tuple) else str(a)
            for a in draft.attachments
        ),
    )
