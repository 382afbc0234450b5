"""Quitting while work runs: ask first, and never cut a delete between DELE and QUIT.

Three answers: finish the work (pending deletes included) and then quit; stop it and
quit (a delete whose QUIT is on its way still completes, since the core shields it;
deletes still waiting for their undo time are not sent); or keep working.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

FINISH = "finish"
STOP = "stop"


class QuitPrompt(QMessageBox):
    #: FINISH or STOP (keeping on working emits nothing)
    decided = Signal(str)

    def __init__(self, running: list[str], pending: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quit_prompt")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle("Quit PyMailGUI?")
        lines = []
        if running:
            lines.append("Still working: " + "; ".join(running) + ".")
        if pending:
            noun = "message is" if pending == 1 else "messages are"
            lines.append(f"{pending} {noun} waiting to be deleted from the server.")
        self.setText("PyMailGUI is not done yet.")
        self.setInformativeText(
            " ".join(lines)
            + " Stopping never leaves anything half-done: a delete the server is already "
            "committing still completes, the rest is not done."
        )
        self.finish_button = self._button(
            "Finish, then Quit", "quit_finish", QMessageBox.ButtonRole.AcceptRole
        )
        self.stop_button = self._button(
            "Stop and Quit", "quit_stop", QMessageBox.ButtonRole.DestructiveRole
        )
        self.keep_button = self._button(
            "Keep Working", "quit_keep", QMessageBox.ButtonRole.RejectRole
        )
        self.setDefaultButton(self.finish_button)
        self.setEscapeButton(self.keep_button)
        self.buttonClicked.connect(self._clicked)

    def _button(self, text: str, name: str, role: QMessageBox.ButtonRole) -> QPushButton:
        button = self.addButton(text, role)
        button.setObjectName(name)
        return button

    def _clicked(self, button: object) -> None:
        if button is self.finish_button:
            self.decided.emit(FINISH)
        elif button is self.stop_button:
            self.decided.emit(STOP)
