"""HTML mail views: no network request, no local file read, remote images only on Show."""

from __future__ import annotations

import base64
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage

from pymailgui.gui import blocked
from pymailgui.gui.htmlview import SafeHtmlView
from tests.gui.support import (
    WAIT_MS,
    get_mail,
    handed_to_desktop,
    open_by_enter,
    settle,
    visible_boxes,
)

PNG_1PX_RED = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


class _Counting(http.server.BaseHTTPRequestHandler):
    image = b""

    def do_GET(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.image)))
        self.end_headers()
        self.wfile.write(self.image)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web() -> Iterator[http.server.ThreadingHTTPServer]:
    """A local HTTP server on 127.0.0.1 that counts every connection and request."""
    red = QImage(60, 40, QImage.Format.Format_RGB32)
    red.fill(QColor("red"))
    path = Path(os.environ["PYMAILGUI_HOME"]) / "red.png"
    red.save(str(path))
    _Counting.image = path.read_bytes()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    server.hits = []  # type: ignore[attr-defined]
    connections: list[object] = []
    original = server.get_request

    def counting() -> tuple[object, object]:
        got = original()
        connections.append(got[1])
        return got

    server.get_request = counting  # type: ignore[method-assign]
    server.connections = connections  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def red_pixels(view: SafeHtmlView) -> int:
    image = view.viewport().grab().toImage()
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if c.red() > 200 and c.green() < 60 and c.blue() < 60:
                count += 1
    return count


def newsletter(base: str) -> bytes:
    html = (
        f'<html><body><h1>News</h1><img src="{base}/banner.png" width="60" height="40">'
        f'<p style="background:url({base}/bg.png)">Hello</p>'
        f'<img src="{base}/pixel.gif?u=1" width="1" height="1">'
        f'<a href="{base}/read">Read more</a></body></html>'
    )
    return (
        "From: News <news@example.com>\r\nTo: alice@example.com\r\nSubject: Newsletter\r\n"
        "Date: Thu, 26 Nov 2026 10:00:00 +0000\r\nMessage-ID: <n1@example.com>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n"
    ).encode()


def test_html_message_makes_no_request_until_show_then_only_for_this_message(
    open_inbox, qtbot, web
):
    base = f"http://127.0.0.1:{web.server_address[1]}"
    opened = open_inbox([newsletter(base), newsletter(base).replace(b"Newsletter", b"Second")])
    window = opened.window
    get_mail(qtbot, window)
    viewer = open_by_enter(qtbot, window, "Newsletter")
    settle(qtbot, 300)
    assert web.connections == []  # nothing fetched by opening it
    assert viewer.remote_bar.isVisible()
    assert "Remote content blocked (2 references to 127.0.0.1)" in viewer.remote_bar.text
    assert red_pixels(viewer.html) == 0
    qtbot.mouseClick(viewer.show_remote_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: viewer.html.remote_count == 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: red_pixels(viewer.html) > 100, timeout=WAIT_MS)
    assert sorted(web.hits) == ["/banner.png", "/pixel.gif?u=1"]  # CSS url() never
    hits = len(web.connections)
    other = open_by_enter(qtbot, window, "Second")
    settle(qtbot, 300)
    assert len(web.connections) == hits  # Show was for that message only
    assert other.remote_bar.isVisible() and red_pixels(other.html) == 0


def test_view_reads_no_local_file_not_even_a_fifo(qtbot, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    canary = tmp_path / "canary.png"
    red = QImage(60, 40, QImage.Format.Format_RGB32)
    red.fill(QColor("red"))
    red.save(str(canary))
    opened_by_someone = threading.Event()
    finished = threading.Event()

    def writer() -> None:
        # Blocks until a reader opens the FIFO; a stock QTextBrowser would, and hang.
        fd = os.open(fifo, os.O_WRONLY)
        if not finished.is_set():
            opened_by_someone.set()
        os.close(fd)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    view = SafeHtmlView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    view.show_html(
        f'<p>x</p><img src="file://{fifo}"><img src="{canary}"><img src="canary.png">'
        f'<img src="file://{canary}"><link rel="stylesheet" href="file://{canary}">'
        f'<img src="http://127.0.0.1:9/x.png">'
    )
    view.setSearchPaths([str(tmp_path)])  # even with a search path, nothing is read
    view.show_html(view.toHtml())
    settle(qtbot, 200)
    assert not opened_by_someone.is_set()
    assert red_pixels(view) == 0
    assert any("fifo" in r for r in view.requests)  # asked, and answered with nothing
    finished.set()
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # release the writer thread
    thread.join(5)
    os.close(fd)


def test_data_images_show_and_oversized_ones_do_not(qtbot):
    view = SafeHtmlView()
    qtbot.addWidget(view)
    view.resize(300, 200)
    view.show()
    red = QImage(60, 40, QImage.Format.Format_RGB32)
    red.fill(QColor("red"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    red.save(buffer, "PNG")
    encoded = base64.b64encode(bytes(data)).decode()
    view.show_html(f'<img src="data:image/png;base64,{encoded}">')
    settle(qtbot, 100)
    assert red_pixels(view) > 100
    view.show_html(f'<img src="data:text/html;base64,{encoded}">')
    settle(qtbot, 100)
    assert red_pixels(view) == 0


def test_a_link_click_shows_the_real_target_and_asks_first(open_inbox, qtbot, web):
    base = f"http://127.0.0.1:{web.server_address[1]}"
    opened = open_inbox([newsletter(base)])
    get_mail(qtbot, opened.window)
    viewer = open_by_enter(qtbot, opened.window, "Newsletter")
    with handed_to_desktop("http") as handed:
        view = viewer.html
        found = view.document().find("Read more")
        found.setPosition(found.selectionStart() + 2)
        where = view.cursorRect(found).center()
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.waitUntil(lambda: bool(visible_boxes("link_prompt")), timeout=WAIT_MS)
        prompt = visible_boxes("link_prompt")[0]
        assert f"{base}/read" in prompt.informativeText()
        assert handed == []  # nothing opened before the answer
        prompt.button(prompt.StandardButton.Open).click()
        qtbot.waitUntil(lambda: handed == [f"{base}/read"], timeout=WAIT_MS)
        assert web.connections == []  # handed to the desktop's browser, not fetched here


def test_a_blocked_remote_image_leaves_a_small_badge_not_a_blank_area(qtbot):
    view = SafeHtmlView()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    # The sanitizer's output for a blocked banner and a tracking pixel: src gone, sizes kept.
    view.show_html(
        '<p>Top</p><img alt="The Weekly banner" width="640" height="180">'
        '<img style="display:none" width="1" height="1" alt=""><p>Bottom</p>'
    )
    settle(qtbot, 100)
    assert "x-blocked:0" in view.requests and "x-blocked:1" not in view.requests
    # The banner's 180 px are not reserved: the whole document is a few lines high.
    assert view.document().size().height() < 120
    image = view.viewport().grab().toImage()
    grey = QColor("#f1f3f4")
    assert any(
        image.pixelColor(x, y) == grey for y in range(image.height()) for x in range(0, 200, 3)
    )
    # An image that still has its source (cid:, data:, allowed remote) is left as it is.
    kept = '<img src="cid:logo@x" width="640" height="180">'
    assert blocked.mark(kept) == (kept, [])
