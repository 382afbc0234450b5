"""Every ``pymail`` command, declared once: the parser, the dispatcher, the interactive
mode and both help texts are generated from :data:`COMMANDS` (see ``registry.py``)."""

from __future__ import annotations

from pathlib import Path

from pymailgui.console import account_cmds, folder_cmds, send_cmds, server_cmds
from pymailgui.console.argtypes import addresses, number, readable_file, subject_text
from pymailgui.console.registry import Arg, Command, Registry, arg

# -- arguments shared by several commands ------------------------------------------------
N_ONE = arg(
    "number", nargs="?", type=number, metavar="N", help="the message's number in the last list"
)
N_MANY = arg(
    "numbers", nargs="*", type=number, metavar="N", help="numbers of messages in the last list"
)
N_SOME = arg(
    "numbers", nargs="+", type=number, metavar="N", help="numbers of messages in the last list"
)
UID_ONE = arg("--uid", help="the server message's UIDL instead of N")
UID_MANY = arg("--uid", action="append", default=[], help="a server message's UIDL (repeatable)")
FROM_FOLDER = arg("--folder", metavar="NAME", help="N is from this local folder's last list")
RAW = arg("--raw", action="store_true", group="format", help="the message exactly as stored")
HTML = arg("--html", action="store_true", group="format", help="its HTML part, sanitized")
BODY_FILE = arg(
    "--body-file", type=Path, metavar="FILE", help="your text (default: read standard input)"
)
ATTACH = arg(
    "--attach",
    action="append",
    default=[],
    metavar="FILE",
    check=readable_file,
    help="attach this file (repeatable)",
)
JSON = arg("--json", action="store_true", help="print a JSON array instead of lines")
TARGET = arg(
    "--to", dest="target", required=True, metavar="FOLDER", help="the folder to put them in"
)
FOLDER_NAME = arg("name", metavar="NAME", help="the local folder (any case)")


def _recipients(field: str, what: str, prompt: str | None, *, required: bool = False) -> Arg:
    return arg(
        f"--{field}",
        action="append",
        default=[],
        required=required,
        metavar="ADDR",
        check=addresses(field),
        prompt=prompt,
        help=f"{what} (repeatable; 'Name <a@example.com>, b@example.com' is fine)",
    )


SERVER = (
    Command(
        "list",
        "refresh the index from the server (one session) and print it",
        server_cmds.cmd_list,
        (
            JSON,
            arg(
                "--offline",
                action="store_true",
                help="print the index as last loaded, without connecting",
            ),
        ),
        letter="i",
        interactive_help="refresh from the server and show the index",
    ),
    Command(
        "show",
        "print message N of the last list",
        server_cmds.cmd_show,
        (N_ONE, UID_ONE, FROM_FOLDER, RAW, HTML),
        letter="l",
        interactive_help="show message N (without N: the next one)",
    ),
    Command(
        "delete",
        "delete messages from the server (asks first)",
        server_cmds.cmd_delete,
        (N_MANY, UID_MANY),
        destructive=True,
        letter="d",
        interactive_handler=server_cmds.mark_delete,
        interactive_help="mark messages for deletion (deleted at quit, after asking)",
    ),
    Command(
        "undelete",
        "unmark messages marked for deletion",
        server_cmds.cmd_undelete,
        (N_SOME,),
        letter="u",
        cli=False,
    ),
    Command(
        "parts",
        "save the parts of message N into a directory; prints their paths",
        server_cmds.cmd_parts,
        (
            N_ONE,
            UID_ONE,
            FROM_FOLDER,
            arg("--dir", type=Path, required=True, help="the directory to write the files in"),
            arg("--part", type=int, metavar="INDEX", help="only the part with this index"),
        ),
    ),
    Command(
        "save",
        "copy server messages into a local folder (with --delete: then delete them)",
        server_cmds.cmd_save,
        (
            N_MANY,
            UID_MANY,
            arg(
                "--folder",
                default="Saved",
                metavar="NAME",
                help="the local folder, made if needed (default: Saved)",
            ),
            arg(
                "--delete",
                action="store_true",
                help="then delete them from the server (asks first; safe delete)",
            ),
        ),
        destructive=True,
        letter="s",
    ),
)

