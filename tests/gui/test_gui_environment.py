"""The GUI test environment itself: Qt starts offscreen and pytest-qt drives it."""

from __future__ import annotations

from typing import Any


def test_a_widget_shows_offscreen(qtbot: Any) -> None:
    from PySide6.QtWidgets import QApplication, QLabel

    label = QLabel("PyMailGUI")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    assert QApplication.platformName() == "offscreen"
    assert label.isVisible()
