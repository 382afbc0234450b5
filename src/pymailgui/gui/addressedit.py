"""A To/Cc/Bcc line that completes the address being typed, not the whole line.

A stock ``QLineEdit.setCompleter`` replaces the whole text with the completion, which
would wipe the addresses typed before the last comma. Here the completer works on the
segment under the cursor (:func:`pymailgui.gui.addresses.current_segment`), matches
anywhere in "Name <address>" ignoring case, and a chosen entry replaces only that
segment, followed by ", " for the next one.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from pymailgui.gui import addresses

_POPUP_KEYS = (
    Qt.Key.Key_Enter,
    Qt.Key.Key_Return,
    Qt.Key.Key_Escape,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Backtab,
)


class AddressEdit(QLineEdit):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setPlaceholderText("name@example.com, …")
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(8)
        completer.setWidget(self)
        completer.activated.connect(self._insert)
        self.completer_ = completer
        self.textEdited.connect(self._edited)

    def set_addresses(self, entries: list[str]) -> None:
        self._model.setStringList(entries)

    def addresses(self) -> list[str]:
        return addresses.split(self.text())

    def _edited(self, text: str) -> None:
        start, end = addresses.current_segment(text, self.cursorPosition())
        prefix = text[start:end].strip()
        if len(prefix) < 1 or not self._model.rowCount():
            self._hide_popup()
            return
        self.completer_.setCompletionPrefix(prefix)
        if self.completer_.completionCount() == 0:
            self._hide_popup()
            return
        self.completer_.complete()

    def _hide_popup(self) -> None:
        popup = self.completer_.popup()
        if popup is not None:
            popup.hide()

    def _popup_visible(self) -> bool:
        popup = self.completer_.popup()
        return popup is not None and popup.isVisible()

    def _insert(self, completion: str) -> None:
        text = self.text()
        start, end = addresses.current_segment(text, self.cursorPosition())
        before = text[:start].rstrip()
        lead = f"{before} " if before else ""
        after = text[end:].lstrip(",; ")
        new = f"{lead}{completion}, "
        self.setText(new + after)
        self.setCursorPosition(len(new))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._popup_visible() and event.key() in _POPUP_KEYS:
            event.ignore()  # the popup takes them (choose, close)
            return
        super().keyPressEvent(event)
