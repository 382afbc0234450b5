"""Closing a compose window with unsaved changes: keep them as a draft, or not.

Three answers: Save (the text stays in Drafts), Discard (the changes since the last
save go; a draft the window was opened from stays as it was), Cancel (keep writing).
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from pymailgui.gui.choicebox import ChoiceBox

SAVE = "save"
DISCARD = "discard"


class ClosePrompt(ChoiceBox):
    def __init__(self, subject: str, parent: QWidget | None = None) -> None:
        super().__init__("close_prompt", "Save this message?", parent)
        self.setText(f"“{subject or '(no subject)'}” has changes that are not saved.")
        self.setInformativeText(
            "Save keeps it in Drafts, where you can open it again and go on writing. "
            "Discard throws away the changes since it was last saved."
        )
        role = QMessageBox.ButtonRole
        self.save_button = self.choice("Save Draft", "close_save", role.AcceptRole, SAVE)
        self.discard_button = self.choice("Discard", "close_discard", role.DestructiveRole, DISCARD)
        self.cancel_button = self.choice("Cancel", "close_cancel", role.RejectRole)
        self.setDefaultButton(self.save_button)
        self.setEscapeButton(self.cancel_button)
