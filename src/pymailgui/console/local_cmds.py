"""Console commands on local folders: list, show, delete, move, mbox import and export."""

from __future__ import annotations

import argparse
import json
import sys

from pymailgui.actions import Account
from pymailgui.console import format as fmt
from pymailgui.console.commands import print_message
from pymailgui.message.summary import MessageRow


def cmd_folders(account: Account, args: argparse.Namespace) -> int:
    for name in account.folders.names():
        count = len(account.folders.folder(name))
        print(f"{name:<20} {count:>6} message{'s' * (count != 1)}")
    return 0


def _folder_lines(entries: list[MessageRow]) -> list[str]:
    width = len(str(len(entries))) if entries else 1
    lines = []
    for number, e in enumerate(entries, start=1):
        date = fmt.date_column(e.date)
        flag = "N" if not e.seen else ("R" if e.replied else " ")
        mark = "@" if e.has_attachments else " "
        lines.append(
            f"{number:>{width}} {flag} {date}  {fmt.fit(fmt.sender_name(e.from_), 24)}  "
            f"{fmt.fit(e.subject or '(no subject)', 40)}{mark} {fmt.human_size(e.size):>7}"
        )
    return lines


def _folder_json(entries: list[MessageRow]) -> str:
    return json.dumps(
        [
            {
                "num": number,
                "key": e.key,
                "from": e.from_,
                "to": e.to,
                "subject": e.subject,
                "date": e.date.isoformat() if e.date else None,
                "size": e.size,
                "attachments": e.has_attachments,
                "flags": e.flags,
            }
            for number, e in enumerate(entries, start=1)
        ],
        ensure_ascii=False,
        indent=2,
    )


def cmd_folder(account: Account, args: argparse.Namespace) -> int:
    folders = account.folders
    action = args.folder_command
    if action == "list":
        entries = folders.entries(args.name)
        if args.json:
            print(_folder_json(entries))
        elif entries:
            print("\n".join(_folder_lines(entries)))
        else:
            print(f"{folders.folder(args.name).name} is empty.", file=sys.stderr)
        return 0
    if action == "show":
        folder = folders.folder(args.name)
        key = folders.key(args.name, args.number)
        code = print_message(account, folder.get(key), raw=args.raw, html=args.html)
        folder.add_flags(key, "S")
        return code
    if action == "delete":
        n = folders.delete(args.name, args.numbers)
        print(f"Deleted {n} message{'s' * (n != 1)} from {folders.folder(args.name).name}.")
        return 0
    n = folders.move(args.name, args.numbers, args.target)
    print(f"Moved {n} message{'s' * (n != 1)} to {folders.folder(args.target).name}.")
    return 0


def cmd_import(account: Account, args: argparse.Namespace) -> int:
    n = account.folders.import_mbox(args.file, args.folder)
    print(f"Imported {n} message{'s' * (n != 1)} into {account.folders.folder(args.folder).name}.")
    return 0


def cmd_export(account: Account, args: argparse.Namespace) -> int:
    n = account.folders.export_mbox(args.name, args.file, overwrite=args.force)
    print(f"Exported {n} message{'s' * (n != 1)} to {args.file}.")
    return 0
