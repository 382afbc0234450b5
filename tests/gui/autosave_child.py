"""The GUI in a child process for the crash test: write in a compose window, then wait.

``python autosave_child.py`` (PYMAILGUI_HOME set by the test) opens the demo account,
types a first part into a new compose window, prints "typed 1", lets the event loop
run for a few seconds longer than the autosave delay, types a second part and prints
"typed 2" - and the test kills it with SIGKILL right then: no close, no save on exit.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pymailgui.demo import start_demo
from pymailgui.gui.app import application
from pymailgui.gui.draftkeeper import AUTOSAVE_SECONDS
from pymailgui.gui.session import Desktop


def run_events(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def main() -> int:
    application()
    demo = start_demo()
    desktop = Desktop(demo.config, demo=demo)
    inbox = desktop.open_account()
    assert inbox is not None
    compose = desktop.writing.compose(inbox.context)
    QTest.keyClicks(compose.to, "bob@example.com")
    QTest.keyClicks(compose.subject, "Crash test")
    compose.body.setFocus()
    QTest.keyClicks(compose.body, "The first part, typed long before the crash.")
    print("typed 1", flush=True)
    run_events(AUTOSAVE_SECONDS + 2)
    QTest.keyClicks(compose.body, " The second part, typed just before it.")
    print("typed 2", flush=True)
    run_events(60)  # the test kills us here
    return 0


if __name__ == "__main__":
    sys.exit(main())
