"""The command table is the one source: parser, dispatcher, interactive words, help."""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

import pytest

from pymailgui.console.commands import COMMANDS
from pymailgui.console.parser import INTERACTIVE, build_parser, line_parsers
from pymailgui.console.registry import Command, lookup
from pymailgui.errors import UsageError

CONSOLE = Path(__file__).resolve().parents[2] / "src" / "pymailgui" / "console"


def every_parser(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += every_parser(child)
    return found


def test_every_option_and_argument_has_help() -> None:
    missing = [
        f"{p.prog} {a.option_strings or a.dest}"
        for p in every_parser(build_parser())
        for a in p._actions
        if not isinstance(a, argparse._SubParsersAction) and not (a.help or "").strip()
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["send", "--help"], "--to"),
        (["send", "--help"], "--cc"),
        (["send", "--help"], "--bcc"),
        (["send", "--help"], "--subject"),
        (["send", "--help"], "--attach"),
        (["delete", "--help"], "N"),
        (["import-mbox", "--help"], "--folder"),
    ],
)
def test_the_options_the_issue_names_have_help(
    argv: list[str], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(argv)
    lines = capsys.readouterr().out.splitlines()
    (line,) = [ln for ln in lines if ln.strip().startswith(option)]
    help_text = line.strip().split(None, 2)[-1] if len(line.split()) > 2 else ""
    assert help_text and help_text != option, line


def test_the_parser_has_exactly_the_command_line_commands() -> None:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    expected = {w for c in COMMANDS.cli_commands() for w in c.words()} | {INTERACTIVE}
    assert set(sub.choices) == expected


def test_every_command_line_command_dispatches_to_its_handler() -> None:
    parser = build_parser()
    samples = {
        "show": ["1"],
        "parts": ["1", "--dir", "x"],
        "import-mbox": ["f", "--folder", "F"],
        "export-mbox": ["F", "f"],
        "send": ["--subject", "s"],
        "forward": ["1", "--to", "a@example.com"],
    }
    for command in COMMANDS.cli_commands():
        cases: list[tuple[list[str], Command]] = []
        if command.actions:
            for action in command.actions:
                extra = {
                    "show": ["1"],
                    "delete": ["1"],
                    "move": ["1", "--to", "X"],
                    "copy": ["1", "--to", "X"],
                    "rename": ["New"],
                }.get(action.name, [])
                cases.append(([command.name, "Saved", action.name, *extra], action))
        else:
            cases.append(([command.name, *samples.get(command.name, [])], command))
        for argv, expected in cases:
            parsed = parser.parse_args(argv)
            assert lookup(parsed, tuple(COMMANDS)) is expected, argv


def test_destructive_commands_take_yes_and_only_they() -> None:
    parser = build_parser()
    destructive = {"delete", "save", "folder delete", "folder remove"}
    found = set()
    for p in every_parser(parser):
        if any("--yes" in a.option_strings for a in p._actions):
            found.add(p.prog.removeprefix("pymail ").replace(" NAME", ""))
    assert found == destructive


def test_interactive_words_and_help_come_from_the_table() -> None:
    words = COMMANDS.interactive_words()
    assert {w: c.name for w, c in words.items() if len(w) == 1 and w.isalpha()} == {
        "i": "list", "l": "show", "d": "delete", "u": "undelete", "s": "save", "m": "send",
        "r": "reply", "f": "forward", "o": "outbox", "q": "quit", "h": "help",
    }  # fmt: skip
    text = COMMANDS.interactive_help()
    for command in COMMANDS.interactive_commands():
        assert (command.interactive_help or command.help) in " ".join(text.split())
    assert "password" not in text  # not in the interactive mode
    assert max(len(line) for line in text.splitlines()) < 80


def test_interactive_parsers_raise_instead_of_exiting() -> None:
    parsers = line_parsers()
    with pytest.raises(UsageError, match=r"usage: l "):
        parsers["show"].parse_args(["--bogus"])
    # What the interactive mode asks for is not required on its line.
    parsed = parsers["send"].parse_args([])
    assert parsed.subject is None and parsed.to == []


#: Local imports the console may make, and why: none of them can hide a circle (the
#: demo imports nothing of the console; tests/bench_tests/test_startup.py checks the
#: first is needed: without it every command loaded the demo servers and aiosmtpd).
ALLOWED_LOCAL_IMPORTS = {("main.py", "pymailgui.demo")}


def test_no_local_imports_in_the_console() -> None:
    """An import inside a function is how a circle hides; the console needs none but
    the allowed ones above."""
    hidden = []
    for path in CONSOLE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                hidden += [
                    f"{path.name}:{n.lineno}"
                    for n in ast.walk(node)
                    if isinstance(n, ast.Import | ast.ImportFrom)
                    and (path.name, getattr(n, "module", None)) not in ALLOWED_LOCAL_IMPORTS
                ]
    assert hidden == []


def test_no_import_circle_in_the_console() -> None:
    graph: dict[str, set[str]] = {}
    for path in CONSOLE.glob("*.py"):
        name = f"pymailgui.console.{path.stem}"
        deps = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "pymailgui.console":
                    deps |= {f"pymailgui.console.{a.name}" for a in node.names}
                elif node.module.startswith("pymailgui.console."):
                    deps.add(node.module)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            assert state.get(dep) != 1, " -> ".join([*trail, node, dep])
            if dep not in state:
                visit(dep, [*trail, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
