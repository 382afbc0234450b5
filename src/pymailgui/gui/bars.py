"""Message bars above a list or a message: one sentence and a button or two.

Used for the "3 messages will be deleted from the server - Undo" bar, the "Remote
content blocked" bar, "This message is no longer on the server" and sender warnings.
Nothing here is modal: a bar never takes the focus away from what the user is doing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

#: Background tints by kind; the text colour is chosen for contrast on each.
_TINTS = {
    "info": ("#dbe9f6", "#0d2a45"),
    "warning": ("#fde9b8", "#3d2a00"),
    "danger": ("#f8d4d0", "#4a0d06"),
}


class MessageBar(QFrame):
    """A tinted bar with a sentence, optional buttons and a close cross."""

    closed = Signal()

    def __init__(
        self, kind: str = "info", parent: QWidget | None = None, *, closable: bool = True
    ) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.set_kind(kind)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.label, 1)
        self._buttons = QHBoxLayout()
        layout.addLayout(self._buttons)
        self._close: QToolButton | None = None
        if closable:
            self._close = QToolButton(self)
            self._close.setText("×")
            self._close.setAutoRaise(True)
            self._close.setToolTip("Close this bar")
            self._close.setAccessibleName("Close")
            self._close.clicked.connect(self.dismiss)
            layout.addWidget(self._close)
        self.hide()

    def set_kind(self, kind: str) -> None:
        background, text = _TINTS.get(kind, _TINTS["info"])
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(background))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
        palette.setColor(QPalette.ColorRole.ButtonText, QColor(text))
        self.setPalette(palette)

    def add_button(self, text: str, handler: Callable[[], object], name: str = "") -> QPushButton:
        button = QPushButton(text, self)
        if name:
            button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: handler())
        self._buttons.addWidget(button)
        return button

    def show_text(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    @property
    def text(self) -> str:
        return self.label.text()

    def dismiss(self) -> None:
        self.hide()
        self.closed.emit()


class UndoBar(MessageBar):
    """ "3 messages will be deleted from the server - Undo", counting down.

    ``expired`` fires when the time is up (the delete may run now); ``undo`` when the
    user clicked Undo. Closing the bar with its cross means "go ahead now".
    """

    expired = Signal()
    undo = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("warning", parent)
        self.setObjectName("undo_bar")
        self.undo_button = self.add_button("Undo", self._undo, "undo_button")
        self.now_button = self.add_button("Delete Now", self._expire, "delete_now_button")
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._left = 0
        self._count = 0
        self.where = "from the server"
        self.closed.connect(self._expire)

    def start(self, count: int, seconds: int) -> None:
        """Show the bar for ``count`` messages for ``seconds`` (restarts the count-down)."""
        self._count, self._left = count, max(1, seconds)
        self._render()
        self.show()
        self._timer.start()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        self._timer.stop()
        self.hide()

    def _render(self) -> None:
        noun = "message" if self._count == 1 else "messages"
        self.label.setText(f"{self._count} {noun} will be deleted {self.where} in {self._left} s.")

    def _tick(self) -> None:
        self._left -= 1
        if self._left <= 0:
            self._expire()
        else:
            self._render()

    def _expire(self) -> None:
        if self._timer.isActive() or self.isVisible():
            self.stop()
            self.expired.emit()

    def _undo(self) -> None:
        self.stop()
        self.undo.emit()
