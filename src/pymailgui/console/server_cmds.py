"""Commands on the server inbox: list, show, parts, delete (and mark/undelete), save."""

from __future__ import annotations

import argparse

from pymailgui.console import format as fmt
from pymailgui.console.context import Session
from pymailgui.console.messages import pick, show
from pymailgui.errors import MailError, UsageError


def cmd_list(s: Session, args: argparse.Namespace) -> int:
    account = s.account
    if not args.offline:
        try:
            # The report counts what was removed on the server; its notice says no more.
            report = s.run("refresh", account.refresh, said=frozenset({"removed-on-server"}))
        except MailError as exc:
            if not s.interactive:
                raise
            s.say(f"Error: {exc}")
            s.say("Showing the index as it was last loaded.")
        else:
            s.note(f"{account.name}: {report}")
    rows = account.index()
    if not account.loaded:
        # Nothing was ever loaded: an empty list would claim the inbox is empty.
        if args.json:
            s.say("[]")
        s.note(
            f"The index of {account.name} is not loaded yet; "
            f"{s.hint('list')} loads it from the server."
        )
        return 0
    s.remember_server(rows)
    if args.json:
        fmt.write_rows_json(s.out, rows, key_name="uid")
    elif rows:
        marks = None
        if s.interactive:
            marked = set(s.marked)
            marks = ["D" if r.key in marked else " " for r in rows]
        s.say("\n".join(fmt.row_lines(rows, marks=marks)))
    else:
        s.note("The inbox is empty.")
    return 0


def cmd_show(s: Session, args: argparse.Namespace) -> int:
    show(s, pick(s, args), raw=args.raw, html=args.html)
    return 0


def cmd_parts(s: Session, args: argparse.Namespace) -> int:
    picked = pick(s, args)
    if args.part is not None:
        parts = [p.index for p in s.account.view(picked.data).parts]
        if args.part not in parts:
            listed = ", ".join(map(str, parts)) or "none"
            raise UsageError(f"This message has no part {args.part} (its parts: {listed}).")
    for path in s.account.save_parts(picked.data, args.dir, args.part):
        s.say(str(path))
    return 0


def cmd_delete(s: Session, args: argparse.Namespace) -> int:
    keys = s.server_keys(args.numbers, args.uid)
    if not keys:
        raise UsageError("Say which messages to delete: numbers from the last list, or --uid.")
    s.confirm(
        f"Delete {fmt.plural(len(keys), 'message')} from the server?",
        [s.server_line(k) for k in keys],
        yes=args.yes,
        undone="Nothing was deleted.",
    )
    report = s.run("delete", lambda task: s.account.delete(keys, task))
    s.state.forget(s.server_view, [*report.deleted, *report.already_gone])
    s.say(str(report))
    return 0


def mark_delete(s: Session, args: argparse.Namespace) -> int:
    """The interactive ``d``: mark for deletion; ``quit`` deletes after asking."""
    numbers = args.numbers or ([s.current] if s.current else [])
    keys = s.server_keys(numbers, args.uid)
    if not keys:
        raise UsageError("Say which messages to mark: numbers from the last list.")
    for key in keys:
        if key not in s.marked:
            s.marked.append(key)
    s.say(_marked_sentence(s))
    return 0


def cmd_undelete(s: Session, args: argparse.Namespace) -> int:
    for key in s.server_keys(args.numbers):
        if key in s.marked:
            s.marked.remove(key)
    s.say(_marked_sentence(s))
    return 0


def _marked_sentence(s: Session) -> str:
    """Which messages are marked, by the numbers the user sees ("messages 2, 5")."""
    if not s.marked:
        return "No message is marked for deletion."
    numbers = s.state.numbers(s.server_view)
    shown = sorted(numbers[k] for k in s.marked if k in numbers)
    listed = ", ".join(map(str, shown))
    which = f"message {listed}" if len(shown) == 1 else f"messages {listed}"
    return f"Marked for deletion: {which} (deleted when you quit, after you confirm)."


def finish(s: Session) -> bool:
    """Carry out the marked deletions if confirmed; True when it is fine to leave."""
    if not s.marked:
        return True
    try:
        count = len(s.marked)
        s.confirm(
            "Delete this message from the server?"
            if count == 1
            else f"Delete these {count} messages from the server?",
            ["Marked for deletion:", *(s.server_line(k) for k in s.marked)],
            yes=False,
            undone="Nothing was deleted.",
        )
    except MailError as exc:
        s.say(str(exc))
        return True
    keys = list(s.marked)
    try:
        report = s.run("delete", lambda task: s.account.delete(keys, task))
    except MailError as exc:
        s.say(f"Error: {exc}")
        return False
    s.state.forget(s.server_view, [*report.deleted, *report.already_gone])
    s.say(str(report))
    s.marked.clear()
    return True


def cmd_quit(s: Session, args: argparse.Namespace) -> int:
    s.leave = finish(s)
    return 0


def cmd_save(s: Session, args: argparse.Namespace) -> int:
    keys = s.server_keys(args.numbers, args.uid)
    if not keys:
        raise UsageError("Say which messages to save: numbers from the last list, or --uid.")
    s.account.folders.check_name(args.folder)
    if args.delete:
        s.confirm(
            f"Save {fmt.plural(len(keys), 'message')} in {args.folder}, "
            "then delete them from the server?",
            [s.server_line(k) for k in keys],
            yes=args.yes,
            undone="Nothing was saved or deleted.",
        )
    report = s.run(
        "save",
        lambda task: s.account.save_to_folder(keys, args.folder, delete=args.delete, task=task),
    )
    if report.deleted is not None:
        s.state.forget(s.server_view, [*report.deleted.deleted, *report.deleted.already_gone])
    s.say(str(report))
    return 0
