"""Attachments Open in the real view window: only a private read-only copy under
paths.opened_parts_dir() reaches the desktop, never a path named by the mail, and
nothing that could run (also disguised)."""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl

from pymailgui import paths
from tests.gui.support import WAIT_MS, get_mail, handed_to_desktop, open_by_enter

RLO = "\u202e"
PARTS = [
    # (declared type, file name from the mail, opened?)
    ("application/pdf", "report.pdf", True),
    ("text/plain", "../../../../tmp/notes.txt", True),  # reduced to a base name
    ("image/png", "/etc/cron.d/photo.png", True),
    ("application/pdf", "invoice.pdf.exe", False),
    ("application/pdf", f"invoice{RLO}fdp.exe", False),  # shown as "invoiceexe.pdf"
    ("text/plain", "x.desktop", False),
    ("application/x-sh", "run.sh", False),
    ("text/plain", "setup.sh", False),
    ("application/x-msdownload", "photo.png", False),
    ("text/html", "page.html", False),
    ("image/svg+xml", "logo.svg", False),
]


def message() -> bytes:
    head = (
        "From: Mallory <m@example.com>\r\nTo: alice@example.com\r\nSubject: parts\r\n"
        "Date: Thu, 26 Nov 2026 10:00:00 +0000\r\nMessage-ID: <parts@example.com>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n"
    )
    body = ""
    for i, (ctype, name, _) in enumerate(PARTS):
        data = base64.b64encode(f"part {i}\n".encode()).decode()
        body += (
            f"--b\r\nContent-Type: {ctype}\r\nContent-Transfer-Encoding: base64\r\n"
            f"Content-Disposition: attachment; filename*=utf-8''{_quote(name)}\r\n\r\n"
            f"{data}\r\n"
        )
    return (head + body + "--b--\r\n").encode()


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


@pytest.fixture
def handed() -> Iterator[list[str]]:
    """What would have been handed to the desktop (xdg-open), in order."""
    with handed_to_desktop("file") as urls:
        yield urls


def test_open_hands_only_private_read_only_copies_of_safe_types(open_inbox, qtbot, handed):
    opened = open_inbox([message()])
    window = opened.window
    get_mail(qtbot, window)
    viewer = open_by_enter(qtbot, window, "parts")
    qtbot.waitUntil(lambda: viewer.prepared is not None, timeout=WAIT_MS)
    pane = viewer.parts
    listed = [a.filename for a in viewer.prepared.view.attachments]
    assert len(listed) == len(PARTS)
    private = paths.opened_parts_dir().resolve()
    statuses: list[str] = []
    pane.status.connect(statuses.append)
    for row, (_ctype, _name, safe) in enumerate(PARTS):
        pane.list.setCurrentRow(row)
        assert pane.open_button.isEnabled() == safe, PARTS[row]
        before = len(handed)
        if safe:
            qtbot.mouseClick(pane.open_button, Qt.MouseButton.LeftButton)
        else:  # a double-click still asks: it must refuse like the disabled button
            pane.list.itemDoubleClicked.emit(pane.list.item(row))
        if not safe:
            assert len(handed) == before, PARTS[row]
            assert "is not opened from here" in statuses[-1]
            continue
        assert len(handed) == before + 1, PARTS[row]
        path = Path(QUrl(handed[-1]).toLocalFile())
        assert path.resolve().is_relative_to(private)
        assert path.read_bytes() == f"part {row}\n".encode()
        mode = path.stat().st_mode
        assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        assert not mode & (stat.S_IRWXG | stat.S_IRWXO)  # private
        assert "/" not in path.name and not path.name.startswith(".")
    names = [Path(QUrl(u).toLocalFile()).name for u in handed]
    assert names == ["report.pdf", "notes.txt", "photo.png"]
    assert not Path("/tmp/notes.txt").exists() or os.stat("/tmp/notes.txt").st_size != 7


def test_what_is_handed_over_is_judged_again_by_its_own_name(tmp_path):
    from pymailgui.gui.partspane import _private_copy
    from pymailgui.message import PartInfo

    pdf = PartInfo(0, "application/pdf", "a.pdf", 3, "attachment", True)
    good = tmp_path / "a.pdf"
    good.write_bytes(b"pdf")
    renamed = tmp_path / "a.pdf.desktop"
    renamed.write_bytes(b"pdf")
    link = tmp_path / "b.pdf"
    link.symlink_to(good)
    outside = tmp_path.parent / "c.pdf"
    assert _private_copy(good, tmp_path, pdf)
    assert not _private_copy(renamed, tmp_path, pdf)
    assert not _private_copy(link, tmp_path, pdf)
    assert not _private_copy(outside, tmp_path, pdf)
