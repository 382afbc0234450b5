"""The interactive mode, in the spirit of the book's ``pymail``.

Deletions are marked first and carried out at quit, after a confirmation, through the
core's safe delete: the server is touched once, for exactly the marked messages.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from typing import TextIO

from pymailgui.actions import Account
from pymailgui.console import format as fmt
from pymailgui.console.commands import progress_printer, render_message
from pymailgui.errors import MailError, UsageError
from pymailgui.message import Draft

HELP = """\
Commands (a number is the one shown in the last index):
  i, index            refresh from the server and show the index
  l, list N [N ...]   show messages N (l without N: the next one)
  raw N               show message N exactly as stored
  d, delete N [N ...] mark messages for deletion (done at quit, after asking)
  u, undelete N ...   unmark messages
  s, save N [N ...] [FOLDER]  copy messages into a local folder (default: Saved)
  m, mail             write and send a new message
  r, reply N          reply to message N (ra N: reply to all)
  f, forward N ADDR   forward message N to ADDR
  q, quit             delete the marked messages (after asking) and leave
  ?, help             this text"""


class Interactive:
    def __init__(
        self, account: Account, stdin: TextIO | None = None, stdout: TextIO | None = None
    ) -> None:
        self.account = account
        self.stdin = stdin or sys.stdin
        self.out = stdout or sys.stdout
        self.marked: list[str] = []
        self.current = 0
        self.commands: dict[str, Callable[[list[str]], bool]] = {}
        for names, fn in (
            (("i", "index"), self.do_index),
            (("l", "list", "show"), self.do_show),
            (("raw",), self.do_raw),
            (("s", "save"), self.do_save),
            (("m", "mail"), self.do_mail),
            (("r", "reply"), self.do_reply),
            (("ra", "replyall"), self.do_reply_all),
            (("f", "forward"), self.do_forward),
            (("d", "delete"), self.do_delete),
            (("u", "undelete"), self.do_undelete),
            (("q", "quit", "exit"), self.do_quit),
            (("?", "h", "help"), self.do_help),
        ):
            for name in names:
                self.commands[name] = fn

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def ask(self, prompt: str) -> str | None:
        print(prompt, end="", file=self.out, flush=True)
        line = self.stdin.readline()
        return line if line else None

    def run(self) -> int:
        a = self.account.account
        self.say(f"PyMailGUI console, account {a.name} <{a.address}>. Type ? for help.")
        self.do_index([])
        while True:
            line = self.ask(f"[{a.name}] Action? (i, l, d, s, m, r, f, q, ?) ")
            if line is None:  # end of input: leave, deleting nothing unconfirmed
                self.say("")
                return 0 if self.finish() else 1
            try:
                words = shlex.split(line)
            except ValueError as exc:
                self.say(f"Cannot read that: {exc}.")
                continue
            if not words:
                continue
            handler = self.commands.get(words[0].lower())
            if handler is None:
                self.say(f"Unknown command {words[0]!r}; type ? for help.")
                continue
            try:
                if handler(words[1:]):
                    return 0
            except MailError as exc:  # the one place the interactive mode shows errors
                self.say(f"Error: {exc}")

    # -- commands: each returns True to leave --------------------------------------------
    def do_help(self, args: list[str]) -> bool:
        self.say(HELP)
        return False

    def do_index(self, args: list[str]) -> bool:
        try:
            report = self.account.refresh(progress_printer())
            self.say(str(report))
        except MailError as exc:
            self.say(f"Error: {exc}")
            self.say("Showing the index as it was last loaded.")
        entries = self.account.cached_index()
        self.account.inbox.remember_shown([e.uid for e in entries])
        marked = set(self.marked)
        for line, e in zip(fmt.index_lines(entries), entries, strict=True):
            self.say(("D " if e.uid in marked else "  ") + line)
        if not entries:
            self.say("The inbox is empty.")
        return False

    def _numbers(self, args: list[str]) -> list[int]:
        try:
            nums = [int(a) for a in args]
        except ValueError:
            raise UsageError("Message numbers are whole numbers from the index.") from None
        return nums

    def do_show(self, args: list[str]) -> bool:
        nums = self._numbers(args) or [self.current + 1]
        for n in nums:
            uid = self.account.inbox.shown_uid(n)
            data = self.account.fetch(uid)
            self.say("-" * 70)
            self.say(render_message(data, self.account.config.general.wrap_width))
            self.current = n
        return False

    def do_raw(self, args: list[str]) -> bool:
        for n in self._numbers(args) or [self.current]:
            data = self.account.fetch(self.account.inbox.shown_uid(n))
            self.say(data.decode("utf-8", "replace"))
        return False

    def do_delete(self, args: list[str]) -> bool:
        nums = self._numbers(args) or [self.current]
        for n in nums:
            uid = self.account.inbox.shown_uid(n)
            if uid not in self.marked:
                self.marked.append(uid)
        self.say(f"{len(self.marked)} marked for deletion (done at quit).")
        return False

    def do_undelete(self, args: list[str]) -> bool:
        for n in self._numbers(args):
            uid = self.account.inbox.shown_uid(n)
            if uid in self.marked:
                self.marked.remove(uid)
        self.say(f"{len(self.marked)} marked for deletion.")
        return False

    def do_save(self, args: list[str]) -> bool:
        folder = "Saved"
        if args and not args[-1].isdigit():
            folder = args.pop()
        nums = self._numbers(args) or [self.current]
        uids = [self.account.inbox.shown_uid(n) for n in nums]
        self.say(str(self.account.save_to_folder(uids, folder)))
        return False

    def _text(self) -> str | None:
        """Lines typed until a line with a single "." (or end of input)."""
        self.say('Type the text; end with a line holding only ".".')
        lines: list[str] = []
        while (line := self.ask("")) is not None:
            if line.rstrip("\r\n") == ".":
                return "\n".join(lines) + "\n"
            lines.append(line.rstrip("\r\n"))
        return None

    def _send(self, draft: Draft, text: str) -> None:
        if text.strip():
            draft.body = text.rstrip("\n") + "\n\n" + draft.body.lstrip("\n")
        answer = self.ask("Send it? [Y/n/draft] ")
        choice = (answer or "n").strip().lower()
        if choice in ("d", "draft"):
            self.account.save_draft(draft)
            self.say("Kept in Drafts.")
        elif choice in ("", "y", "yes"):
            result = self.account.send(draft)
            self.say(f"Sent to {', '.join(result.accepted)}.")
            for address, (code, reply) in result.refused.items():
                self.say(f"Not delivered to {address}: {code} {reply}")
        else:
            self.say("Not sent.")

    def do_mail(self, args: list[str]) -> bool:
        to = (self.ask("To: ") or "").strip()
        cc = (self.ask("Cc: ") or "").strip()
        subject = (self.ask("Subject: ") or "").rstrip("\r\n")
        text = self._text()
        if not to or text is None:
            self.say("Not sent (no recipient or no text).")
            return False
        self._send(Draft(to=[to], cc=[cc] if cc else [], subject=subject), text)
        return False

    def _original(self, args: list[str]) -> bytes:
        nums = self._numbers(args[:1]) or [self.current]
        return self.account.fetch(self.account.inbox.shown_uid(nums[0]))

    def do_reply(self, args: list[str], reply_all: bool = False) -> bool:
        draft = self.account.reply_draft(self._original(args), reply_all=reply_all)
        self.say(f"To: {', '.join(draft.to)}  Cc: {', '.join(draft.cc)}  Subject: {draft.subject}")
        text = self._text()
        if text is not None:
            self._send(draft, text)
        return False

    def do_reply_all(self, args: list[str]) -> bool:
        return self.do_reply(args, reply_all=True)

    def do_forward(self, args: list[str]) -> bool:
        if len(args) < 2:
            raise UsageError("Say which message and to whom: f N ADDRESS.")
        draft = self.account.forward_draft(self._original(args), [args[1]])
        text = self._text()
        if text is not None:
            self._send(draft, text)
        return False

    def do_quit(self, args: list[str]) -> bool:
        return self.finish()

    def finish(self) -> bool:
        """Carry out the marked deletions if confirmed; True when it is fine to leave."""
        if not self.marked:
            return True
        answer = self.ask(f"Delete {len(self.marked)} marked messages from the server? [y/N] ")
        if answer is None or answer.strip().lower() not in ("y", "yes"):
            self.say("Nothing was deleted.")
            return True
        try:
            self.say(str(self.account.delete(self.marked)))
        except MailError as exc:
            self.say(f"Error: {exc}")
            return False
        self.marked.clear()
        return True
