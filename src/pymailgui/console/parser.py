"""The command line of ``pymail`` and the interactive mode's parsers, built from the table.

Every subcommand, option and help text comes from :data:`~pymailgui.console.commands.
COMMANDS`. A usage error prints the usage of the (sub)command it concerns - ``pymail
list --bogus`` shows ``list``'s - and exits 2. The interactive mode parses each line
with parsers built from the same declarations, whose errors are exceptions instead.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from pymailgui import __version__, paths
from pymailgui.console.commands import COMMANDS
from pymailgui.console.registry import Arg, Command, Registry, action_dest
from pymailgui.errors import UsageError

EXIT_USAGE = 2
#: The mode switch: not a command of the table, the way into the interactive mode.
INTERACTIVE = "interactive"


class _Parser(argparse.ArgumentParser):
    """Exits 2 after printing this parser's usage and the error (one ``pymail:`` line)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Subcommand name -> its parser, to find the one an error belongs to.
        self.children: dict[str, _Parser] = {}
        self.child_dest: str | None = None

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"pymail: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            # Blame the innermost subcommand that was chosen, so its usage is shown.
            self.chosen(parsed).error(f"unrecognized arguments: {' '.join(extra)}")
        return parsed

    def chosen(self, parsed: argparse.Namespace) -> _Parser:
        parser: _Parser = self
        while parser.child_dest is not None:
            child = parser.children.get(str(getattr(parsed, parser.child_dest, None)))
            if child is None:
                break
            parser = child
        return parser


class _LineParser(_Parser):
    """The interactive mode's: an error is a UsageError carrying the command's usage."""

    def error(self, message: str) -> NoReturn:
        usage = self.format_usage().strip().removeprefix("usage: ")
        raise UsageError(f"{message[:1].upper()}{message[1:]} (usage: {usage}).")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise UsageError(message.strip() if message else "Type ? for help.")


def build_parser(registry: Registry = COMMANDS) -> argparse.ArgumentParser:
    """The ``pymail`` command line."""
    p = _Parser(
        prog="pymail",
        description="A POP3/SMTP mail client for the console. Without a command, "
        "pymail starts its interactive mode.",
    )
    p.add_argument("--version", action="version", version=f"pymail {__version__}")
    _global_options(p)
    sub = _subparsers(p, "command", "COMMAND", required=False)
    for command in registry.cli_commands():
        _add_command(sub, p, command, interactive=False)
    mode = sub.add_parser(INTERACTIVE, help="the interactive mode (the default)")
    p.children[INTERACTIVE] = mode
    for parser in _descendants(p):
        _global_options(parser, default=argparse.SUPPRESS)
    return p


def line_parsers(registry: Registry = COMMANDS) -> dict[str, argparse.ArgumentParser]:
    """The interactive mode's parser for each command, by command name."""
    parsers: dict[str, argparse.ArgumentParser] = {}
    for command in registry.interactive_commands():
        parser = _LineParser(
            prog=command.letter or command.name, description=command.help, add_help=False
        )
        parser.set_defaults(command=command.name)
        _fill(parser, command, interactive=True)
        parsers[command.name] = parser
    return parsers


def _subparsers(p: _Parser, dest: str, metavar: str, *, required: bool) -> Any:
    p.child_dest = dest
    return p.add_subparsers(dest=dest, metavar=metavar, required=required, parser_class=type(p))


def _add_command(sub: Any, parent: _Parser, command: Command, *, interactive: bool) -> None:
    parser = sub.add_parser(
        command.name,
        aliases=list(command.aliases),
        help=command.help,
        description=command.description or command.help[:1].upper() + command.help[1:] + ".",
    )
    for word in command.words():
        parent.children[word] = parser
    _fill(parser, command, interactive=interactive)


def _fill(parser: _Parser, command: Command, *, interactive: bool) -> None:
    for a in command.leading:
        _add_arg(parser, a, interactive=interactive)
    if command.actions:
        sub = _subparsers(parser, action_dest(command), "ACTION", required=True)
        for action in command.actions:
            _add_command(sub, parser, action, interactive=interactive)
        return
    groups: dict[str, Any] = {}
    for a in command.all_args:
        target: Any = parser
        if a.group is not None:
            if a.group not in groups:
                groups[a.group] = parser.add_mutually_exclusive_group()
            target = groups[a.group]
        _add_arg(target, a, interactive=interactive)


def _add_arg(target: Any, a: Arg, *, interactive: bool) -> None:
    options = dict(a.options)
    if interactive and a.prompt is not None:
        options.pop("required", None)  # asked for instead (see dispatch.ask_missing)
    target.add_argument(*a.names, help=a.help, **options)


def _global_options(p: argparse.ArgumentParser, default: object = None) -> None:
    """--config, --account, --demo and -v: accepted before or after the command."""
    p.add_argument(
        "--config",
        type=Path,
        default=default,
        metavar="PATH",
        help=f"config file (default: {paths.config_file()}; its keys: docs/config.md)",
    )
    p.add_argument(
        "--account",
        default=default,
        metavar="NAME",
        help="account name from the config (default: the first)",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        default=default if default is not None else False,
        help="use the demo account: local servers on 127.0.0.1 with sample mail",
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default if default is not None else False,
        help="log what happens to stderr",
    )


def _descendants(p: _Parser) -> list[_Parser]:
    found: list[_Parser] = []
    for child in dict.fromkeys(p.children.values()):
        found.append(child)
        found.extend(_descendants(child))
    return found
