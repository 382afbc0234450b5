"""Every hostile HTML case of tests/hostile/test_hostile_html.py through the real view
window and its SafeHtmlView: no connection to a counting HTTP server on 127.0.0.1 until
the user clicks Show (then only the images of that message), every loadResource call
answered by the view itself (file:, a FIFO, relative paths, data: other than images get
a placeholder), nothing executes and no link or form goes anywhere by itself."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QByteArray, Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument

from pymailgui.gui import blocked
from pymailgui.gui.htmlview import SafeHtmlView
from tests.gui.support import WAIT_MS, get_mail, handed_to_desktop, open_by_enter, settle
from tests.hostile import test_hostile_html as hostile
from tests.hostile.test_hostile_html import CASES, Counter
from tests.support.mail import make_message

#: The hostile suite's HTTP server on 127.0.0.1 that counts every connection.
web = hostile.web


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[tuple[Path, threading.Event]]:
    """A FIFO and an event set if anything ever opens it for reading."""
    path = tmp_path / "fifo"
    os.mkfifo(path)
    opened = threading.Event()
    done = threading.Event()

    def writer() -> None:
        fd = os.open(path, os.O_WRONLY)  # blocks until a reader opens the FIFO
        if not done.is_set():
            opened.set()
        os.close(fd)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    yield path, opened
    done.set()
    os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))  # release the writer
    thread.join(5)


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str, Any]]:
    """Every loadResource call of every SafeHtmlView: (type, URL, the answer)."""
    calls: list[tuple[int, str, Any]] = []
    original = SafeHtmlView.loadResource

    def recording(self: SafeHtmlView, kind: int, name: QUrl | str) -> Any:
        answer = original(self, kind, name)
        calls.append((kind, name.toString() if isinstance(name, QUrl) else name, answer))
        return answer

    monkeypatch.setattr(SafeHtmlView, "loadResource", recording)
    return calls


def is_placeholder(answer: Any) -> bool:
    if isinstance(answer, QImage):
        return answer.width() == 1 and answer.height() == 1
    return isinstance(answer, QByteArray) and bytes(answer.data()).strip() == b""


def cases(base: str, fifo: Path) -> dict[str, bytes]:
    host = base.removeprefix("http://")
    made = {}
    for name, html in CASES.items():
        text = html.format(web=base, host=host).replace("/tmp/fifo", str(fifo))
        made[name] = make_message(f"case {name}", text).replace(
            b"Content-Type: text/plain", b"Content-Type: text/html"
        )
    return made


def test_every_hostile_case_in_the_real_viewer_loads_nothing_until_show(
    open_inbox, qtbot, web: Counter, fifo, answers
):
    fifo_path, fifo_opened = fifo
    messages = cases(web.base, fifo_path)
    opened = open_inbox(list(messages.values()))
    window = opened.window
    get_mail(qtbot, window)
    with handed_to_desktop("http", "https", "file", "javascript", "data") as handed:
        for name in messages:
            viewer = open_by_enter(qtbot, window, f"case {name}")
            qtbot.waitUntil(lambda v=viewer: v.prepared is not None, timeout=WAIT_MS)
            settle(qtbot, 50)
            viewer.html.viewport().grab()  # laid out and painted: every resource asked
            assert viewer.body.currentWidget() is viewer.html, name
            viewer.close()
        settle(qtbot, 300)
        assert web.connections == 0, web.paths
        assert not fifo_opened.is_set()
        assert handed == []  # no link, refresh or form went to the desktop by itself
        assert answers, "the views asked for nothing: the recorder is not in the path"
        for kind, url, answer in answers:
            scheme = QUrl(url).scheme().lower()
            if scheme == blocked.SCHEME:
                continue  # the view's own "Image blocked" badge
            if scheme == "data" and url.lower().startswith("data:image/"):
                continue
            assert is_placeholder(answer), (kind, url, answer)


def test_show_fetches_the_images_of_that_message_only(open_inbox, qtbot, web, answers):
    html = (
        f'<img src="{web.base}/allowed.gif" width="8" height="8">'
        f'<iframe src="{web.base}/frame"></iframe>'
        f'<div style="background:url({web.base}/bg)">x</div>'
        f'<link rel=stylesheet href="{web.base}/s">'
        f'<form action="{web.base}/submit"><input name=q><input type=submit></form>'
    )
    first = make_message("allow me", html).replace(b"text/plain", b"text/html")
    other = make_message("not me", html.replace("allowed", "other")).replace(
        b"text/plain", b"text/html"
    )
    opened = open_inbox([first, other])
    window = opened.window
    get_mail(qtbot, window)
    viewer = open_by_enter(qtbot, window, "allow me")
    qtbot.waitUntil(viewer.remote_bar.isVisible, timeout=WAIT_MS)
    second = open_by_enter(qtbot, window, "not me")
    qtbot.waitUntil(second.remote_bar.isVisible, timeout=WAIT_MS)
    settle(qtbot, 200)
    assert web.connections == 0
    qtbot.mouseClick(viewer.show_remote_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: viewer.html.remote_count == 1, timeout=WAIT_MS)
    settle(qtbot, 300)
    second.html.viewport().grab()
    assert web.paths == ["/allowed.gif"]  # no frame, CSS, style sheet, form, other message
    assert web.connections == 1
    remote = [url for kind, url, _ in answers if url.startswith(web.base)]
    assert set(remote) == {f"{web.base}/allowed.gif"}
    image = QTextDocument.ResourceType.ImageResource.value
    assert all(kind == image for kind, url, _ in answers if url.startswith(web.base))


def test_unsanitized_the_view_itself_still_loads_nothing(qtbot, web, fifo, answers):
    # Defense in depth: the core's sanitizer removed the file: and remote URLs above;
    # fed each case's raw HTML, the view alone must still read no file (not even the
    # FIFO, which would hang the GUI thread), connect nowhere and run nothing.
    fifo_path, fifo_opened = fifo
    host = web.base.removeprefix("http://")
    view = SafeHtmlView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    for html in CASES.values():
        view.show_html(html.format(web=web.base, host=host).replace("/tmp/fifo", str(fifo_path)))
        view.viewport().grab()
    settle(qtbot, 300)
    assert web.connections == 0, web.paths
    assert not fifo_opened.is_set()
    asked = [url for _, url, _ in answers]
    assert any(str(fifo_path) in url for url in asked)  # asked, and answered here
    assert any(url.startswith("file:") for url in asked)
    assert any(url == "/etc/hostname" for url in asked)
    for kind, url, answer in answers:
        if QUrl(url).scheme().lower() == blocked.SCHEME:
            continue
        assert is_placeholder(answer), (kind, url, answer)
