"""Console commands that write mail: send, reply, forward (the text comes from stdin)."""

from __future__ import annotations

import argparse
import sys

from pymailgui.actions import Account
from pymailgui.console.commands import load_message
from pymailgui.errors import LocalStoreError, UsageError
from pymailgui.message import Draft
from pymailgui.smtp import SendResult


def read_body(args: argparse.Namespace) -> str:
    """The user's text: --body-file, else standard input (a prompt on a terminal)."""
    if args.body_file is not None:
        try:
            return str(args.body_file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"Cannot read {args.body_file}: {exc.strerror}.") from None
        except UnicodeDecodeError:
            raise UsageError(f"{args.body_file} is not UTF-8 text.") from None
    if sys.stdin.isatty():
        print("Type the message; end with Ctrl-D on a line of its own.", file=sys.stderr)
    return sys.stdin.read()


def _attachments(args: argparse.Namespace) -> list[object]:
    for path in args.attach:
        if not path.is_file():
            raise UsageError(f"The attachment {path} is not a readable file.")
    return list(args.attach)


def report(result: SendResult) -> int:
    print(f"Sent to {', '.join(result.accepted)}.")
    if result.refused:
        for address, (code, text) in result.refused.items():
            print(f"pymail: not delivered to {address}: {code} {text}", file=sys.stderr)
        return 1
    return 0


def cmd_send(account: Account, args: argparse.Namespace) -> int:
    if not (args.to or args.cc or args.bcc):
        raise UsageError("Say who gets the message: --to, --cc or --bcc.")
    attachments = _attachments(args)
    draft = Draft(
        to=args.to,
        cc=args.cc,
        bcc=args.bcc,
        subject=args.subject,
        body=read_body(args),
        attachments=attachments,  # type: ignore[arg-type]
    )
    return report(account.send(draft))


def _with_text(draft: Draft, text: str, args: argparse.Namespace) -> Draft:
    """The user's text on top, the quoted or forwarded original below it."""
    if text.strip():
        draft.body = text.rstrip("\n") + "\n\n" + draft.body.lstrip("\n")
    draft.attachments = [*draft.attachments, *_attachments(args)]  # type: ignore[list-item]
    return draft


def _mark(account: Account, args: argparse.Namespace, flag: str) -> None:
    """Flag a local original as replied (R) or forwarded (P)."""
    if getattr(args, "folder", None):
        try:
            folder = account.folders.folder(args.folder)
            folder.add_flags(account.folders.key(args.folder, args.number), flag)
        except LocalStoreError:
            pass  # the message went out; a missing flag is no reason to fail


def cmd_reply(account: Account, args: argparse.Namespace) -> int:
    original = load_message(account, args)
    draft = account.reply_draft(original, reply_all=args.all)
    code = report(account.send(_with_text(draft, read_body(args), args)))
    _mark(account, args, "R")
    return code


def cmd_forward(account: Account, args: argparse.Namespace) -> int:
    original = load_message(account, args)
    draft = account.forward_draft(original, args.to, as_attachment=args.as_attachment)
    code = report(account.send(_with_text(draft, read_body(args), args)))
    _mark(account, args, "P")
    return code
