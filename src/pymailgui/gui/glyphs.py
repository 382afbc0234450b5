"""Line icons drawn in code, for desktops (and the offscreen screenshots) without a theme.

Each glyph is a few strokes on a 16 x 16 grid. They are painted by an icon engine at
the moment Qt needs them, in the palette's current text colour, so they follow a
live switch between light and dark and stay crisp at any device pixel ratio. The
theme's own icon wins wherever the desktop has one (see :func:`icons.themed`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)

Draw = Callable[[QPainter], None]


def _line(p: QPainter, *points: tuple[float, float]) -> None:
    path = QPainterPath(QPointF(*points[0]))
    for point in points[1:]:
        path.lineTo(QPointF(*point))
    p.drawPath(path)


def _arrow_head(p: QPainter, tip: tuple[float, float], angle: float, size: float = 3.0) -> None:
    """Two strokes at ``tip`` pointing in direction ``angle`` (degrees, 0 = right)."""
    x, y = tip
    for side in (150, -150):
        a = math.radians(angle + side)
        _line(p, (x + size * math.cos(a), y - size * math.sin(a)), tip)


def _envelope(p: QPainter, top: float = 4.0, bottom: float = 12.5) -> None:
    p.drawRoundedRect(QRectF(1.5, top, 13, bottom - top), 1.2, 1.2)
    _line(p, (2.2, top + 0.8), (8, top + 4.6), (13.8, top + 0.8))


def _tray(p: QPainter) -> None:
    _line(p, (1.5, 9), (1.5, 14), (14.5, 14), (14.5, 9))
    _line(p, (1.5, 10.5), (5, 10.5), (6, 12), (10, 12), (11, 10.5), (14.5, 10.5))


def get_mail(p: QPainter) -> None:
    _tray(p)
    _line(p, (8, 1.5), (8, 8.5))
    _arrow_head(p, (8, 8.5), -90)


def outbox(p: QPainter) -> None:
    _tray(p)
    _line(p, (8, 8.5), (8, 1.5))
    _arrow_head(p, (8, 1.5), 90)


def write(p: QPainter) -> None:
    # A pencil over a line of writing.
    path = QPainterPath(QPointF(3, 13))
    path.lineTo(QPointF(3.6, 10.4))
    path.lineTo(QPointF(11, 3))
    path.lineTo(QPointF(13, 5))
    path.lineTo(QPointF(5.6, 12.4))
    path.closeSubpath()
    p.drawPath(path)
    _line(p, (9.6, 4.4), (11.6, 6.4))
    _line(p, (8, 14.5), (14.5, 14.5))


def _curved_arrow(p: QPainter, leftwards: bool, y_shift: float = 0.0) -> None:
    path = QPainterPath()
    if leftwards:
        path.moveTo(QPointF(14, 13 + y_shift))
        path.cubicTo(QPointF(14, 8 + y_shift), QPointF(11, 6 + y_shift), QPointF(3, 6 + y_shift))
        p.drawPath(path)
        _arrow_head(p, (3, 6 + y_shift), 180, 3.2)
    else:
        path.moveTo(QPointF(2, 13 + y_shift))
        path.cubicTo(QPointF(2, 8 + y_shift), QPointF(5, 6 + y_shift), QPointF(13, 6 + y_shift))
        p.drawPath(path)
        _arrow_head(p, (13, 6 + y_shift), 0, 3.2)


def reply(p: QPainter) -> None:
    _curved_arrow(p, leftwards=True)


def reply_all(p: QPainter) -> None:
    path = QPainterPath(QPointF(14.5, 13))
    path.cubicTo(QPointF(14.5, 8), QPointF(12, 6), QPointF(6.5, 6))
    p.drawPath(path)
    _arrow_head(p, (6.5, 6), 180, 3.2)
    _arrow_head(p, (2, 6), 180, 3.2)


def forward(p: QPainter) -> None:
    _curved_arrow(p, leftwards=False)


def delete(p: QPainter) -> None:
    _line(p, (2, 4), (14, 4))
    _line(p, (6, 4), (6.5, 2), (9.5, 2), (10, 4))
    _line(p, (3.5, 4), (4.5, 14.5), (11.5, 14.5), (12.5, 4))
    _line(p, (6.5, 7), (6.7, 12))
    _line(p, (9.5, 7), (9.3, 12))


def undo(p: QPainter) -> None:
    path = QPainterPath(QPointF(4, 6))
    path.lineTo(QPointF(10, 6))
    path.cubicTo(QPointF(16, 6), QPointF(16, 14), QPointF(10, 14))
    path.lineTo(QPointF(5, 14))
    p.drawPath(path)
    _arrow_head(p, (3, 6), 180, 3.2)


def send(p: QPainter) -> None:
    # A paper plane.
    path = QPainterPath(QPointF(1.5, 7.5))
    path.lineTo(QPointF(14.5, 2))
    path.lineTo(QPointF(10, 14))
    path.lineTo(QPointF(7.5, 9))
    path.closeSubpath()
    p.drawPath(path)
    _line(p, (7.5, 9), (14.5, 2))


def _folder(p: QPainter) -> None:
    path = QPainterPath(QPointF(1.5, 13.5))
    path.lineTo(QPointF(1.5, 3))
    path.lineTo(QPointF(6, 3))
    path.lineTo(QPointF(7.5, 4.8))
    path.lineTo(QPointF(14.5, 4.8))
    path.lineTo(QPointF(14.5, 13.5))
    path.closeSubpath()
    p.drawPath(path)


def folder(p: QPainter) -> None:
    _folder(p)
    _line(p, (1.5, 6.8), (14.5, 6.8))


def save(p: QPainter) -> None:
    _folder(p)
    _line(p, (8, 6.5), (8, 11.5))
    _arrow_head(p, (8, 11.5), -90, 2.6)


def folder_new(p: QPainter) -> None:
    _folder(p)
    _line(p, (8, 7), (8, 12))
    _line(p, (5.5, 9.5), (10.5, 9.5))


def open_message(p: QPainter) -> None:
    # An opened envelope.
    _line(p, (1.5, 7), (8, 2.5), (14.5, 7))
    p.drawRect(QRectF(1.5, 7, 13, 7))
    _line(p, (1.5, 7), (8, 11), (14.5, 7))


def source(p: QPainter) -> None:
    _line(p, (5, 4), (1.5, 8), (5, 12))
    _line(p, (11, 4), (14.5, 8), (11, 12))
    _line(p, (9.3, 2.5), (6.7, 13.5))


def find(p: QPainter) -> None:
    p.drawEllipse(QRectF(2, 2, 8.5, 8.5))
    _line(p, (9.3, 9.3), (14.5, 14.5))


def help_(p: QPainter) -> None:
    p.drawEllipse(QRectF(1.5, 1.5, 13, 13))
    path = QPainterPath(QPointF(5.8, 6.2))
    path.cubicTo(QPointF(5.8, 3.5), QPointF(10.2, 3.5), QPointF(10.2, 6.2))
    path.cubicTo(QPointF(10.2, 8), QPointF(8, 8), QPointF(8, 9.8))
    p.drawPath(path)
    p.drawPoint(QPointF(8, 12))


def cancel(p: QPainter) -> None:
    p.drawEllipse(QRectF(1.5, 1.5, 13, 13))
    _line(p, (5.5, 5.5), (10.5, 10.5))
    _line(p, (10.5, 5.5), (5.5, 10.5))


def settings(p: QPainter) -> None:
    # Three sliders.
    for y, knob in ((4, 10.5), (8, 5), (12, 9)):
        _line(p, (1.5, y), (knob - 1.6, y))
        _line(p, (knob + 1.6, y), (14.5, y))
        p.drawEllipse(QPointF(knob, y), 1.6, 1.6)


def attach(p: QPainter) -> None:
    path = QPainterPath(QPointF(10.5, 5.0))
    path.lineTo(QPointF(10.5, 11.5))
    path.arcTo(QRectF(5.5, 9.0, 5.0, 5.0), 0, -180)
    path.lineTo(QPointF(5.5, 3.5))
    path.arcTo(QRectF(5.5, 1.5, 3.5, 3.5), 180, -180)
    path.lineTo(QPointF(9.0, 11.0))
    path.arcTo(QRectF(7.0, 10.0, 2.0, 2.0), 0, -180)
    path.lineTo(QPointF(7.0, 5.0))
    p.drawPath(path)


def image(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(1.5, 2.5, 13, 11), 1, 1)
    _line(p, (2, 12), (6, 7.5), (9, 10.5), (11, 8.5), (14, 11.5))
    p.drawEllipse(QPointF(10.8, 5.6), 1.2, 1.2)


def import_(p: QPainter) -> None:
    _line(p, (4, 6), (1.5, 6), (1.5, 14.5), (14.5, 14.5), (14.5, 6), (12, 6))
    _line(p, (8, 1), (8, 10.5))
    _arrow_head(p, (8, 10.5), -90, 2.8)


def export(p: QPainter) -> None:
    _line(p, (4, 6), (1.5, 6), (1.5, 14.5), (14.5, 14.5), (14.5, 6), (12, 6))
    _line(p, (8, 11), (8, 1.5))
    _arrow_head(p, (8, 1.5), 90, 2.8)


def move(p: QPainter) -> None:
    _folder(p)
    _line(p, (4.5, 9.5), (11, 9.5))
    _arrow_head(p, (11, 9.5), 0, 2.6)


def copy(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(5, 5, 9.5, 9.5), 1, 1)
    _line(p, (11, 5), (11, 1.5), (1.5, 1.5), (1.5, 11), (5, 11))


def rename(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(1.5, 4.5, 13, 7), 1, 1)
    _line(p, (3.5, 8), (7.5, 8))
    _line(p, (10.5, 2.5), (10.5, 13.5))
    _line(p, (9, 2.5), (12, 2.5))
    _line(p, (9, 13.5), (12, 13.5))


def envelope(p: QPainter) -> None:
    _envelope(p)


GLYPHS: dict[str, Draw] = {
    "mail-receive": get_mail,
    "mail-send-receive": get_mail,
    "mail-message-new": write,
    "mail-reply-sender": reply,
    "mail-reply-all": reply_all,
    "mail-forward": forward,
    "edit-delete": delete,
    "edit-undo": undo,
    "mail-send": send,
    "document-save": save,
    "document-open": open_message,
    "text-x-generic": source,
    "edit-find": find,
    "help-contents": help_,
    "help-about": help_,
    "process-stop": cancel,
    "preferences-system": settings,
    "mail-attachment": attach,
    "image-x-generic": image,
    "folder": folder,
    "folder-new": folder_new,
    "mail-outbox": outbox,
    "document-import": import_,
    "document-export": export,
    "go-jump": move,
    "edit-copy": copy,
    "edit-rename": rename,
    "mail-unread": envelope,
}


class GlyphEngine(QIconEngine):
    """Paints one glyph when Qt asks, in the palette's colour for the icon's mode."""

    def __init__(self, draw: Draw) -> None:
        super().__init__()
        self._draw = draw

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        palette = QGuiApplication.palette()
        group = (
            QPalette.ColorGroup.Disabled
            if mode == QIcon.Mode.Disabled
            else QPalette.ColorGroup.Normal
        )
        role = (
            QPalette.ColorRole.HighlightedText
            if mode == QIcon.Mode.Selected
            else QPalette.ColorRole.WindowText
        )
        color = QColor(palette.color(group, role))
        side = min(rect.width(), rect.height())
        scale = side / 16
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(
            rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2
        )
        painter.scale(scale, scale)
        pen = QPen(color, 1.3)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        self._draw(painter)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return GlyphEngine(self._draw)


def icon(name: str) -> QIcon | None:
    """The drawn icon for a freedesktop icon name, or None when there is none."""
    draw = GLYPHS.get(name)
    return QIcon(GlyphEngine(draw)) if draw is not None else None
