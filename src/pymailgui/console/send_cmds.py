"""Commands that write mail: send, reply, forward; and Outbox: list and resend.

Addresses, the subject and attachments are checked as they are given (``argtypes``,
also used by the interactive prompts), so a typo is reported before any text is typed.
Text typed for a message that then fails to go out is never lost: it either waits in
Outbox (the server was reached; ``resend`` tries again) or is kept in Drafts.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pymailgui.console import format as fmt
from pymailgui.console.context import Session
from pymailgui.console.messages import Picked, mark_answered, pick
from pymailgui.console.state import outbox_view
from pymailgui.console.terminal import ask_line, is_terminal
from pymailgui.errors import Cancelled, MailError, UsageError
from pymailgui.message import Draft
from pymailgui.smtp import SendResult


# -- the text ----------------------------------------------------------------------------
def read_body(s: Session, args: argparse.Namespace) -> str:
    """The user's text: --body-file, else standard input; the interactive mode reads
    lines up to one holding only "."."""
    body_file: Path | None = getattr(args, "body_file", None)
    if body_file is not None:
        try:
            return body_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"Cannot read {body_file}: {exc.strerror}.") from None
        except UnicodeDecodeError:
            raise UsageError(f"{body_file} is not UTF-8 text.") from None
    if s.interactive:
        s.say('Type the text; end with a line holding only ".". Ctrl-C cancels the message.')
        lines: list[str] = []
        while (line := ask_line("", s.stdin, s.out)) is not None:
            if line == ".":
                break
            lines.append(line)
        return "\n".join(lines) + "\n" if lines else ""
    if is_terminal(s.stdin):
        print("Type the message; end with Ctrl-D on a line of its own.", file=s.err)
    return s.stdin.read()


def _text_or_cancel(s: Session, args: argparse.Namespace) -> str | None:
    """The user's text; None when Ctrl-C dropped the message (the interactive mode goes
    on; on the command line Ctrl-C ends pymail, having sent nothing)."""
    try:
        return read_body(s, args)
    except KeyboardInterrupt:
        if not s.interactive:
            raise
        s.say("\nMessage cancelled; nothing was sent.")
        return None


def _with_text(draft: Draft, text: str, attachments: list[Path]) -> Draft:
    """The user's text on top, the quoted or forwarded original below it."""
    if text.strip():
        draft.body = text.rstrip("\n") + "\n\n" + draft.body.lstrip("\n")
    draft.attachments = [*draft.attachments, *attachments]
    return draft


# -- sending -----------------------------------------------------------------------------
def deliver(s: Session, draft: Draft) -> SendResult | None:
    """Send ``draft`` (the interactive mode asks first; None: the user chose not to)."""
    if s.interactive:
        answer = _send_answer(s)
        if answer == "draft":
            s.account.save_draft(draft)
            s.say("Kept in Drafts.")
            return None
        if answer == "no":
            s.say("Not sent; the text was discarded.")
            return None
    try:
        result = s.run("send", lambda task: s.account.send(draft, task))
    except MailError as exc:
        if exc.outbox_key is not None:  # it waits in Outbox, and the sentence says so
            raise exc.with_note(
                f"{s.hint('outbox')} lists it, {s.hint('resend')} sends it."
            ) from exc
        if isinstance(exc, Cancelled):
            raise
        raise _kept_in_drafts(s, draft, exc) from exc
    s.say(f"Sent to {', '.join(result.accepted)}.")
    for address, (code, text) in result.refused.items():
        s.note(f"Not delivered to {address}: {code} {text}")
    return result


_SEND_ANSWERS = {
    **dict.fromkeys(("", "y", "yes"), "yes"),
    **dict.fromkeys(("n", "no"), "no"),
    **dict.fromkeys(("d", "draft"), "draft"),
}


def _send_answer(s: Session) -> str:
    """ "yes", "no" or "draft"; anything else is asked again (a typo must not throw the
    text away). At the end of input the text is kept in Drafts, never lost."""
    while True:
        line = ask_line("Send it? [Y/n/draft] ", s.stdin, s.out)
        if line is None:
            s.say("")
            return "draft"
        answer = _SEND_ANSWERS.get(line.strip().lower())
        if answer is not None:
            return answer
        s.say("Answer y to send, n to discard the text, or d to keep it in Drafts.")


