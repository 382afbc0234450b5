"""The synchronization notice: the server's inbox changed, and nothing wrong was done.

Shown (non-modally) when the core refused a fetch or a delete for safety: another
program removed or replaced messages since the list was loaded, so the message the
user picked could not be proven to be the one on the server. The dialog says so in
plain words, says that nothing was deleted and no other message shown, and follows
the automatic refresh to say what changed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from pymailgui.errors import SyncError

_WHAT_WAS_DONE = {
    "delete": "Nothing was deleted from the server.",
    "fetch": "No message was shown in its place.",
    "save": "Nothing was saved and nothing was deleted.",
}


class SyncNotice(QDialog):
    def __init__(self, error: SyncError, action: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync_notice")
        self.setWindowTitle("The server's inbox changed")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        title = QLabel("<b>The inbox on the server changed since the list was loaded.</b>", self)
        layout.addWidget(title)
        self.reason = QLabel(str(error), self)
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setObjectName("sync_reason")
        layout.addWidget(self.reason)
        safe = _WHAT_WAS_DONE.get(action, "Nothing was changed on the server.")
        self.safety = QLabel(
            f"{safe} PyMailGUI only acts on a message after proving, in the same session, "
            "that it is the one you picked.",
            self,
        )
        self.safety.setWordWrap(True)
        layout.addWidget(self.safety)
        self.outcome = QLabel("Updating the list from the server…", self)
        self.outcome.setObjectName("sync_outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.outcome)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def refreshed(self, summary: str) -> None:
        """The automatic refresh ended: say what it found."""
        self.outcome.setText(f"The list was updated: {summary}")

    def refresh_failed(self, reason: str) -> None:
        self.outcome.setText(f"The list could not be updated: {reason} Press F5 to try again.")
