"""A crash loses at most the last few seconds of typing: the GUI runs in a child process,
writes a message, and is killed with SIGKILL (no close, no exit handler); the draft
autosaved before is in Drafts, and opening it continues the message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from pymailgui.message.drafts import read_draft
from pymailgui.store import DRAFTS
from tests.gui.support import WAIT_MS, activate, top_level
from tests.gui.test_gui_folders import open_folders, pick

HERE = Path(__file__).parent
SRC = HERE.parents[1] / "src"


def test_autosave_survives_a_sigkill_and_the_draft_continues(gui_home, demo, qtbot):
    env = {**os.environ, "PYMAILGUI_HOME": str(gui_home), "QT_QPA_PLATFORM": "offscreen"}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(HERE.parents[1])])
    child = subprocess.Popen(
        [sys.executable, "-bb", str(HERE / "autosave_child.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "typed 1"
        assert child.stdout.readline().strip() == "typed 2"
    finally:
        child.send_signal(signal.SIGKILL)  # a crash: nothing runs after this
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    # This test's own demo desktop reads the same folders.
    _desktop, window = demo
    folders = window.context.mailbox.folders
    kept = folders.rows(DRAFTS)
    assert len(kept) == 1
    draft = read_draft(folders.get(DRAFTS, kept[0].key))
    assert draft.subject == "Crash test" and draft.to == ["bob@example.com"]
    assert draft.body.startswith("The first part, typed long before the crash.")
    folder_window = open_folders(qtbot, window)
    pick(qtbot, folder_window, DRAFTS)
    activate(qtbot, folder_window)
    folder_window.table.selectRow(0)
    folder_window.table.setFocus()
    qtbot.keyClick(folder_window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(top_level("compose_window")), timeout=WAIT_MS)
    compose = top_level("compose_window")[0]
    assert compose.body.toPlainText().startswith("The first part")
    assert compose.store.kept == kept[0].key  # saving replaces that draft
    compose.body.moveCursor(compose.body.textCursor().MoveOperation.End)
    compose.save_draft()
    assert len(folders.rows(DRAFTS)) == 1
