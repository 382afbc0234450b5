"""Small icons drawn in code: no image files to ship, and crisp at any device pixel ratio.

The theme's icons are used where the desktop has them (``QIcon.fromTheme``), line icons
drawn in :mod:`pymailgui.gui.glyphs` where it has none (a bare X11 session, the
offscreen screenshots); a paper clip has no standard theme name, and a font may lack
U+1F4CE, so it is drawn here.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)

from pymailgui.gui import glyphs

_SIZE = 16


def _pixmap(size: int, ratio: float) -> QPixmap:
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    return pixmap


def _ratio() -> float:
    screen = QGuiApplication.primaryScreen()
    return screen.devicePixelRatio() if screen is not None else 1.0


def _text_color() -> QColor:
    return QGuiApplication.palette().color(QPalette.ColorRole.Text)


@cache
def _paperclip(color: str, ratio: float) -> QIcon:
    pixmap = _pixmap(_SIZE, ratio)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor(color), 1.4)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    glyphs.attach(painter)  # the one paper clip outline
    painter.end()
    return QIcon(pixmap)


def paperclip() -> QIcon:
    """The attachment mark, in the current text colour (it follows light/dark)."""
    return _paperclip(_text_color().name(), _ratio())


@cache
def _envelope(ratio: float) -> QIcon:
    icon = QIcon()
    for size in (16, 32, 48, 64, 128):
        pixmap = _pixmap(size, ratio)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        s = size / 16
        body = QRectF(1 * s, 3.5 * s, 14 * s, 9.5 * s)
        painter.setPen(QPen(QColor("#1f4e79"), max(1.0, 0.9 * s)))
        painter.setBrush(QColor("#dbe9f6"))
        painter.drawRoundedRect(body, 1.2 * s, 1.2 * s)
        flap = QPainterPath()
        flap.moveTo(body.topLeft() + QPointF(0.6 * s, 0.6 * s))
        flap.lineTo(QPointF(8 * s, 9 * s))
        flap.lineTo(body.topRight() + QPointF(-0.6 * s, 0.6 * s))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(flap)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def application() -> QIcon:
    """The window icon: PyMailGUI's own (installed in the theme, else the packaged
    SVG), else a drawn envelope."""
    if QIcon.hasThemeIcon("pymailgui"):
        return QIcon.fromTheme("pymailgui")
    packaged = resources.files("pymailgui.gui").joinpath("data", "pymailgui.svg")
    if isinstance(packaged, Path) and packaged.is_file():
        icon = QIcon(str(packaged))
        if not icon.isNull():
            return icon
    return _envelope(_ratio())


def themed(name: str) -> QIcon:
    """A freedesktop icon by name: the desktop theme's, else one drawn here
    (:mod:`pymailgui.gui.glyphs`), else an empty icon (the action shows its text)."""
    if QIcon.hasThemeIcon(name):
        return QIcon.fromTheme(name)
    drawn = glyphs.icon(name)
    return drawn if drawn is not None else QIcon()
