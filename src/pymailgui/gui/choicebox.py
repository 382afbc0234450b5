"""A non-modal question with named answers: the base of the quit and close prompts.

``decided`` carries the value of the button clicked; a button added without a value
(Cancel, Keep Working) emits nothing. Shown with ``show()``, never ``exec()``, so the
event loop keeps running and tests click the buttons as a user would.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QPushButton, QWidget


class ChoiceBox(QMessageBox):
    decided = Signal(str)

    def __init__(self, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(title)
        self._values: dict[QAbstractButton, str] = {}
        self.buttonClicked.connect(self._clicked)

    def choice(
        self, text: str, name: str, role: QMessageBox.ButtonRole, value: str | None = None
    ) -> QPushButton:
        button = self.addButton(text, role)
        button.setObjectName(name)
        if value is not None:
            self._values[button] = value
        return button

    @classmethod
    def confirm(
        cls,
        name: str,
        title: str,
        question: str,
        detail: str,
        yes: str,
        on_yes: Callable[[], object],
        parent: QWidget | None = None,
    ) -> ChoiceBox:
        """A shown "are you sure" for something that cannot be undone: ``yes`` (button
        ``NAME_yes``) runs ``on_yes``, Cancel (``NAME_no``, the default) nothing."""
        box = cls(f"{name}_prompt", title, parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText(question)
        box.setInformativeText(detail)
        role = QMessageBox.ButtonRole
        box.choice(yes, f"{name}_yes", role.DestructiveRole, "yes")
        box.setDefaultButton(box.choice("Cancel", f"{name}_no", role.RejectRole))
        box.decided.connect(lambda _value: on_yes())
        box.show()
        return box

    def _clicked(self, button: QAbstractButton) -> None:
        value = self._values.get(button)
        if value is not None:
            self.decided.emit(value)
