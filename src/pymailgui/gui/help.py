"""The help window: the windows, how synchronization keeps you safe, and the shortcuts.

The shortcut table is printed from :mod:`pymailgui.gui.commands`, the same table the
menus are built from, so it cannot drift from what the keys do. The text is our own
HTML shown in the safe view (it loads nothing either).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QWidget

from pymailgui import paths
from pymailgui.gui import commands, settings
from pymailgui.gui.htmlview import SafeHtmlView

SECTIONS = """
<h1>PyMailGUI</h1>
<p>PyMailGUI reads the mail waiting on your POP3 server, sends mail over SMTP and keeps
local folders. It never shows or deletes a message other than the one you picked.</p>

<h2>The windows</h2>
<p><b>The inbox window</b> lists the messages on the server as they were when the list
was last loaded. At start-up it shows that cached list at once, without connecting;
<b>Get Mail</b> (F5) asks the server what changed. New messages are shown in bold.
Click a column title to sort by it; type in the filter box (Ctrl+F) to see only the
messages whose From, To or Subject contain what you type. The status bar says what is
running, with a progress bar and a Cancel button.</p>
<p><b>View windows</b> show one message each; open as many as you like (Enter or a
double-click). The headers always show the real address next to a name, and a red bar
warns when a sender looks like someone else. HTML mail is cleaned of scripts and
forms and shows no remote images: a bar says how many remote references were blocked,
and <b>Show</b> loads them for that message only. Links are never followed by a click
alone: PyMailGUI shows where a link really goes and asks first. Attachments can be
saved; <b>Open</b> works only for documents and pictures that cannot run code.
<b>View Source</b> (Ctrl+U) shows the message exactly as it came from the server.</p>
<p><b>Compose windows</b> (Write, Reply, Reply All, Forward, Forward as Attachment;
as many as you like) complete addresses you have seen as you type them, take
attachments from <b>Attach</b> or dropped on the window, and add your signature.
What you write is saved in Drafts a few seconds after each change, so even a crash
loses only those seconds; closing a window with changes asks whether to keep them.
<b>Send</b> (Ctrl+Enter) puts the message in Outbox first, then hands it to your SMTP
server; the window closes only once the server has accepted it. If it could not be
sent, the window stays open and says why (naming each recipient the server refused),
and the message waits in Outbox.</p>
<p><b>The Outbox</b> (Ctrl+Shift+O) lists what was not sent yet and why; <b>Send
Again</b> tries once more, and the periodic check does it by itself when the server
answers again. A message that may already have arrived (the connection broke after
the whole message was sent) is only sent again when you ask.</p>
<p><b>The folder window</b> (Ctrl+Shift+F) shows your local folders: Saved, Sent,
Drafts, Outbox and your own. Create, rename and delete folders; move or copy messages
with the menu or by dragging them onto a folder (hold Ctrl to copy); import an mbox
file or export a folder as one. <b>Save to Folder</b> (Ctrl+S) in the inbox copies
messages from the server; <b>Save and Delete from Server</b> deletes them there only
once they are safely stored here. A draft opens in a compose window to go on
writing.</p>
<p><b>Account Settings</b> (in the File menu) adds, changes and removes accounts.
Typing the address of a common provider fills in its servers. <b>Test
Connection</b> logs in to both servers and says exactly which step failed: the name,
the connection, the certificate (with who issued it and its fingerprint), or the
login. For a server whose certificate comes from an authority this computer does not
know, you may trust that one certificate, after comparing its fingerprint; a
certificate for another name or an expired one is never accepted. Passwords go to the
system keyring, never into the settings file; without a keyring PyMailGUI asks once
per session.</p>
<p><b>New mail</b>: set "Check for new mail" in the account settings and PyMailGUI
looks every few minutes, shows the number of unread messages in the window title and
tells the desktop (a notification you can click to bring the inbox forward).</p>

<h2>Deleting, and undo</h2>
<p>Delete removes the messages from the list at once and shows a bar with
<b>Undo</b> for a few seconds. Only then is the server asked to delete them. If the
server does not confirm the deletion (for example the connection breaks before it
answers), nothing was deleted: the messages come back into the list and PyMailGUI
says so.</p>

<h2>Synchronization: why PyMailGUI sometimes refuses</h2>
<p>POP3 servers number messages 1, 2, 3… and those numbers change whenever any program
(your phone, webmail) deletes mail. PyMailGUI identifies every message by its unique id
(UIDL), or where the server has none by its headers and size, and before it downloads or
deletes a message it checks, in the same connection, that the message under that number
is really the one you picked. A deletion counts only when the server has acknowledged
the end of the session (QUIT).</p>
<p>When another program changed the inbox in a way that makes your request unsafe (the
message is gone, or it can no longer be told apart from a look-alike), PyMailGUI does
nothing, says so in plain words, and loads the list again, keeping your place. A view
window whose message was deleted elsewhere stays open and readable and says that the
message is gone from the server.</p>

<h2>Quitting</h2>
<p>If work is still running when you quit, PyMailGUI asks whether to finish it first or
to stop it. Stopping never leaves anything half-done: a deletion the server is already
committing is allowed to complete, anything else is simply not done.</p>
"""


def shortcut_table() -> str:
    rows = "".join(
        f"<tr><td><b>{html.escape(keys)}</b></td><td>{html.escape(name)}</td>"
        f"<td>{html.escape(tip)}</td></tr>"
        for name, keys, tip in commands.shortcut_rows()
    )
    return (
        "<h2>Keyboard shortcuts</h2>"
        '<table cellpadding="4" cellspacing="0" border="0">'
        "<tr><th align='left'>Keys</th><th align='left'>Command</th>"
        f"<th align='left'>What it does</th></tr>{rows}</table>"
    )


def files_section() -> str:
    return (
        "<h2>Where things are</h2><ul>"
        f"<li>Settings file: {html.escape(str(paths.config_file()))} "
        "(the reference is docs/config.md)</li>"
        f"<li>Cached lists and messages: {html.escape(str(paths.cache_db()))}</li>"
        f"<li>Local folders: {html.escape(str(paths.folders_dir()))}</li>"
        f"<li>Logs: {html.escape(str(paths.logs_dir()))}</li></ul>"
    )


class HelpWindow(QMainWindow):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("help_window")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Help")
        self.view = SafeHtmlView(self)
        self.view.setObjectName("help_text")
        self.view.show_html(
            f"<html><body>{SECTIONS}{shortcut_table()}{files_section()}</body></html>"
        )
        self.setCentralWidget(self.view)
        self.addAction(commands.action(self, "close", self.close))
        self.resize(760, 720)
        settings.restore_geometry("help", self)

    def closeEvent(self, event: QCloseEvent) -> None:
        settings.save_geometry("help", self)
        super().closeEvent(event)
