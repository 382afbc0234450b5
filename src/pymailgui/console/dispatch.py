"""Running a parsed command: its input checks, the interactive prompts, its handler."""

from __future__ import annotations

import argparse

from pymailgui.console.context import Session
from pymailgui.console.registry import Arg, Command, Registry, lookup
from pymailgui.console.terminal import ask_line
from pymailgui.errors import UsageError


def run(s: Session, registry: Registry, parsed: argparse.Namespace) -> int:
    """Check the input of the command ``parsed`` names, then run its handler."""
    command = lookup(parsed, tuple(registry))
    if s.interactive:
        ask_missing(s, command, parsed)
    check_input(command, parsed)
    return command.handler_for(s.interactive)(s, parsed)


def _declared(command: Command) -> tuple[Arg, ...]:
    return (*command.leading, *command.all_args)


def check_input(command: Command, parsed: argparse.Namespace) -> None:
    """Run each argument's check on what was given (UsageError: exit 2, nothing done)."""
    for a in _declared(command):
        if a.check is None:
            continue
        value = getattr(parsed, a.dest, None)
        if isinstance(value, list):
            setattr(parsed, a.dest, [a.check(v) for v in value])
        elif isinstance(value, str):
            setattr(parsed, a.dest, a.check(value))


def ask_missing(s: Session, command: Command, parsed: argparse.Namespace) -> None:
    """The interactive mode asks for what a command prompts for ("To: "), checking each
    answer as it is typed: a bad address is said at once, not after the whole text."""
    for a in _declared(command):
        if a.prompt is None or getattr(parsed, a.dest, None):
            continue
        while True:
            answer = ask_line(f"{a.prompt}: ", s.stdin, s.out)
            if answer is None:
                raise UsageError("Input ended; nothing was done.")
            answer = answer.strip()
            if not answer:
                break
            try:
                if a.check is not None:
                    a.check(answer)
            except UsageError as exc:
                s.say(f"{exc} Type it again, or leave it empty.")
                continue
            value: object = [answer] if a.options.get("action") == "append" else answer
            setattr(parsed, a.dest, value)
            break
