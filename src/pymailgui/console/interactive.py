"""The interactive mode, in the spirit of the book's ``pymail``.

Its commands, one-letter aliases and help text come from the same table as the command
line (``commands.py``); each line is parsed by a parser built from it. Deletions are
marked first and carried out at quit, after a confirmation that lists them, through the
core's safe delete: the server is touched once, for exactly the marked messages.
Ctrl-C stops what is running (a task is cancelled, a message being written is
dropped) and comes back to the prompt; q or the end of input leaves.
"""

from __future__ import annotations

import shlex

from pymailgui.console import dispatch
from pymailgui.console import format as fmt
from pymailgui.console.commands import COMMANDS
from pymailgui.console.context import Session
from pymailgui.console.parser import line_parsers
from pymailgui.console.registry import Registry
from pymailgui.console.server_cmds import finish
from pymailgui.console.terminal import Declined, ask_line
from pymailgui.errors import MailError


class Interactive:
    def __init__(self, session: Session, registry: Registry = COMMANDS) -> None:
        self.s = session
        self.registry = registry
        self.words = registry.interactive_words()
        self.parsers = line_parsers(registry)
        session.interactive = True
        session.hints = registry.hints()
        session.help_text = registry.interactive_help(min(100, fmt.terminal_columns()))
        letters = [c.letter for c in registry.interactive_commands() if c.letter]
        self.prompt = f"[{session.account.name}] Action? ({', '.join(letters)}, ?) "

    def run(self) -> int:
        s = self.s
        settings = s.account.settings
        s.say(f"PyMailGUI console, account {settings.name} <{settings.address}>. Type ? for help.")
        self.line("list")
        while not s.leave:
            try:
                line = ask_line(self.prompt, s.stdin, s.out)
            except KeyboardInterrupt:
                s.say("\n(Type q to quit.)")
                continue
            if line is None:  # end of input: leave, deleting nothing unconfirmed
                s.say("")
                return 0 if finish(s) else 1
            self.line(line)
        return 0

    def line(self, line: str) -> None:
        """Run one typed line; every error is shown here and the mode goes on."""
        s = self.s
        try:
            words = shlex.split(line)
        except ValueError as exc:
            s.say(f"Cannot read that: {exc}.")
            return
        if not words:
            return
        command = self.words.get(words[0]) or self.words.get(words[0].lower())
        if command is None:
            s.say(f"Unknown command {words[0]!r}; type ? for help.")
            return
        try:
            parsed = self.parsers[command.name].parse_args(words[1:])
            dispatch.run(s, self.registry, parsed)
        except Declined as exc:
            s.say(str(exc))
        except MailError as exc:  # the one place the interactive mode shows errors
            s.say(f"Error: {exc}")
        except KeyboardInterrupt:
            s.say("\nStopped; nothing more was done.")
