"""Taking pictures of real windows: wait for what a step needs, then grab it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

STEP_TIMEOUT = 20.0


class ScriptFailed(Exception):
    pass


def wait_until(condition: Callable[[], object], what: str, timeout: float = STEP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise ScriptFailed(f"timed out waiting for {what}")
        QApplication.processEvents()
        time.sleep(0.01)


def settle(seconds: float = 0.3) -> None:
    """Let layouts, repaints and queued signals finish before a picture is taken."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def save(widget: QWidget, target: Path) -> Path:
    settle()
    pixmap = widget.grab()
    if pixmap.isNull() or not pixmap.save(str(target), "PNG"):
        raise ScriptFailed(f"could not save {target}")
    return target


def save_over(background: QWidget, dialog: QWidget, target: Path) -> Path:
    """A dialog drawn over its window, as the user sees it."""
    settle()
    base = background.grab()
    top = dialog.grab()
    canvas = QPixmap(base.size())
    canvas.setDevicePixelRatio(base.devicePixelRatio())
    painter = QPainter(canvas)
    painter.drawPixmap(0, 0, base)
    painter.fillRect(canvas.rect(), QColor(0, 0, 0, 70))
    ratio = base.devicePixelRatio()
    at = QPoint(
        int((base.width() / ratio - top.width() / top.devicePixelRatio()) / 2),
        int((base.height() / ratio - top.height() / top.devicePixelRatio()) / 3),
    )
    painter.fillRect(at.x() + 4, at.y() + 4, top.width(), top.height(), QColor(0, 0, 0, 60))
    painter.drawPixmap(at, top)
    painter.end()
    if not canvas.save(str(target), "PNG"):
        raise ScriptFailed(f"could not save {target}")
    return target
