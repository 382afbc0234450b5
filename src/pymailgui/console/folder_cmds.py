"""Commands on local folders: list them, create/rename/remove one, and its messages."""

from __future__ import annotations

import argparse

from pymailgui.console import format as fmt
from pymailgui.console.context import Session
from pymailgui.console.messages import Picked, show
from pymailgui.console.state import folder_view
from pymailgui.errors import UsageError


def cmd_folders(s: Session, args: argparse.Namespace) -> int:
    folders = s.account.folders
    for name in folders.names():
        s.say(f"{name:<20} {fmt.plural(folders.count(name), 'message'):>14}")
    return 0


def _name(s: Session, args: argparse.Namespace) -> str:
    """The folder's name as stored (the user may type it in any case)."""
    return s.account.folders.folder(args.name).name


def cmd_folder_list(s: Session, args: argparse.Namespace) -> int:
    name = _name(s, args)
    rows = s.account.folders.rows(name)
    s.remember_folder(name, rows)
    if args.json:
        fmt.write_rows_json(s.out, rows, key_name="key")
    elif rows:
        s.say("\n".join(fmt.row_lines(rows)))
    else:
        s.note(f"{name} is empty.")
    return 0


def cmd_folder_show(s: Session, args: argparse.Namespace) -> int:
    name = _name(s, args)
    key = s.folder_key(name, args.number)
    picked = Picked(s.account.folders.get(name, key), key, args.number, name)
    show(s, picked, raw=args.raw, html=args.html)
    return 0


def cmd_folder_delete(s: Session, args: argparse.Namespace) -> int:
    name = _name(s, args)
    keys = s.folder_keys(name, args.numbers)
    rows = {r.key: r for r in s.account.folders.rows(name)}
    s.confirm(
        f"Delete {fmt.plural(len(keys), 'message')} from {name}?",
        [
            _line(n, rows[k].from_, rows[k].subject)
            for n, k in zip(args.numbers, keys, strict=False)
        ],
        yes=args.yes,
        undone="Nothing was deleted.",
    )
    n = s.account.folders.delete(name, keys)
    s.forget_folder(name, keys)
    s.say(f"Deleted {fmt.plural(n, 'message')} from {name}.")
    return 0


def _line(number: int, sender: str, subject: str) -> str:
    return f"{number:>4}  {fmt.sender_name(sender)}: {subject or '(no subject)'}"


def cmd_folder_move(s: Session, args: argparse.Namespace) -> int:
    name = _name(s, args)
    keys = s.folder_keys(name, args.numbers)
    moved = s.account.folders.move(name, keys, args.target)
    s.forget_folder(name, list(moved))
    target = s.account.folders.folder(args.target).name
    s.say(f"Moved {fmt.plural(len(moved), 'message')} to {target}.")
    return 0


def cmd_folder_copy(s: Session, args: argparse.Namespace) -> int:
    name = _name(s, args)
    keys = s.folder_keys(name, args.numbers)
    copied = s.account.folders.copy(name, keys, args.target)
    target = s.account.folders.folder(args.target).name
    s.say(f"Copied {fmt.plural(len(copied), 'message')} to {target}.")
    return 0


def cmd_folder_create(s: Session, args: argparse.Namespace) -> int:
    s.say(f"Created the folder {s.account.folders.create(args.name)}.")
    return 0


def cmd_folder_rename(s: Session, args: argparse.Namespace) -> int:
    old = _name(s, args)
    new = s.account.folders.rename(old, args.new_name)
    s.say(f"Renamed {old} to {new}.")
    return 0


def cmd_folder_remove(s: Session, args: argparse.Namespace) -> int:
    name = _name(s, args)
    count = s.account.folders.count(name)
    if count and not args.force:
        raise UsageError(
            f"{name} holds {fmt.plural(count, 'message')}; move them first, or add --force "
            "to remove them with the folder."
        )
    s.confirm(
        f"Remove the folder {name}"
        + (f" and its {fmt.plural(count, 'message')}?" if count else "?"),
        [],
        yes=args.yes,
        undone="Nothing was removed.",
    )
    s.account.folders.remove(name, force=args.force)
    s.state.drop(folder_view(name))
    s.say(f"Removed the folder {name}.")
    return 0


def cmd_import(s: Session, args: argparse.Namespace) -> int:
    folders = s.account.folders
    n = s.run("import-mbox", lambda task: folders.import_mbox(args.file, args.folder, task))
    s.say(f"Imported {fmt.plural(n, 'message')} into {folders.folder(args.folder).name}.")
    return 0


def cmd_export(s: Session, args: argparse.Namespace) -> int:
    folders = s.account.folders
    name = folders.folder(args.name).name
    if not args.force and (args.file.exists() or args.file.is_symlink()):
        raise UsageError(f"{args.file} already exists; add --force to replace it.")
    n = s.run(
        "export-mbox",
        lambda task: folders.export_mbox(name, args.file, overwrite=args.force, task=task),
    )
    s.say(f"Exported {fmt.plural(n, 'message')} from {name} to {args.file}.")
    return 0
