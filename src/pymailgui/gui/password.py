"""Asking for a password from a worker thread, with a dialog on the GUI thread.

The core asks for a password (``prompt(text) -> str | None``) inside a job, in the
account's worker thread. :class:`PasswordBroker` sends the question to the GUI thread
as a queued signal, shows a non-modal password dialog there, and the worker waits for
the answer. Closing the dialog answers None (the core raises PasswordCancelled).
The password is never logged; the core registers it with its redacting log filter.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

from pymailgui.config.secrets import PasswordRequest

#: How long a worker waits for the user before giving up (an unattended prompt must
#: not hold the account's session slot forever).
ANSWER_TIMEOUT = 15 * 60.0


class _Question:
    def __init__(self, text: str) -> None:
        self.text = text
        self.answer: str | None = None
        self.done = threading.Event()


class PasswordBroker(QObject):
    _asked = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._asked.connect(self._show)
        self._open: list[_Question] = []
        self.dialogs: list[QInputDialog] = []
        self._known: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def remember(self, account: str, protocol: str, password: str) -> None:
        """A password the user typed in the settings dialog: used for this session
        instead of asking again (it is never written anywhere)."""
        with self._lock:
            self._known[(account, protocol)] = password

    def __call__(self, request: PasswordRequest) -> str | None:
        """Called by the core in a worker thread; blocks that thread until answered."""
        if not request.again:
            with self._lock:
                known = self._known.get((request.account, request.protocol))
            if known is not None:
                return known
        else:
            with self._lock:  # the server refused it: ask the user
                self._known.pop((request.account, request.protocol), None)
        if QThread.currentThread() is self.thread():
            return None  # never block the GUI thread on its own dialog
        question = _Question(request.text)
        self._open.append(question)
        self._asked.emit(question)
        question.done.wait(ANSWER_TIMEOUT)
        return question.answer

    def cancel_all(self) -> None:
        """Answer every open question with None (the application is quitting)."""
        for question in list(self._open):
            question.done.set()
        self._open.clear()
        for dialog in self.dialogs:
            dialog.close()

    def _show(self, question: _Question) -> None:
        dialog = QInputDialog(QApplication.activeWindow())
        dialog.setObjectName("password_dialog")
        dialog.setWindowTitle("Password")
        dialog.setLabelText(question.text)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.setModal(False)

        def finished(result: int) -> None:
            if result == QInputDialog.DialogCode.Accepted.value:
                question.answer = dialog.textValue()
            question.done.set()
            if question in self._open:
                self._open.remove(question)
            if dialog in self.dialogs:
                self.dialogs.remove(dialog)
            dialog.deleteLater()

        dialog.finished.connect(finished)
        self.dialogs.append(dialog)
        dialog.show()
