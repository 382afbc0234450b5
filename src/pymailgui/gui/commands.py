"""Every user command declared once: its text, shortcuts and help line.

Windows build their menu, toolbar and ``QAction``s from this table, and the help window
prints its shortcut list from it, so the shortcuts a user reads are the ones that work.
They are the ones people know from Thunderbird.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QWidget

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


def shortcut_rows() -> list[tuple[str, str, str]]:
    """(command, shortcuts, what it does) for the help window."""
    return [
        (c.plain.rstrip("…"), ", ".join(c.shortcuts), c.tip)
        for c in COMMANDS.values()
        if c.shortcuts
    ]
