"""Image bombs (a PNG of a few hundred bytes declaring 50,000 x 50,000 pixels) in the
real view window: inline, attached, and remote after Show - never decoded, the window
says so and stays responsive."""

from __future__ import annotations

import base64
import http.server
import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from pymailgui.gui.htmlview import SafeHtmlView
from pymailgui.gui.viewer import ViewerWindow
from pymailgui.message.read import cid_lookup, parse
from pymailgui.message.structure import walk
from tests.gui.support import WAIT_MS, get_mail, open_by_enter, settle
from tests.hostile.horrors import bomb_png, image_bomb


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


# Responsive, not fast (speed is the benches' job): decoding a bomb takes seconds or
# gigabytes; a loaded 2-core CI machine's scheduling gaps reach a few hundred ms.
RESPONSIVE_MS = 2000


def longest_gap_ms(seconds: float) -> float:
    """The longest gap between beats of a 10 ms timer on the GUI thread meanwhile."""
    beats: list[float] = [time.perf_counter()]
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: beats.append(time.perf_counter()))
    timer.start()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QApplication.processEvents()
        time.sleep(0.002)
    timer.stop()
    return max(b - a for a, b in itertools.pairwise(beats)) * 1000


def message(subject: str, content_type: str, body: bytes) -> bytes:
    return (
        f"From: Mallory <m@example.com>\r\nTo: alice@example.com\r\nSubject: {subject}\r\n"
        "Date: Thu, 26 Nov 2026 10:00:00 +0000\r\nMessage-ID: <"
        f"{subject.replace(' ', '.')}@example.com>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode() + body


def attached_bomb() -> bytes:
    png = base64.encodebytes(bomb_png()).replace(b"\n", b"\r\n")
    body = (
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the picture.\r\n"
        b"--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename=holiday.png\r\n\r\n" + png + b"--b--\r\n"
    )
    return message("attached bomb", "multipart/mixed; boundary=b", body)


def remote_bomb(base: str) -> bytes:
    html = f'<p>Hello</p><img src="{base}/bomb.png" width="200" height="100">'
    return message("remote bomb", "text/html; charset=utf-8", html.encode() + b"\r\n")


class _Bomb(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        data = bomb_png()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def bomb_server() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Bomb)
    server.hits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def shown(open_inbox, qtbot, data: bytes, subject: str) -> tuple[ViewerWindow, float]:
    """The view window of ``data`` once parsed, and the resident MB before it opened."""
    window = open_inbox([data]).window
    get_mail(qtbot, window)
    before = rss_mb()
    viewer = open_by_enter(qtbot, window, subject)
    qtbot.waitUntil(lambda: viewer.prepared is not None, timeout=WAIT_MS)
    return viewer, before


def test_inline_bombs_cid_and_data_are_refused_and_the_window_says_so(open_inbox, qtbot):
    viewer, before = shown(open_inbox, qtbot, image_bomb(), "image bomb")
    qtbot.waitUntil(viewer.image_bar.isVisible, timeout=WAIT_MS)
    assert viewer.body.currentWidget() is viewer.html
    assert "look" in viewer.html.toPlainText()
    # The core inlines the cid: part as a data: URL in the sanitized page: both refused.
    assert len(viewer.html.refused) == 2
    assert "2 images of this message were not shown: too large" in viewer.image_bar.text
    assert longest_gap_ms(0.3) < RESPONSIVE_MS
    viewer.html.viewport().grab()  # painting the page decodes nothing either
    assert rss_mb() - before < 150  # decoded, the cid: one alone would be 10 GB


def test_an_attached_bomb_is_listed_not_decoded(open_inbox, qtbot):
    viewer, before = shown(open_inbox, qtbot, attached_bomb(), "attached bomb")
    settle(qtbot, 200)
    names = [a.filename for a in viewer.prepared.view.attachments]
    assert names == ["holiday.png"]
    assert viewer.parts.isVisible()
    assert "See the picture." in viewer.text.toPlainText()
    assert longest_gap_ms(0.3) < RESPONSIVE_MS
    assert rss_mb() - before < 150


def test_a_remote_bomb_after_show_is_fetched_once_and_refused(open_inbox, qtbot, bomb_server):
    base = f"http://127.0.0.1:{bomb_server.server_address[1]}"
    opened = open_inbox([remote_bomb(base)])
    window = opened.window
    get_mail(qtbot, window)
    viewer = open_by_enter(qtbot, window, "remote bomb")
    qtbot.waitUntil(viewer.remote_bar.isVisible, timeout=WAIT_MS)
    settle(qtbot, 200)
    assert bomb_server.hits == []  # nothing until Show
    assert not viewer.image_bar.isVisible()
    before = rss_mb()
    qtbot.mouseClick(viewer.show_remote_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(viewer.image_bar.isVisible, timeout=WAIT_MS)
    assert bomb_server.hits == ["/bomb.png"]
    assert viewer.html.remote_count == 0
    assert "An image of this message was not shown: too large" in viewer.image_bar.text
    assert longest_gap_ms(0.3) < RESPONSIVE_MS
    viewer.html.viewport().grab()
    assert rss_mb() - before < 150
    assert bomb_server.hits == ["/bomb.png"]  # one fetch, however often Qt asks


def test_the_size_is_judged_from_the_header_whatever_the_allocation_limit(qtbot):
    view = SafeHtmlView()
    qtbot.addWidget(view)
    tall = base64.b64encode(bomb_png(10, 9000)).decode()  # one side over the cap
    wide = base64.b64encode(bomb_png(6000, 5000)).decode()  # sides fine, 30 megapixels
    small = base64.b64encode(bomb_png(40, 30)).decode()
    view.show_html(
        f'<img src="data:image/png;base64,{tall}"><img src="data:image/png;base64,{wide}">'
        f'<img src="data:image/png;base64,{small}">'
    )
    view.viewport().grab()
    assert len(view.refused) == 2


def test_a_cid_bomb_asked_by_the_page_is_decoded_on_demand_and_refused(qtbot):
    asked: list[str] = []
    parts = cid_lookup(walk(parse(image_bomb())))

    def lookup(cid: str) -> tuple[str, bytes] | None:
        asked.append(cid)
        return parts(cid)

    view = SafeHtmlView()
    qtbot.addWidget(view)
    view.show_html('<p>x</p><img src="cid:bomb@x"><img src="cid:bomb@x">', lookup)
    view.viewport().grab()
    view.show_html('<p>y</p><img src="cid:bomb@x">', lookup)  # the same message again
    assert view.refused == {"cid:bomb@x"}
    assert asked == ["bomb@x"]  # one lookup, however often Qt asks
    view.show_html('<p>z</p><img src="cid:nothing@x">')
    assert view.refused == {"cid:bomb@x"}
