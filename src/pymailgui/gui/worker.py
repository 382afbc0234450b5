"""One worker thread per account: its server jobs run one after another, off the GUI.

A :class:`Worker` lives in the GUI thread and owns a ``QThread`` in which a small runner
object executes :class:`Job`s in the order they were submitted (refresh, fetch and
delete queue behind each other, so two sessions of one account never overlap). Each
job carries a core :class:`~pymailgui.tasks.Task`; the task's callbacks (called in the
worker thread) become queued Qt signals, and the result or error comes back the same
way. The runner never touches a widget. Cancel calls ``task.cancel()`` from the GUI
thread: the core makes that safe at any moment (a delete past DELE still ends with
its QUIT).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from pymailgui.errors import Cancelled, MailError
from pymailgui.tasks import Notice, Progress, Task

#: Progress signals are sent at most this often (a refresh of 100,000 headers reports
#: every one; the status bar needs a few updates a second, not 100,000 queued events).
PROGRESS_INTERVAL = 0.05

_ids = itertools.count(1)

Done = Callable[[Any], None]
Failed = Callable[[MailError], None]


class Job:
    """One verb to run in an account's worker thread, with what to do when it ends.

    ``run(task)`` runs in the worker thread; ``on_done(result)`` and ``on_error(exc)``
    run in the GUI thread. ``label`` is how the status bar names it while it waits
    ("Deleting 3 messages").
    """

    def __init__(
        self,
        name: str,
        label: str,
        run: Callable[[Task], Any],
        *,
        on_done: Done | None = None,
        on_error: Failed | None = None,
        keys: tuple[str, ...] = (),
    ) -> None:
        self.id = next(_ids)
        self.name = name
        self.label = label
        self.keys = keys
        self.run = run
        self.on_done = on_done
        self.on_error = on_error
        # The sinks are set by the runner, in the worker thread, before the job runs.
        self.progress_sink: Callable[[Progress], None] | None = None
        self.notice_sink: Callable[[Notice], None] | None = None
        self.task = Task(name, on_progress=self._report, on_notice=self._notify)
        self.state = "queued"  # -> "running" -> "done"
        self.progress: Progress | None = None

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.name} {self.state}>"

    def _report(self, progress: Progress) -> None:
        if self.progress_sink is not None:
            self.progress_sink(progress)

    def _notify(self, notice: Notice) -> None:
        if self.notice_sink is not None:
            self.notice_sink(notice)


class _Runner(QObject):
    """Lives in the worker thread; runs each job it is handed, in order."""

    started = Signal(object)
    progressed = Signal(object, object)
    noticed = Signal(object, object)
    finished = Signal(object, object, object)  # job, result, error

    @Slot(object)
    def run(self, job: Job) -> None:
        if job.task.cancelled:
            self.finished.emit(job, None, Cancelled("Cancelled before it started."))
            return
        self.started.emit(job)
        last: list[Any] = [0.0, None]

        def on_progress(progress: Progress) -> None:
            now = time.monotonic()
            final = progress.total is not None and progress.done >= progress.total
            if final or progress.phase is not last[1] or now - last[0] >= PROGRESS_INTERVAL:
                last[0], last[1] = now, progress.phase
                self.progressed.emit(job, progress)

        def on_notice(notice: Notice) -> None:
            self.noticed.emit(job, notice)

        job.progress_sink = on_progress
        job.notice_sink = on_notice
        try:
            result = job.run(job.task)
        except BaseException as exc:  # everything goes back to the GUI thread
            self.finished.emit(job, None, exc)
        else:
            self.finished.emit(job, result, None)


class Worker(QObject):
    """The GUI-thread side of one account's worker thread."""

    job_started = Signal(object)
    job_progress = Signal(object, object)
    job_notice = Signal(object, object)
    job_finished = Signal(object, object)  # job, error or None
    idle = Signal()
    _submit = Signal(object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._jobs: list[Job] = []
        self._thread = QThread()
        self._thread.setObjectName(f"worker-{name}")
        self._runner = _Runner()
        self._runner.moveToThread(self._thread)
        self._submit.connect(self._runner.run)
        self._runner.started.connect(self._on_started)
        self._runner.progressed.connect(self._on_progress)
        self._runner.noticed.connect(self._on_notice)
        self._runner.finished.connect(self._on_finished)
        self._thread.finished.connect(self._runner.deleteLater)
        self._thread.start()

    # -- submitting and cancelling ------------------------------------------------------
    def submit(self, job: Job) -> Job:
        self._jobs.append(job)
        self._submit.emit(job)
        return job

    def cancel(self, job: Job) -> None:
        job.task.cancel()

    def cancel_all(self) -> None:
        for job in list(self._jobs):
            job.task.cancel()

    @property
    def jobs(self) -> list[Job]:
        """Jobs submitted and not yet finished: the running one first, then the queue."""
        return list(self._jobs)

    @property
    def running(self) -> Job | None:
        return next((j for j in self._jobs if j.state == "running"), None)

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def stop(self, timeout_ms: int = 60_000) -> bool:
        """End the thread after the jobs already submitted; True when it ended in time."""
        self._thread.quit()
        return bool(self._thread.wait(timeout_ms))

    # -- back in the GUI thread ---------------------------------------------------------
    def _on_started(self, job: Job) -> None:
        job.state = "running"
        self.job_started.emit(job)

    def _on_progress(self, job: Job, progress: Progress) -> None:
        job.progress = progress
        self.job_progress.emit(job, progress)

    def _on_notice(self, job: Job, notice: Notice) -> None:
        self.job_notice.emit(job, notice)

    def _on_finished(self, job: Job, result: object, error: BaseException | None) -> None:
        job.state = "done"
        if job in self._jobs:
            self._jobs.remove(job)
        try:
            if error is None:
                if job.on_done is not None:
                    job.on_done(result)
            elif job.on_error is not None and isinstance(error, MailError):
                job.on_error(error)
            else:
                # A known error nobody handles, or a bug: the application's excepthook
                # is the one place that shows either.
                raise error
        finally:
            self.job_finished.emit(job, error)
            if not self._jobs:
                self.idle.emit()
