"""The shape of a console command, declared once (see ``commands.py`` for the table).

From one :class:`Command` the console builds its argparse subcommand, its entry in the
dispatcher, the interactive mode's word and one-letter alias, and both help texts. A
destructive command gets ``--yes`` from here, so every destructive verb follows one
rule (see ``terminal.confirm``).
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymailgui.console.context import Session

#: A command's work: the session and the parsed arguments in, the exit status out.
Handler = Callable[[Session, argparse.Namespace], int]
#: Checks one typed value, returning what it means; raises UsageError (see argtypes).
Check = Callable[[str], Any]


@dataclass(frozen=True)
class Arg:
    """One positional argument or option, with its help text (never empty)."""

    names: tuple[str, ...]
    help: str
    options: Mapping[str, Any] = field(default_factory=dict)
    #: The interactive mode asks for it when missing ("To: "), checking each answer.
    prompt: str | None = None
    #: Checks (and converts) each given value after parsing; raises UsageError.
    check: Check | None = None
    #: Options of one group exclude each other (``--raw`` or ``--html``).
    group: str | None = None

    @property
    def positional(self) -> bool:
        return not self.names[0].startswith("-")

    @property
    def dest(self) -> str:
        if "dest" in self.options:
            return str(self.options["dest"])
        longest = max(self.names, key=len)
        return longest.lstrip("-").replace("-", "_")


def arg(
    *names: str,
    help: str,
    prompt: str | None = None,
    check: Check | None = None,
    group: str | None = None,
    **options: Any,
) -> Arg:
    if not help:
        raise ValueError(f"{names[0]} needs a help text")
    return Arg(names, help, options, prompt, check, group)


#: ``--yes``, added to every destructive command.
YES = arg(
    "-y", "--yes", help="do not ask to confirm (needed without a terminal)", action="store_true"
)


@dataclass(frozen=True)
class Command:
    """One console command.

    ``letter`` is the interactive mode's one-letter alias; ``interactive`` says whether
    the mode has the command at all, ``cli`` whether the command line has it (quit and
    undelete exist only in the interactive mode). ``interactive_handler`` replaces the
    handler there (``delete`` marks for deletion at quit). A command with ``actions``
    takes ``leading`` arguments and then one of its actions (``folder NAME list``).
    """

    name: str
    help: str
    handler: Handler | None = None
    args: tuple[Arg, ...] = ()
    aliases: tuple[str, ...] = ()
    destructive: bool = False
    letter: str | None = None
    interactive: bool = True
    cli: bool = True
    interactive_handler: Handler | None = None
    interactive_help: str | None = None
    leading: tuple[Arg, ...] = ()
    actions: tuple[Command, ...] = ()
    description: str | None = None

    def __post_init__(self) -> None:
        if (self.handler is None) == (not self.actions):
            raise ValueError(f"{self.name}: give a handler or actions, not both or neither")

    @property
    def all_args(self) -> tuple[Arg, ...]:
        return (*self.args, YES) if self.destructive else self.args

    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def handler_for(self, interactive: bool) -> Handler:
        handler = self.interactive_handler if interactive and self.interactive_handler else None
        handler = handler or self.handler
        assert handler is not None, self.name
        return handler

    def synopsis(self, *, interactive: bool = False) -> str:
        """How to type it, e.g. ``delete N [N ...] [--uid UID] [-y]``."""
        parts = [_synopsis(a, interactive) for a in self.leading]
        if self.actions:
            parts.append("{" + ",".join(a.name for a in self.actions) + "} ...")
        parts += [_synopsis(a, interactive) for a in self.all_args]
        return " ".join(p for p in parts if p)


def _synopsis(a: Arg, interactive: bool) -> str:
    metavar = a.options.get("metavar")
    action = a.options.get("action")
    nargs = a.options.get("nargs")
    if a.positional:
        text = str(metavar or a.dest.upper())
        if nargs == "*":
            return f"[{text} ...]"
        if nargs == "+":
            return f"{text} [{text} ...]"
        return f"[{text}]" if nargs == "?" else text
    flag = min(a.names, key=len) if len(a.names) > 1 and action == "store_true" else a.names[-1]
    if action in ("store_true", "store_false"):
        text = flag
    else:
        text = f"{flag} {metavar or a.dest.upper()}"
    if a.options.get("required") and not (interactive and a.prompt):
        return text
    return f"[{text}]"


@dataclass(frozen=True)
class Registry:
    """Every command, in the order help lists them."""

    commands: tuple[Command, ...]

    def __iter__(self) -> Iterator[Command]:
        return iter(self.commands)

    def cli_commands(self) -> list[Command]:
        return [c for c in self.commands if c.cli]

    def interactive_commands(self) -> list[Command]:
        return [c for c in self.commands if c.interactive]

    def interactive_words(self) -> dict[str, Command]:
        """Every word the interactive mode understands (letters, names, aliases)."""
        found: dict[str, Command] = {}
        for command in self.interactive_commands():
            for word in (command.letter, *command.words()):
                if word:
                    if word in found:
                        raise ValueError(f"the interactive word {word!r} is taken twice")
                    found[word] = command
        return found

    def hints(self) -> dict[str, str]:
        """command name -> how the interactive mode types it (its letter, else its name)."""
        return {c.name: c.letter or c.name for c in self.interactive_commands()}

    def interactive_help(self, columns: int = 80) -> str:
        """The interactive mode's help text, generated from the table, ``columns`` wide."""
        lines = textwrap.wrap(
            "Commands (N is a number from the last list shown; a prompt asks for what is missing):",
            columns - 1,
        )
        for c in self.interactive_commands():
            words = ", ".join(w for w in (c.letter, *c.words()) if w)
            usage = f"{words} {c.synopsis(interactive=True)}".rstrip()
            lines += textwrap.wrap(
                usage, columns - 1, initial_indent="  ", subsequent_indent="      "
            )
            lines += textwrap.wrap(
                c.interactive_help or c.help,
                columns - 1,
                initial_indent="      ",
                subsequent_indent="      ",
            )
        return "\n".join(lines)


def action_dest(command: Command) -> str:
    """Where argparse puts the chosen action of ``command`` (``folder_command``)."""
    return f"{command.name.replace('-', '_')}_command"


def lookup(parsed: argparse.Namespace, registry: Sequence[Command]) -> Command:
    """The command (or action) the parsed arguments name."""
    name = parsed.command
    for command in registry:
        if name in command.words():
            if command.actions:
                action = getattr(parsed, action_dest(command))
                for sub in command.actions:
                    if action in sub.words():
                        return sub
                raise LookupError(f"{name} {action}")
            return command
    raise LookupError(name)
