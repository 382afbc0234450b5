"""``pymailgui --screenshots DIR``: the real windows through a fixed script, saved as PNGs.

The script runs on a private demo account (a fresh temporary ``PYMAILGUI_HOME``, the
project's demo servers on 127.0.0.1), so nothing of the user's is read or changed:

1. ``inbox-first.png`` and ``inbox-first-dark.png``: the inbox at the first start,
   before Get Mail (the list area says it is not loaded yet); ``inbox.png``: the inbox
   after Get Mail;
2. ``viewer.png``: a message being read;
3. ``viewer-html.png``: the HTML newsletter with its remote content blocked;
4. ``undo.png``: the undo bar after a delete (then undone: nothing is deleted);
5. ``sync-notice.png``: another client deletes a message, the user opens it, and the
   synchronization notice explains why nothing was shown (over the updated inbox);
6. ``compose.png``: a compose window with two attachments;
7. ``folders.png``: the folder window on a folder of saved messages;
8. ``settings-test.png``: the account settings after a Test connection that failed
   (a server name that does not exist, a port where nothing listens);
9. ``compose-failed.png`` and ``outbox.png``: a send while the SMTP server is down -
   the window stays open with the error, and the message waits in Outbox;
10. ``help.png``: the help window; ``about.png``: the About box;
11. ``inbox-dark.png`` and ``viewer-dark.png``: the same windows in the dark scheme.

Every step waits for the real signal it needs (a job finished, a message parsed), with
a timeout: a step that does not happen fails the script instead of saving a wrong
picture.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pymailgui import paths
from pymailgui.gui.capture import ScriptFailed
from pymailgui.gui.script import ScreenshotScript


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