FOLDER_ACTIONS = (
    Command("list", "list the folder's messages", folder_cmds.cmd_folder_list, (JSON,)),
    Command(
        "show",
        "print message N of the folder's last list",
        folder_cmds.cmd_folder_show,
        (arg("number", type=number, metavar="N", help="the message's number"), RAW, HTML),
    ),
    Command(
        "delete",
        "delete messages from the folder (asks first)",
        folder_cmds.cmd_folder_delete,
        (N_SOME,),
        destructive=True,
    ),
    Command(
        "move",
        "move messages to another folder (made if needed)",
        folder_cmds.cmd_folder_move,
        (N_SOME, TARGET),
    ),
    Command(
        "copy",
        "copy messages to another folder (made if needed)",
        folder_cmds.cmd_folder_copy,
        (N_SOME, TARGET),
    ),
    Command("create", "create the folder", folder_cmds.cmd_folder_create),
    Command(
        "rename",
        "rename the folder",
        folder_cmds.cmd_folder_rename,
        (arg("new_name", metavar="NEW", help="its new name"),),
    ),
    Command(
        "remove",
        "remove the folder (asks first)",
        folder_cmds.cmd_folder_remove,
        (arg("--force", action="store_true", help="remove it with the messages it holds"),),
        destructive=True,
    ),
)

LOCAL = (
    Command("folders", "list the local folders", folder_cmds.cmd_folders),
    Command(
        "folder",
        "work with a local folder: list, show, delete, move, copy, create, rename, remove",
        leading=(FOLDER_NAME,),
        actions=FOLDER_ACTIONS,
    ),
    Command(
        "import-mbox",
        "import an mbox file into a local folder",
        folder_cmds.cmd_import,
        (
            arg("file", type=Path, metavar="FILE", help="the mbox file to read"),
            arg(
                "--folder",
                required=True,
                metavar="NAME",
                help="the folder to import into (made if needed)",
            ),
        ),
    ),
    Command(
        "export-mbox",
        "export a local folder as an mbox (mboxrd) file",
        folder_cmds.cmd_export,
        (
            arg("name", metavar="FOLDER", help="the folder to export"),
            arg("file", type=Path, metavar="FILE", help="the mbox file to write"),
            arg("--force", action="store_true", help="replace FILE if it exists"),
        ),
    ),
)

OUTGOING = (
    Command(
        "send",
        "write and send a message (your text from standard input)",
        send_cmds.cmd_send,
        (
            _recipients("to", "a recipient", "To"),
            _recipients("cc", "a copy recipient", "Cc"),
            _recipients("bcc", "a hidden recipient (not shown to the others)", None),
            arg(
                "--subject",
                required=True,
                check=subject_text,
                prompt="Subject",
                help="the subject line",
            ),
            ATTACH,
            BODY_FILE,
        ),
        aliases=("mail",),
        letter="m",
        interactive_help="write and send a new message; asks To:, Cc:, Subject: and the text",
    ),
    Command(
        "reply",
        "reply to message N (your text from standard input)",
        send_cmds.cmd_reply,
        (
            N_ONE,
            UID_ONE,
            FROM_FOLDER,
            arg("--all", action="store_true", help="reply to every recipient, not only the sender"),
            ATTACH,
            BODY_FILE,
        ),
        letter="r",
        interactive_help="reply to message N (--all: to every recipient); you type the text",
    ),
    Command(
        "forward",
        "forward message N (your text from standard input)",
        send_cmds.cmd_forward,
        (
            N_ONE,
            UID_ONE,
            FROM_FOLDER,
            _recipients("to", "who gets it", "To", required=True),
            arg(
                "--as-attachment",
                action="store_true",
                help="attach the original as a message/rfc822 part",
            ),
            ATTACH,
            BODY_FILE,
        ),
        letter="f",
        interactive_help="forward message N; asks To: if --to is not given",
    ),
    Command(
        "outbox",
        "list the messages waiting in Outbox, with why they were not sent",
        send_cmds.cmd_outbox,
        letter="o",
    ),
    Command(
        "resend",
        "send the messages waiting in Outbox again (all, or N of the last outbox list)",
        send_cmds.cmd_resend,
        (arg("numbers", nargs="*", type=number, metavar="N", help="numbers from the outbox list"),),
    ),
)

SETUP = (
    Command(
        "password",
        "store the account's password in the system keyring",
        account_cmds.cmd_password,
        (arg("--smtp", action="store_true", help="the SMTP server's password"),),
        interactive=False,
    ),
    Command(
        "help",
        "this text",
        account_cmds.cmd_help,
        aliases=("h", "?"),
        cli=False,
    ),
    Command(
        "quit",
        "delete the marked messages (after asking) and leave",
        server_cmds.cmd_quit,
        aliases=("exit",),
        letter="q",
        cli=False,
    ),
)

COMMANDS = Registry((*SERVER, *LOCAL, *OUTGOING, *SETUP))