def _kept_in_drafts(s: Session, draft: Draft, exc: MailError) -> MailError:
    if not (draft.body.strip() or draft.subject.strip()):
        return exc
    try:
        s.account.save_draft(draft)
    except MailError:
        return exc.with_note("Your text could not be kept in Drafts either.")
    return exc.with_note("Your text is kept in Drafts.")


def _status(result: SendResult | None) -> int:
    """1 when some recipients were refused (the others got it once), else 0."""
    return 1 if result is not None and result.refused else 0


def cmd_send(s: Session, args: argparse.Namespace) -> int:
    if not (args.to or args.cc or args.bcc):
        raise UsageError("Say who gets the message: --to, --cc or --bcc.")
    draft = s.account.new_draft()  # with the account's signature, as the GUI's Write
    draft.to, draft.cc, draft.bcc = list(args.to or ()), list(args.cc or ()), list(args.bcc or ())
    draft.subject = args.subject or ""
    text = _text_or_cancel(s, args)
    if text is None:
        return 0
    return _status(deliver(s, _with_text(draft, text, args.attach)))


def cmd_reply(s: Session, args: argparse.Namespace) -> int:
    picked = pick(s, args)
    draft = s.account.reply_draft(picked.data, reply_all=args.all)
    if s.interactive:
        s.say(f"To: {', '.join(draft.to)}  Cc: {', '.join(draft.cc)}  Subject: {draft.subject}")
    return _answer(s, args, picked, draft, "R")


def cmd_forward(s: Session, args: argparse.Namespace) -> int:
    picked = pick(s, args)
    draft = s.account.forward_draft(picked.data, args.to, as_attachment=args.as_attachment)
    return _answer(s, args, picked, draft, "P")


def _answer(s: Session, args: argparse.Namespace, picked: Picked, draft: Draft, flag: str) -> int:
    text = _text_or_cancel(s, args)
    if text is None:
        return 0
    result = deliver(s, _with_text(draft, text, args.attach))
    if result is not None:
        mark_answered(s, picked, flag)
    return _status(result)


# -- Outbox ------------------------------------------------------------------------------


def cmd_outbox(s: Session, args: argparse.Namespace) -> int:
    """What waits in Outbox for this account, numbered for ``resend N``, and why."""
    entries = s.account.outbox()
    s.state.remember(outbox_view(s.account.name), [e.key for e in entries])
    if not entries:
        s.note("Outbox is empty: every message went out.")
        return 0
    width = len(str(len(entries)))
    for n, entry in enumerate(entries, start=1):
        tried = fmt.plural(entry.attempts, "attempt") if entry.attempts else "not tried yet"
        s.say(f"{n:>{width}}  To {entry.to or '(nobody)'}: {entry.subject or '(no subject)'}")
        s.say(f"{'':>{width}}  {_why(entry.state, entry.last_error)} ({tried})")
    s.note(f"{s.hint('resend')} sends them again; {s.hint('resend', 'N')} only message N.")
    return 0


def _why(state: str, error: str | None) -> str:
    if state == "uncertain":
        return f"Maybe delivered already (resend it only by its number): {error}"
    if state == "delivered":
        return "Sent; only filing it in Sent failed (resend files it, never sends it twice)."
    return error or "Not sent yet."


def cmd_resend(s: Session, args: argparse.Namespace) -> int:
    keys = _outbox_keys(s, args.numbers) if args.numbers else None
    outcomes = s.run("resend", lambda task: s.account.resend_outbox(keys, task))
    if not outcomes:
        s.note("Nothing to send: Outbox holds nothing this account can send now.")
        return 0
    failed = 0
    for outcome in outcomes:
        subject = outcome.subject or "(no subject)"
        if outcome.error is None:
            s.say(f"Sent: {subject}.")
        else:
            failed += 1
            s.say(f"Not sent: {subject}: {outcome.error}")
    s.state.forget(outbox_view(s.account.name), [o.key for o in outcomes if o.error is None])
    return 1 if failed else 0


def _outbox_keys(s: Session, numbers: list[int]) -> list[str]:
    """Outbox messages by their numbers in the last ``pymail outbox`` list."""
    view = outbox_view(s.account.name)
    waiting = {e.key for e in s.account.outbox()}
    keys = []
    for n in numbers:
        key = s.state.require(view, n, what="outbox", again=s.hint("outbox"))
        if key not in waiting:
            raise UsageError(
                f"Message {n} of the last outbox list no longer waits in Outbox "
                "(sent or removed since)."
            )
        keys.append(key)
    return list(dict.fromkeys(keys))
