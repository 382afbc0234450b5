"""The console's commands: each turns arguments into one action and prints its result."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from pymailgui.actions import Account, open_account
from pymailgui.config import Config
from pymailgui.config.secrets import PasswordRequest
from pymailgui.console import format as fmt
from pymailgui.errors import UsageError
from pymailgui.tasks import Progress, Task

if TYPE_CHECKING:
    from pymailgui.demo import Demo


def console_prompt(request: PasswordRequest) -> str | None:
    """Ask for a password on the terminal; never when there is none to ask on."""
    if not sys.stdin.isatty():
        return ""  # no source: the core says where a password could come from
    return getpass.getpass(request.text + " ")


def progress_printer() -> Task | None:
    if not sys.stderr.isatty():
        return None

    def show(progress: Progress) -> None:
        if progress.total:
            end = "\n" if progress.done >= progress.total else ""
            print(f"\r{progress}", end=end, file=sys.stderr, flush=True)

    return Task(on_progress=show)


def dispatch(args: argparse.Namespace, config: Config, demo: Demo | None = None) -> int:
    """Run ``args.command`` for the chosen account."""
    from pymailgui.demo import DEMO_PASSWORD

    account = open_account(
        config,
        None if demo else args.account,
        prompt=console_prompt,
        fixed_password=DEMO_PASSWORD if demo else None,
    )
    try:
        command = args.command or "interactive"
        if command == "interactive":
            from pymailgui.console.interactive import Interactive

            return Interactive(account).run()
        handler = _commands()[command]
        return handler(account, args)
    finally:
        account.close()


def cmd_list(account: Account, args: argparse.Namespace) -> int:
    if not args.offline:
        report = account.refresh(progress_printer())
        print(f"{account.name}: {report}", file=sys.stderr)
    entries = account.cached_index()
    account.inbox.remember_shown([e.uid for e in entries])
    if args.json:
        print(fmt.index_json(entries))
    elif entries:
        print("\n".join(fmt.index_lines(entries)))
    else:
        print("The inbox is empty.", file=sys.stderr)
    return 0


def resolve(account: Account, number: int | None, uid: str | None) -> str:
    """The identity of the message the user means: N from the last list, or a UIDL."""
    if uid:
        return account.inbox.entry(uid).uid
    if number is None:
        raise UsageError("Say which message: a number from the last list, or --uid UID.")
    return account.inbox.shown_uid(number)


def load_message(account: Account, args: argparse.Namespace) -> bytes:
    """The bytes of the message the user named: N of a folder's list, N of the server
    index, or --uid."""
    folder = getattr(args, "folder", None)
    if folder:
        if args.uid or args.number is None:
            raise UsageError("With --folder, name the message by its number in that folder.")
        return account.folders.get(folder, args.number)
    return account.fetch(resolve(account, args.number, args.uid))


def print_message(account: Account, data: bytes, *, raw: bool, html: bool) -> int:
    if raw:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    if html:
        v = account.view(data)
        if v.html is None:
            raise UsageError("This message has no HTML part; show it without --html.")
        print(v.html)
        return 0
    print(render_message(data, account.config.general.wrap_width))
    return 0


def cmd_show(account: Account, args: argparse.Namespace) -> int:
    return print_message(account, load_message(account, args), raw=args.raw, html=args.html)


def cmd_parts(account: Account, args: argparse.Namespace) -> int:
    data = load_message(account, args)
    for path in account.save_parts(data, args.dir, args.part):
        print(path)
    return 0


def render_message(data: bytes, wrap_width: int) -> str:
    from pymailgui.message import view

    v = view(data, wrap_width=wrap_width)
    lines = [f"From:    {', '.join(map(str, v.from_))}"]
    if v.to:
        lines.append(f"To:      {', '.join(map(str, v.to))}")
    if v.cc:
        lines.append(f"Cc:      {', '.join(map(str, v.cc))}")
    if v.date:
        lines.append(f"Date:    {v.date:%a, %d %b %Y %H:%M %z}")
    lines.append(f"Subject: {v.subject}")
    attachments = [p for p in v.parts if p.is_attachment]
    for part in attachments:
        lines.append(
            f"Attachment {part.index}: {part.filename or '(no name)'} "
            f"({part.content_type}, {fmt.human_size(part.size)})"
        )
    if v.malformed:
        lines.append("Note: this message is malformed; showing what can be read.")
    if v.remote_content_blocked:
        lines.append("Note: remote content in the HTML part was not loaded.")
    lines.append("")
    lines.append(v.body_wrapped)
    return "\n".join(lines)


def cmd_delete(account: Account, args: argparse.Namespace) -> int:
    uids = server_uids(account, args)
    if not uids:
        raise UsageError("Say which messages to delete: numbers from the last list or --uid.")
    if not args.yes and not confirm_delete(account, uids):
        print("Nothing was deleted.", file=sys.stderr)
        return 1
    report = account.delete(uids, progress_printer())
    print(report)
    return 0


def confirm_delete(account: Account, uids: list[str]) -> bool:
    entries = {e.uid: e for e in account.cached_index()}
    print(f"Delete {len(uids)} message{'s' * (len(uids) != 1)} from the server?", file=sys.stderr)
    for uid in uids:
        e = entries[uid]
        print(f"  {fmt.sender_name(e.from_)}: {e.subject or '(no subject)'}", file=sys.stderr)
    print("Delete? [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def server_uids(account: Account, args: argparse.Namespace) -> list[str]:
    """The messages named by numbers from the last list and --uid options, in order."""
    uids = [account.inbox.shown_uid(n) for n in args.numbers]
    uids += [account.inbox.entry(u).uid for u in args.uid]
    return list(dict.fromkeys(uids))


def cmd_save(account: Account, args: argparse.Namespace) -> int:
    uids = server_uids(account, args)
    if not uids:
        raise UsageError("Say which messages to save: numbers from the last list or --uid.")
    print(account.save_to_folder(uids, args.folder, delete=args.delete))
    return 0


def cmd_password(account: Account, args: argparse.Namespace) -> int:
    """Ask for the password twice and keep it in the system keyring."""
    from pymailgui.config.secrets import store_in_keyring

    server = account.account.smtp if args.smtp else account.account.pop
    if server is None:
        raise UsageError(f"The account {account.name} has no SMTP server.")
    if not sys.stdin.isatty():
        raise UsageError("Run 'pymail password' on a terminal: it asks for the password.")
    login = account.account.login(server)
    first = getpass.getpass(f"Password for {login} on {server.host}: ")
    if not first or first != getpass.getpass("Again: "):
        raise UsageError("The two passwords differ (or are empty); nothing was stored.")
    store_in_keyring(account.account, server, first)
    print(f"Stored in the system keyring for {login} on {server.host}.")
    return 0


def _commands() -> dict[str, Callable[[Account, argparse.Namespace], int]]:
    from pymailgui.console import local_cmds, send_cmds

    return {
        "list": cmd_list,
        "show": cmd_show,
        "delete": cmd_delete,
        "parts": cmd_parts,
        "save": cmd_save,
        "folders": local_cmds.cmd_folders,
        "folder": local_cmds.cmd_folder,
        "import-mbox": local_cmds.cmd_import,
        "export-mbox": local_cmds.cmd_export,
        "send": send_cmds.cmd_send,
        "reply": send_cmds.cmd_reply,
        "forward": send_cmds.cmd_forward,
        "password": cmd_password,
    }
