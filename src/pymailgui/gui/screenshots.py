"""``pymailgui --screenshots DIR``: the real windows through a fixed script, saved as PNGs.

The script runs on a private demo account (a fresh temporary ``PYMAILGUI_HOME``, the
project's demo servers on 127.0.0.1), so nothing of the user's is read or changed:

1. ``inbox.png``: the inbox after Get Mail;
2. ``viewer.png``: a message being read;
3. ``viewer-html.png``: the HTML newsletter with its remote content blocked;
4. ``undo.png``: the undo bar after a delete (then undone: nothing is deleted);
5. ``sync-notice.png``: another client deletes a message, the user opens it, and the
   synchronization notice explains why nothing was shown (over the updated inbox);
6. ``help.png``: the help window; ``about.png``: the About box;
7. ``inbox-dark.png`` and ``viewer-dark.png``: the same windows in the dark scheme.

Every step waits for the real signal it needs (a job finished, a message parsed), with
a timeout: a step that does not happen fails the script instead of saving a wrong
picture.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from pymailgui import paths

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


def private_home() -> Path:
    """Point every path at a fresh temporary directory (before anything uses one)."""
    home = Path(tempfile.mkdtemp(prefix="pymailgui-screenshots-"))
    os.environ[paths.ENV_HOME] = str(home)
    return home


def run_script(directory: Path) -> int:
    """Run the script into ``directory``; 0 when every picture was taken.

    The caller has made the paths private (:func:`private_home`).
    """
    directory.mkdir(parents=True, exist_ok=True)
    from pymailgui.gui.script import ScreenshotScript

    script = ScreenshotScript(directory)
    try:
        script.run()
    except ScriptFailed as exc:
        print(f"pymailgui: the screenshot script failed: {exc}.")
        return 1
    finally:
        script.stop()
    for path in script.saved:
        print(path)
    return 0
