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
from collections.abc import Callable
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

#: Largest inline image decoded (bytes of the encoded file), its largest side and its
#: largest area: 24 million pixels are 96 MB decoded, under the 128 MB Qt is allowed
#: to allocate for one image (app.py). A PNG declaring 50,000 x 50,000 is 30 bytes.
MAX_INLINE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 8000
MAX_IMAGE_PIXELS = 24_000_000
#: Remote images fetched for one message at most.
MAX_REMOTE_IMAGES = 40
_IMAGE_TYPES = re.compile(r"image/(png|gif|jpeg|jpg|webp|bmp)", re.IGNORECASE)
_DATA_URL = re.compile(r"data:(image/[a-z0-9.+-]+);base64,(.*)", re.IGNORECASE | re.DOTALL)

#: A Content-ID (no <>) -> (content type, bytes) of that part of the message, decoded
#: when asked (``message.read.cid_lookup``), None when the message has no such part.
CidLookup = Callable[[str], "tuple[str, bytes] | None"]


def no_parts(_cid: str) -> tuple[str, bytes] | None:
    return None


#: Why an image was not decoded: too large (a pixel bomb), or not an image at all.
TOO_LARGE = "too large"
BROKEN = "broken"


def read_image(data: bytes) -> QImage | str:
    """``data`` as an image, or why not; the declared size is checked from the header
    before anything is decoded, so a pixel bomb never allocates its pixels."""
    if not data:
        return BROKEN
    if len(data) > MAX_INLINE_BYTES:
        return TOO_LARGE
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    size = reader.size()
    if size.isValid() and (
        max(size.width(), size.height()) > MAX_IMAGE_SIDE
        or size.width() * size.height() > MAX_IMAGE_PIXELS
    ):
        return TOO_LARGE
    image = reader.read()
    return BROKEN if image.isNull() else image


def placeholder() -> QImage:
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    return image


class _Fetched(QObject):
    """Carries a fetched image from a pool thread back to the GUI thread."""

    done = Signal(str, object)  # url, QImage or why not (read_image)


class _FetchJob(QRunnable):
    def __init__(self, url: str, sink: _Fetched) -> None:
        super().__init__()
        self.url = url
        self.sink = sink

    def run(self) -> None:
        image: QImage | str = BROKEN
        try:
            image = read_image(remote.fetch_image(self.url))
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
    #: Images left out as too large to decode safely (how many so far in this message).
    too_large = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setSearchPaths([])
        self._cids: CidLookup = no_parts
        self._cid_images: dict[str, QImage | None] = {}
        #: Images refused as too large (their URLs), for this message.
        self.refused: set[str] = set()
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
        self, html: str, cids: CidLookup = no_parts, *, allow_remote: bool = False
    ) -> None:
        if cids is not self._cids:
            self._cids, self._cid_images = cids, {}
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
            image = self._judged(f"data:#{hash(text)}", _data_image(text))
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
        cid = cid.strip("<> ")
        if cid not in self._cid_images:  # decoded once, however often Qt asks
            found = self._cids(cid)
            image: QImage | str | None = None
            if found is not None and _IMAGE_TYPES.fullmatch(found[0]):
                image = read_image(found[1])
            self._cid_images[cid] = self._judged(f"cid:{cid}", image)
        return self._cid_images[cid]

    def _judged(self, url: str, image: QImage | str | None) -> QImage | None:
        if isinstance(image, QImage):
            return image
        if image == TOO_LARGE and url not in self.refused:
            self.refused.add(url)
            self.too_large.emit(len(self.refused))
        return None

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
        elif isinstance(image, str):
            self._judged(url, image)

    def _reload(self) -> None:
        bar = self.verticalScrollBar()
        where = bar.value()
        self.setHtml(self._html)
        bar.setValue(where)
        self.remote_loaded.emit(self.remote_count)


def _data_image(url: str) -> QImage | str | None:
    match = _DATA_URL.fullmatch(url)
    if match is None or not _IMAGE_TYPES.fullmatch(match.group(1)):
        return None
    encoded = match.group(2)
    if len(encoded) > MAX_INLINE_BYTES * 4 // 3 + 4:
        return TOO_LARGE
    try:
        data = base64.b64decode(encoded, validate=False)
    except (binascii.Error, ValueError):
        return None
    return read_image(data)
