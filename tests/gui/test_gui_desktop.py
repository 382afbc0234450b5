"""Desktop integration: ``pymailgui mailto:...`` opens a filled compose window (a header
with CR/LF refused, ``attach=`` ignored and never read, each said in the window), and
``pymailgui --install-desktop`` installs the launcher entry and icon under XDG dirs."""

from __future__ import annotations

import argparse
import configparser
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QUrl

from pymailgui.gui.launcher import Launcher
from tests.gui.support import WAIT_MS, top_level

SRC = Path(__file__).resolve().parents[2] / "src"


def test_a_mailto_link_fills_a_compose_window_and_never_reads_a_file(app, qtbot, gui_home):
    secret = gui_home / "secret.txt"
    secret.write_text("do not send me")
    url = (
        "mailto:bob@example.com,carol@example.com"
        "?cc=dave@example.com"
        "&subject=Hi%0D%0ABcc:%20eve@evil.example"
        "&body=Line%201%0D%0ALine%202"
        f"&attach={QUrl.fromLocalFile(str(secret)).toString()}"
    )
    args = argparse.Namespace(demo=True, config=None, account=None, mailto=url)
    launcher = Launcher(args)
    try:
        assert launcher.start()
        qtbot.waitUntil(lambda: bool(top_level("compose_window")), timeout=WAIT_MS)
        compose = top_level("compose_window")[0]
        assert compose.to.text() == "bob@example.com, carol@example.com"
        assert compose.cc.text() == "dave@example.com"
        assert compose.bcc.text() == ""  # the injected Bcc never became a recipient
        assert compose.subject.text() == ""  # the subject with a line break was refused
        assert compose.body.toPlainText().startswith("Line 1\nLine 2")
        assert compose.attachments.items == [] and compose.attachments.loading == 0
        notice = compose.notice_bar
        assert notice.isVisible()
        assert "line break" in notice.text and "attach" in notice.text
        draft = compose.current_draft()
        assert draft.attachments == [] and "eve@evil.example" not in repr(draft)
        compose.keeper.stop()
        compose._done = True
        compose.close()
    finally:
        launcher.stop()


def test_install_desktop_writes_the_entry_and_the_icon(tmp_path):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYMAILGUI")}
    env.update(XDG_DATA_HOME=str(data), PYTHONPATH=str(SRC), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-bb", "-m", "pymailgui.gui", "--install-desktop"],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    entry = data / "applications" / "pymailgui.desktop"
    icon = data / "icons" / "hicolor" / "scalable" / "apps" / "pymailgui.svg"
    assert entry.exists() and icon.read_text().startswith("<?xml")
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in desktop entries
    parser.read(entry)
    main = parser["Desktop Entry"]
    assert main["MimeType"] == "x-scheme-handler/mailto;"
    assert main["Type"] == "Application" and main["Icon"] == "pymailgui"
    words = main["Exec"].split(" ")
    assert words[-1] == "%u"  # one URL: the mailto: link
    assert Path(words[0]).is_absolute() and Path(words[0]).exists()
    assert main["TryExec"] == words[0]
    assert "xdg-mime default pymailgui.desktop x-scheme-handler/mailto" in done.stdout


def test_exec_quoting_follows_the_desktop_entry_spec():
    from pymailgui.gui.desktopfile import quote_exec

    assert quote_exec("/usr/bin/pymailgui") == "/usr/bin/pymailgui"
    # Reserved characters need double quotes; inside them " ` $ \\ are escaped, and the
    # whole value escapes its backslashes once more.
    assert quote_exec("/home/a b/bin/pymailgui") == '"/home/a b/bin/pymailgui"'
    assert quote_exec('/x/$HOME"/p') == '"/x/\\\\$HOME\\\\"/p"'
