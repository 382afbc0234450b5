"""Tasks: one run of a long verb, with typed progress, notices and cancellation.

Every verb a user may wait for (refresh, fetch, delete, save, send, resend, import,
export) takes a :class:`Task`. The verb reports :class:`Progress` and :class:`Notice`
through it and asks it "cancelled?" between protocol steps; a front end creates the
task, listens to it (the GUI turns the callbacks into Qt signals, the console prints)
and may call :meth:`Task.cancel` from any thread.

Cancelling never makes a half-done change look done:
- a POP session that is cancelled ends without QUIT, so the server deletes nothing
  (RFC 1939 §6); while QUIT is on its way the task is *shielded* and the delete
  completes (cutting it there would leave the user not knowing what happened);
- an SMTP session ends before the final dot of DATA, so nothing is sent; once the dot
  is sent, the server's answer is awaited;
- folder writes are a temporary file renamed into place, so no partial message or
  mbox file is ever visible.

A verb that stops because of a cancel raises :class:`~pymailgui.errors.Cancelled`,
whose sentence says what was and was not done. Nothing here knows about Qt.
"""

from __future__ import annotations

import contextlib
import enum
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pymailgui.errors import Cancelled, MailError
from pymailgui.units import human_size


class Phase(enum.Enum):
    """What a task is doing; the value is how a status line says it."""

    WAIT = "Waiting for the account"
    CONNECT = "Connecting"
    BUSY = "Waiting for the server to release the mailbox"
    LIST = "Listing messages"
    HEADERS = "Loading headers"
    RETRIEVE = "Downloading messages"
    DELETE = "Deleting messages"
    COMMIT = "Finishing the session"
    SAVE = "Saving messages"
    SEND = "Sending"
    IMPORT = "Importing messages"
    EXPORT = "Exporting messages"


@dataclass(frozen=True)
class Progress:
    """How far a task is: ``done`` of ``total`` items (None: unknown), ``bytes`` moved."""

    phase: Phase
    done: int = 0
    total: int | None = None
    bytes: int = 0

    @property
    def fraction(self) -> float | None:
        """0.0..1.0 when the total is known, else None (a busy indicator)."""
        if not self.total:
            return None
        return min(1.0, max(0.0, self.done / self.total))

    def __str__(self) -> str:
        if self.total and self.phase is Phase.SEND:  # counted in bytes of the message
            if self.total < 1024:
                return f"{self.phase.value} {self.done:,} of {self.total:,} bytes"
            return f"{self.phase.value} {human_size(self.done)} of {human_size(self.total)}"
        if self.total:
            return f"{self.phase.value} {self.done:,} of {self.total:,}"
        if self.done:
            return f"{self.phase.value} ({self.done:,})"
        return f"{self.phase.value}…"


class Level(enum.Enum):
    INFO = "info"
    WARNING = "warning"


@dataclass(frozen=True)
class Notice:
    """Something the user should see that is not an error.

    ``kind`` is a stable tag a front end may react to (the list is in
    docs/core-api.md: "removed-on-server", "invalid-uidl", "too-big", "short-message",
    "cancel-too-late", "mailto-refused").
    """

    text: str
    level: Level = Level.INFO
    kind: str = ""

    def __str__(self) -> str:
        return self.text


ProgressSink = Callable[[Progress], None]
NoticeSink = Callable[[Notice], None]


class Task:
    """One run of a verb; thread-safe: the worker reports, any thread may cancel.

    ``on_progress`` and ``on_notice`` are called in the worker's thread; they must be
    quick and must not raise (a GUI emits a signal from them). Every notice is also
    kept in :attr:`notices`, so a caller that did not listen can still show them.
    """

    def __init__(
        self,
        name: str = "",
        *,
        on_progress: ProgressSink | None = None,
        on_notice: NoticeSink | None = None,
    ) -> None:
        self.name = name
        self._on_progress = on_progress
        self._on_notice = on_notice
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._hooks: list[Callable[[], None]] = []
        self._shield_depth = 0
        self.notices: list[Notice] = []
        self.last_progress: Progress | None = None

    # -- reporting ----------------------------------------------------------------------
    def report(self, phase: Phase, done: int = 0, total: int | None = None, bytes: int = 0) -> None:
        """Report progress (cheap enough to call for every message)."""
        progress = Progress(phase, done, total, bytes)
        self.last_progress = progress
        if self._on_progress is not None:
            self._on_progress(progress)

    def notify(self, text: str, level: Level = Level.INFO, kind: str = "") -> Notice:
        """Tell the user something (kept in :attr:`notices` and passed to the sink)."""
        notice = Notice(text, level, kind)
        with self._lock:
            self.notices.append(notice)
        if self._on_notice is not None:
            self._on_notice(notice)
        return notice

    # -- cancelling ---------------------------------------------------------------------
    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Ask the task to stop; a blocking network read is interrupted at once.

        Inside a :meth:`shielded` section the request is only recorded: the section
        (QUIT after DELE, the end of DATA) runs to its end first.
        """
        with self._lock:
            if self._cancelled.is_set():
                return
            self._cancelled.set()
            hooks = [] if self._shield_depth else list(self._hooks)
        for hook in hooks:
            _run_hook(hook)

    def check(self, undone: str = "") -> None:
        """Raise :class:`Cancelled` if the task was cancelled (``undone``: what was not
        done, e.g. "nothing was deleted")."""
        if self._cancelled.is_set():
            raise Cancelled(_sentence(undone), nothing_committed=True)

    def wait(self, seconds: float, undone: str = "") -> None:
        """Sleep ``seconds`` unless cancelled first (then :class:`Cancelled`)."""
        if self._cancelled.wait(max(0.0, seconds)):
            self.check(undone)

    @contextlib.contextmanager
    def interruptible(self, hook: Callable[[], None]) -> Iterator[None]:
        """While inside, a cancel runs ``hook`` (e.g. shut the socket down) so that a
        blocking read ends now instead of at its timeout."""
        with self._lock:
            self._hooks.append(hook)
            run_now = self._cancelled.is_set() and not self._shield_depth
        try:
            if run_now:
                _run_hook(hook)
            yield
        finally:
            with self._lock:
                self._hooks.remove(hook)

    @contextlib.contextmanager
    def shielded(self) -> Iterator[None]:
        """A section that a cancel must not cut (e.g. QUIT after DELE)."""
        with self._lock:
            self._shield_depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._shield_depth -= 1
                # A cancel that came in meanwhile takes effect now.
                hooks = (
                    list(self._hooks) if not self._shield_depth and self._cancelled.is_set() else []
                )
            for hook in hooks:
                _run_hook(hook)

    @contextlib.contextmanager
    def stops(self, undone: str) -> Iterator[None]:
        """Turn any error raised because of a cancel into :class:`Cancelled`.

        An interrupted socket read surfaces as a connection error; once the user has
        cancelled, that is what happened and ``undone`` says what was not done.
        """
        try:
            yield
        except Cancelled:
            raise
        except (MailError, OSError) as exc:
            if self._cancelled.is_set():
                raise Cancelled(_sentence(undone), nothing_committed=True) from exc
            raise


def _sentence(undone: str) -> str:
    text = "Cancelled"
    if undone:
        text += f"; {undone.rstrip('.')}"
    return text + "."


def _run_hook(hook: Callable[[], None]) -> None:
    # A hook closes a socket; one that fails must not stop the others.
    with contextlib.suppress(Exception):
        hook()


def ensure(task: Task | None, name: str = "") -> Task:
    """``task``, or a fresh one that nobody listens to (for callers that do not care)."""
    return task if task is not None else Task(name)
