"""Every user command declared once: its text, shortcuts and help line.

Windows build their menu, toolbar and ``QAction``s from this table, and the help window
prints its shortcut list from it, so the shortcuts a user reads are the ones that work.
They are the ones people know from Thunderbird.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QMainWindow, QToolBar, QWidget

from pymailgui.gui import icons


@dataclass(frozen=True)
class Command:
    id: str
    text: str  # with & for the mnemonic
    shortcuts: tuple[str, ...] = ()
    tip: str = ""
    icon: str = ""  # a freedesktop icon name

    @property
    def plain(self) -> str:
        return self.text.replace("&", "")


COMMANDS: dict[str, Command] = {
    c.id: c
    for c in (
        Command(
            "get", "&Get Mail", ("F5",), "Check the server for new and removed mail", "mail-receive"
        ),
        Command("write", "&Write", ("Ctrl+N",), "Write a new message", "mail-message-new"),
        Command(
            "open",
            "&Open",
            ("Return", "Enter"),
            "Open the selected messages in windows",
            "document-open",
        ),
        Command(
            "source",
            "View &Source",
            ("Ctrl+U",),
            "Show the message exactly as the server sent it",
            "text-x-generic",
        ),
        Command("reply", "&Reply", ("Ctrl+R",), "Reply to the sender", "mail-reply-sender"),
        Command(
            "reply_all",
            "Reply &All",
            ("Ctrl+Shift+R",),
            "Reply to the sender and every recipient",
            "mail-reply-all",
        ),
        Command("forward", "&Forward", ("Ctrl+L",), "Forward the message", "mail-forward"),
        Command(
            "delete",
            "&Delete",
            ("Del",),
            "Delete the selected messages from the server (with undo)",
            "edit-delete",
        ),
        Command(
            "undo_delete",
            "&Undo Delete",
            ("Ctrl+Z",),
            "Put back the messages waiting to be deleted",
            "edit-undo",
        ),
        Command(
            "save",
            "Save to &Folder…",
            ("Ctrl+S",),
            "Copy the messages into a local folder",
            "document-save",
        ),
        Command("select_all", "Select &All", ("Ctrl+A",), "Select every message in the list"),
        Command(
            "filter",
            "&Filter",
            ("Ctrl+F",),
            "Narrow the list to From, To or Subject containing a text",
            "edit-find",
        ),
        Command(
            "cancel",
            "&Cancel Task",
            (),
            "Stop what is running (nothing half-done is left)",
            "process-stop",
        ),
        Command(
            "help",
            "PyMailGUI &Help",
            ("F1",),
            "How the windows and synchronization work",
            "help-contents",
        ),
        Command("about", "&About PyMailGUI", (), "Versions and license", "help-about"),
        Command("close", "&Close Window", ("Ctrl+W",), "Close this window", "window-close"),
        Command(
            "quit",
            "&Quit",
            ("Ctrl+Q",),
            "Quit PyMailGUI (asks first when work is running)",
            "application-exit",
        ),
        Command(
            "show_remote",
            "Show &Remote Content",
            (),
            "Load this message's remote images",
            "image-x-generic",
        ),
        Command("send", "&Send", ("Ctrl+Return",), "Send the message", "mail-send"),
        Command(
            "save_draft",
            "Save &Draft",
            ("Ctrl+S",),
            "Keep the message in Drafts to go on writing later",
            "document-save",
        ),
        Command(
            "attach",
            "&Attach Files…",
            ("Ctrl+Shift+A",),
            "Add files to the message (or drop them on the window)",
            "mail-attachment",
        ),
        Command(
            "forward_attached",
            "Forward as A&ttachment",
            (),
            "Forward the whole message as an attachment, headers and all",
            "mail-forward",
        ),
        Command(
            "folders",
            "Local &Folders",
            ("Ctrl+Shift+F",),
            "Open the local folders (Saved, Sent, Drafts, your own)",
            "folder",
        ),
        Command(
            "outbox",
            "&Outbox",
            ("Ctrl+Shift+O",),
            "Messages not sent yet, with the reason, to send again",
            "mail-outbox",
        ),
        Command(
            "accounts",
            "Account &Settings…",
            (),
            "Add, change or remove accounts; test a connection",
            "preferences-system",
        ),
        Command(
            "new_folder", "&New Folder…", ("Ctrl+Shift+N",), "Create a local folder", "folder-new"
        ),
        Command("rename_folder", "&Rename Folder…", ("F2",), "Rename this folder", "edit-rename"),
        Command(
            "remove_folder",
            "Delete F&older…",
            (),
            "Delete this folder (asks first when it holds messages)",
            "edit-delete",
        ),
        Command(
            "move",
            "&Move to Folder…",
            ("Ctrl+Shift+M",),
            "Move the selected messages to another folder (or drag them there)",
            "go-jump",
        ),
        Command(
            "copy",
            "&Copy to Folder…",
            (),
            "Copy the selected messages to another folder",
            "edit-copy",
        ),
        Command(
            "import_mbox",
            "&Import mbox File…",
            (),
            "Add the messages of an mbox file to a folder",
            "document-import",
        ),
        Command(
            "export_mbox",
            "&Export Folder as mbox…",
            (),
            "Write this folder to an mbox file other mail programs read",
            "document-export",
        ),
        Command(
            "resend",
            "Send &Again",
            (),
            "Send the selected messages again",
            "mail-send",
        ),
        Command(
            "resend_all",
            "Send A&ll",
            (),
            "Send every message waiting here (not those that may have arrived already)",
            "mail-outbox",
        ),
        Command(
            "edit_outgoing",
            "&Edit",
            (),
            "Open the message in a compose window to change it and send it again",
            "mail-message-new",
        ),
    )
}


def action(
    parent: QWidget, command_id: str, handler: Callable[[], object], *, shortcuts: bool = True
) -> QAction:
    """A ``QAction`` for the command, triggering ``handler``."""
    command = COMMANDS[command_id]
    act = QAction(command.text, parent)
    act.setObjectName(f"action_{command.id}")
    if command.icon:
        icon: QIcon = icons.themed(command.icon)
        if not icon.isNull():
            act.setIcon(icon)
    if shortcuts and command.shortcuts:
        act.setShortcuts([QKeySequence(s) for s in command.shortcuts])
    tip = command.tip
    if command.shortcuts:
        tip = f"{tip} ({command.shortcuts[0]})" if tip else command.shortcuts[0]
    act.setToolTip(tip)
    act.setStatusTip(command.tip)
    act.triggered.connect(lambda _checked=False: handler())
    parent.addAction(act)
    return act


#: A menu or toolbar layout: command ids, None for a separator.
Layout = list[str | None] | tuple[str | None, ...]


def add_menus(window: QMainWindow, acts: dict[str, QAction], menus: dict[str, Layout]) -> None:
    """The window's menu bar: ``{"&File": ["get", None, "quit"], ...}``."""
    for title, entries in menus.items():
        menu = window.menuBar().addMenu(title)
        for entry in entries:
            if entry is None:
                menu.addSeparator()
            else:
                menu.addAction(acts[entry])


def add_toolbar(
    window: QMainWindow, name: str, acts: dict[str, QAction], entries: Layout
) -> QToolBar:
    toolbar = window.addToolBar(name)
    toolbar.setObjectName(f"{name.lower()}_toolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for entry in entries:
        if entry is None:
            toolbar.addSeparator()
        else:
            toolbar.addAction(acts[entry])
    return toolbar


def shortcut_rows() -> list[tuple[str, str, str]]:
    """(command, shortcuts, what it does) for the help window."""
    return [
        (c.plain.rstrip("…"), ", ".join(c.shortcuts), c.tip)
        for c in COMMANDS.values()
        if c.shortcuts
    ]
