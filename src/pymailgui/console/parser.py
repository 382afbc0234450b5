"""The command line of ``pymail``: every subcommand and option, declared in one place."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pymailgui import __version__

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"pymail: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a message number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a message number (1 or more)")
    return value


def _one_message(p: argparse.ArgumentParser, *, folder_option: bool = True) -> None:
    p.add_argument("number", nargs="?", type=number, metavar="N", help="number in the last list")
    p.add_argument("--uid", help="the server message's UIDL instead of N")
    if folder_option:
        p.add_argument("--folder", help="N is from this local folder's last list")


def _show_format(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--raw", action="store_true", help="the message exactly as stored")
    group.add_argument("--html", action="store_true", help="the sanitized HTML part")


def _body(p: argparse.ArgumentParser) -> None:
    p.add_argument("--body-file", type=Path, help="the text (default: read standard input)")
    p.add_argument("--attach", action="append", default=[], type=Path, metavar="FILE")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="pymail",
        description="A POP3/SMTP mail client for the console. Without a command, "
        "pymail starts its interactive mode.",
    )
    p.add_argument("--version", action="version", version=f"pymail {__version__}")
    _global_options(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    _server_commands(sub)
    _local_commands(sub)
    _outgoing_commands(sub)
    pw = sub.add_parser("password", help="store the account's password in the system keyring")
    pw.add_argument("--smtp", action="store_true", help="the SMTP server's password")
    sub.add_parser("interactive", help="the interactive mode (the default)")
    for parser in _all_subparsers(sub):
        _global_options(parser, default=argparse.SUPPRESS)
    return p


def _global_options(p: argparse.ArgumentParser, default: object = None) -> None:
    """--config, --account, --demo and -v: accepted before or after the command."""
    p.add_argument(
        "--config", type=Path, default=default, help="config file (default: see docs/config.md)"
    )
    p.add_argument(
        "--account", default=default, help="account name from the config (default: the first)"
    )
    p.add_argument(
        "--demo",
        action="store_true",
        default=default if default is not None else False,
        help="use the demo account: local servers on 127.0.0.1 with sample mail",
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default if default is not None else False,
        help="log what happens to stderr",
    )


def _all_subparsers(
    sub: argparse._SubParsersAction[_Parser],
) -> list[argparse.ArgumentParser]:
    found: list[argparse.ArgumentParser] = []
    for parser in sub.choices.values():
        found.append(parser)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                found.extend(_all_subparsers(action))
    return found


def _server_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    ls = sub.add_parser("list", help="refresh the index from the server and print it")
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    ls.add_argument("--offline", action="store_true", help="print the cached index only")

    show = sub.add_parser("show", help="print message N of the last list")
    _one_message(show)
    _show_format(show)

    delete = sub.add_parser("delete", help="delete messages from the server")
    delete.add_argument("numbers", nargs="*", type=number, metavar="N")
    delete.add_argument("--uid", action="append", default=[], help="a message's UIDL")
    delete.add_argument("--yes", "-y", action="store_true", help="do not ask to confirm")

    parts = sub.add_parser("parts", help="save the parts of message N into a directory")
    _one_message(parts)
    parts.add_argument("--dir", type=Path, required=True, help="where to write the files")
    parts.add_argument("--part", type=int, help="only the part with this index")

    save = sub.add_parser("save", help="copy server messages into a local folder")
    save.add_argument("numbers", nargs="*", type=number, metavar="N")
    save.add_argument("--uid", action="append", default=[], help="a message's UIDL")
    save.add_argument("--folder", required=True, help="the local folder (made if needed)")
    save.add_argument(
        "--delete", action="store_true", help="then delete them from the server (safe delete)"
    )


def _local_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    sub.add_parser("folders", help="list the local folders")
    folder = sub.add_parser("folder", help="work with a local folder")
    folder.add_argument("name", metavar="NAME")
    fsub = folder.add_subparsers(dest="folder_command", metavar="ACTION", required=True)
    flist = fsub.add_parser("list", help="list the folder's messages")
    flist.add_argument("--json", action="store_true")
    fshow = fsub.add_parser("show", help="print message N of the folder")
    fshow.add_argument("number", type=number, metavar="N")
    _show_format(fshow)
    fdel = fsub.add_parser("delete", help="delete messages from the folder")
    fdel.add_argument("numbers", nargs="+", type=number, metavar="N")
    fmove = fsub.add_parser("move", help="move messages to another folder")
    fmove.add_argument("numbers", nargs="+", type=number, metavar="N")
    fmove.add_argument("--to", required=True, dest="target", metavar="FOLDER")

    imp = sub.add_parser("import-mbox", help="import an mbox file into a local folder")
    imp.add_argument("file", type=Path)
    imp.add_argument("--folder", required=True)
    exp = sub.add_parser("export-mbox", help="export a local folder as an mbox (mboxrd) file")
    exp.add_argument("name", metavar="FOLDER")
    exp.add_argument("file", type=Path)
    exp.add_argument("--force", action="store_true", help="overwrite an existing file")


def _outgoing_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    send = sub.add_parser("send", help="write and send a message")
    send.add_argument("--to", action="append", default=[], metavar="ADDR")
    send.add_argument("--cc", action="append", default=[], metavar="ADDR")
    send.add_argument("--bcc", action="append", default=[], metavar="ADDR")
    send.add_argument("--subject", required=True)
    _body(send)

    rep = sub.add_parser("reply", help="reply to message N (your text from stdin)")
    _one_message(rep)
    rep.add_argument("--all", action="store_true", help="reply to all recipients")
    _body(rep)

    fwd = sub.add_parser("forward", help="forward message N (your text from stdin)")
    _one_message(fwd)
    fwd.add_argument("--to", action="append", required=True, metavar="ADDR")
    fwd.add_argument("--as-attachment", action="store_true", help="attach it as message/rfc822")
    _body(fwd)
