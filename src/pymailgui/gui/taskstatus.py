"""The status bar's task area: what is running, how far, and a Cancel button.

"Loading headers 1,240 of 10,000", a progress bar (a busy bar while the total is
unknown) and Cancel, for the jobs of the workers it watches. Nothing here is modal;
Cancel asks the core task to stop, which never leaves a half-done change behind.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from pymailgui.gui.worker import Job, Worker
from pymailgui.tasks import Progress


class TaskStatus(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("task_status")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.label.setObjectName("task_label")
        self.bar = QProgressBar(self)
        self.bar.setObjectName("task_progress")
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setObjectName("cancel_button")
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop this task (nothing half-done is left)")
        self.cancel_button.clicked.connect(self.cancel)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._workers: list[Worker] = []
        self._idle()

    def watch(self, worker: Worker) -> None:
        self._workers.append(worker)
        worker.job_started.connect(self._started)
        worker.job_progress.connect(self._progress)
        worker.job_finished.connect(lambda _job, _error: self._update())

    @property
    def current(self) -> Job | None:
        for worker in self._workers:
            if worker.running is not None:
                return worker.running
        return None

    def cancel(self) -> None:
        job = self.current
        if job is not None:
            job.task.cancel()
            self.label.setText(f"Cancelling: {job.label}…")
            self.cancel_button.setEnabled(False)

    def _waiting(self) -> int:
        return sum(len(w.jobs) for w in self._workers) - (1 if self.current else 0)

    def _started(self, job: Job) -> None:
        self._show(job, job.progress)

    def _progress(self, job: Job, progress: Progress) -> None:
        if job is self.current:
            self._show(job, progress)

    def _show(self, job: Job, progress: Progress | None) -> None:
        text = str(progress) if progress is not None else f"{job.label}…"
        if progress is not None and progress.phase.name == "CONNECT":
            text = f"{job.label}: connecting…"
        waiting = self._waiting()
        if waiting > 0:
            text += f" ({waiting} more waiting)"
        self.label.setText(text)
        fraction = progress.fraction if progress is not None else None
        if fraction is None:
            self.bar.setRange(0, 0)  # busy
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(fraction * 1000))
        self.bar.show()
        self.cancel_button.setVisible(True)
        self.cancel_button.setEnabled(not job.task.cancelled)
        self.show()

    def _update(self) -> None:
        job = self.current
        if job is None:
            self._idle()
        else:
            self._show(job, job.progress)

    def _idle(self) -> None:
        self.label.clear()
        self.bar.hide()
        self.cancel_button.hide()
