"""Quitting while work runs: ask first, and never cut a delete between DELE and QUIT.

Three answers: finish the work (pending deletes included) and then quit; stop it and
quit (a delete whose QUIT is on its way still completes, since the core shields it;
deletes still waiting for their undo time are not sent); or keep working.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from pymailgui.gui.choicebox import ChoiceBox

FINISH = "finish"
STOP = "stop"


class QuitPrompt(ChoiceBox):
    """``decided`` is FINISH or STOP (keeping on working emits nothing)."""

    def __init__(self, running: list[str], pending: int, parent: QWidget | None = None) -> None:
        super().__init__("quit_prompt", "Quit PyMailGUI?", parent)
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
        role = QMessageBox.ButtonRole
        self.finish_button = self.choice(
            "Finish, then Quit", "quit_finish", role.AcceptRole, FINISH
        )
        self.stop_button = self.choice("Stop and Quit", "quit_stop", role.DestructiveRole, STOP)
        self.keep_button = self.choice("Keep Working", "quit_keep", role.RejectRole)
        self.setDefaultButton(self.finish_button)
        self.setEscapeButton(self.keep_button)
