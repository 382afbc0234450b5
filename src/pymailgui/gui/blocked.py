"""Where a remote image was blocked, a small badge that says so instead of a blank hole.

The core's sanitizer drops the ``src`` of a remote image but keeps its ``width`` and
``height``, so Qt reserved the whole area (a 640 x 180 banner left a large empty gap
above the text). Here every ``<img>`` left without a source becomes a one-line badge
("Image blocked: <alt text>") of its own small size, served by the view under the
``x-blocked:`` scheme; tracking pixels (1 x 1, or hidden) simply disappear.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter

from pymailgui.gui import glyphs

SCHEME = "x-blocked"
#: Longest alt text shown on a badge (characters).
MAX_ALT = 60

_IMG = re.compile(r"<img\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r'([a-zA-Z][\w:-]*)\s*=\s*"([^"]*)"')
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _tiny(attrs: dict[str, str]) -> bool:
    sizes = [attrs.get(name, "").strip().rstrip("px") for name in ("width", "height")]
    return any(s.isdigit() and int(s) <= 2 for s in sizes) or bool(
        _HIDDEN.search(attrs.get("style", ""))
    )


def mark(html: str) -> tuple[str, list[str]]:
    """``html`` with each source-less ``<img>`` replaced by a badge reference.

    Returns the new document and the alt texts, the n-th badge being ``x-blocked:n``.
    """
    alts: list[str] = []

    def replace(match: re.Match[str]) -> str:
        attrs = {k.lower(): v for k, v in _ATTR.findall(match.group(1))}
        if "src" in attrs:
            return match.group(0)
        if _tiny(attrs):
            return ""
        alts.append(attrs.get("alt", ""))
        title = "A remote image was blocked; Show on the bar above loads it."
        return f'<img src="{SCHEME}:{len(alts) - 1}" title="{title}">'

    return _IMG.sub(replace, html), alts


def badge(alt: str, font: QFont, ratio: float = 1.0) -> QImage:
    """A small framed picture: an image glyph and "Image blocked: alt"."""
    alt = " ".join(alt.split())
    if len(alt) > MAX_ALT:
        alt = alt[: MAX_ALT - 1] + "…"
    text = f"Image blocked: {alt}" if alt else "Image blocked"
    small = QFont(font)
    small.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
    metrics = QFontMetrics(small)
    height = metrics.height() + 8
    width = metrics.horizontalAdvance(text) + height + 12
    image = QImage(round(width * ratio), round(height * ratio), QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(ratio)
    image.fill(QColor("#f1f3f4"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    ink = QColor("#5f6368")
    painter.setPen(QColor("#c4c7c5"))
    painter.drawRect(QRectF(0.5, 0.5, width - 1, height - 1))
    side = height - 8
    painter.save()
    painter.translate(4, 4)
    painter.scale(side / 16, side / 16)
    pen = painter.pen()
    pen.setColor(ink)
    pen.setWidthF(1.3)
    painter.setPen(pen)
    glyphs.image(painter)
    painter.restore()
    painter.setPen(ink)
    painter.setFont(small)
    painter.drawText(
        QRectF(height + 4, 0, width - height - 6, height),
        int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
        text,
    )
    painter.end()
    return image
