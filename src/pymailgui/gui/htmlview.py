"""The HTML mail view: a ``QTextBrowser`` that loads nothing but what the message carries.

A stock ``QTextBrowser`` reads ``file:`` URLs and bare local paths from the HTML, and an
``<img src="file:///path/to/a/fifo">`` hangs the GUI thread in ``open()`` (holding the
GIL). Overriding ``loadResource`` is not enough by itself: measured with Qt 6.12, when
the override answers nothing, ``QTextDocument`` falls back to reading the file itself.
So every request gets an answer here: the message's own ``cid:`` parts (images, size
capped), ``data:`` images (size capped), remote images only after the user allowed
them for this message and fetched by :mod:`pymailgui.gui.remote`, a small "Image
blocked" badge where a remote image was left out (:mod:`pymailgui.gui.blocked`) - and
an empty placeholder for everything else, so Qt never looks further.

Links are never followed by the view (``setOpenLinks(False)``); a click is reported
with the real target and the window asks before handing it to the desktop.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QRunnable,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QImageReader, QPalette, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

from pymailgui.gui import blocked, remote

log = logging.getLogger(__name__)

#: Largest inline image decoded (bytes of the encoded file) and its largest side.
MAX_INLINE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 8000
#: Remote images fetched for one message at most.
MAX_REMOTE_IMAGES = 40
_IMAGE_TYPES = re.compile(r"image/(png|gif|jpeg|jpg|webp|bmp)", re.IGNORECASE)
_DATA_URL = re.compile(r"data:(image/[a-z0-9.+-]+);base64,(.*)", re.IGNORECASE | re.DOTALL)

#: ``{content-id: (content type, bytes)}`` of the message's parts.
CidParts = dict[str, tuple[str, bytes]]


def decode_image(data: bytes) -> QImage | None:
    """``data`` as an image, refusing oversized ones before decoding (no pixel bombs)."""
    if not data or len(data) > MAX_INLINE_BYTES:
        return None
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > MAX_IMAGE_SIDE:
        return None
    image = reader.read()
    return None if image.isNull() else image


def placeholder() -> QImage:
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    return image


class _Fetched(QObject):
    """Carries a fetched image from a pool thread back to the GUI thread."""

    done = Signal(str, object)  # url, QImage or None


class _FetchJob(QRunnable):
    def __init__(self, url: str, sink: _Fetched) -> None:
        super().__init__()
        self.url = url
        self.sink = sink

    def run(self) -> None:
        image: QImage | None = None
        try:
            image = decode_image(remote.fetch_image(self.url))
        except remote.RemoteRefused as exc:
            log.info("remote image not shown: %s", exc)
        try:
            self.sink.done.emit(self.url, image)
        except RuntimeError:
            pass  # the window was closed meanwhile


class SafeHtmlView(QTextBrowser):
    """Shows one message's sanitized HTML; asks the window before following a link."""

    #: The user clicked a link: its real target.
    link_requested = Signal(QUrl)
    #: Remote images were fetched (how many so far), after the user allowed them.
    remote_loaded = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setSearchPaths([])
        self._cids: CidParts = {}
        self._allow_remote = False
        self._remote: dict[str, QImage | None] = {}
        self._html = ""
        self._blocked: list[str] = []
        self._fetched = _Fetched(self)
        self._fetched.done.connect(self._on_fetched)
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(100)
        self._relayout.timeout.connect(self._reload)
        self.anchorClicked.connect(self.link_requested.emit)
        self.requests: list[str] = []  # every URL the document asked for (for diagnostics)
        # Mail is designed for paper: dark text on white, whatever the desktop scheme.
        paper = QPalette(self.palette())
        paper.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
        paper.setColor(QPalette.ColorRole.Text, QColor("#1a1a1a"))
        paper.setColor(QPalette.ColorRole.Link, QColor("#0b57d0"))
        self.setPalette(paper)

    def show_html(
        self, html: str, cids: CidParts | None = None, *, allow_remote: bool = False
    ) -> None:
        self._cids = dict(cids or {})
        self._allow_remote = allow_remote
        if not allow_remote:
            html, self._blocked = blocked.mark(html)
        self._html = html
        self.setHtml(html)

    @property
    def remote_count(self) -> int:
        return sum(1 for image in self._remote.values() if image is not None)

    # -- the one door every resource goes through ---------------------------------------
    def loadResource(self, type: int, name: QUrl | str) -> Any:
        url = name if isinstance(name, QUrl) else QUrl(name)
        text = url.toString()
        self.requests.append(text)
        if type != QTextDocument.ResourceType.ImageResource.value:
            return QByteArray(b" ")  # no style sheets, no markdown includes
        scheme = url.scheme().lower()
        image: QImage | None = None
        if scheme == "data":
            image = _data_image(text)
        elif scheme == "cid":
            image = self._cid_image(url.path() or text[4:])
        elif scheme in ("http", "https") and self._allow_remote:
            image = self._remote_image(text)
        elif scheme == blocked.SCHEME:
            image = self._badge(url.path())
        return image if image is not None else placeholder()

    def _badge(self, which: str) -> QImage | None:
        if not which.isdigit() or int(which) >= len(self._blocked):
            return None
        return blocked.badge(self._blocked[int(which)], self.font(), self.devicePixelRatioF())

    def _cid_image(self, cid: str) -> QImage | None:
        found = self._cids.get(cid.strip("<> "))
        if found is None or not _IMAGE_TYPES.fullmatch(found[0]):
            return None
        return decode_image(found[1])

    def _remote_image(self, url: str) -> QImage | None:
        if url in self._remote:
            return self._remote[url]
        if len(self._remote) >= MAX_REMOTE_IMAGES:
            return None
        self._remote[url] = None  # one fetch per URL, however often Qt asks
        QThreadPool.globalInstance().start(_FetchJob(url, self._fetched))
        return None

    def _on_fetched(self, url: str, image: object) -> None:
        if isinstance(image, QImage):
            self._remote[url] = image
            self._relayout.start()

    def _reload(self) -> None:
        bar = self.verticalScrollBar()
        where = bar.value()
        self.setHtml(self._html)
        bar.setValue(where)
        self.remote_loaded.emit(self.remote_count)


def _data_image(url: str) -> QImage | None:
    match = _DATA_URL.fullmatch(url)
    if match is None or not _IMAGE_TYPES.fullmatch(match.group(1)):
        return None
    encoded = match.group(2)
    if len(encoded) > MAX_INLINE_BYTES * 4 // 3 + 4:
        return None
    try:
        data = base64.b64decode(encoded, validate=False)
    except (binascii.Error, ValueError):
        return None
    return decode_image(data)
