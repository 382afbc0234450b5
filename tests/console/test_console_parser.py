"""The command line: global options before or after the command mean the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from pymailgui.console.parser import build_parser


@pytest.mark.parametrize(
    "argv",
    [
        ["--config", "c.toml", "--account", "work", "-v", "list", "--json"],
        ["list", "--json", "--config", "c.toml", "--account", "work", "-v"],
        ["--config", "c.toml", "list", "--account", "work", "--json", "-v"],
    ],
)
def test_global_options_anywhere(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert args.config == Path("c.toml") and args.account == "work"
    assert args.verbose and not args.demo and args.json and args.command == "list"


def test_defaults_without_global_options() -> None:
    args = build_parser().parse_args(["folder", "Saved", "list"])
    assert args.config is None and args.account is None and not args.demo
    assert args.name == "Saved" and args.folder_command == "list"


def test_demo_after_a_nested_command() -> None:
    args = build_parser().parse_args(["folder", "Saved", "show", "2", "--demo"])
    assert args.demo and args.number == 2


def test_bad_number_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["show", "0"])
    assert info.value.code == 2
    assert "not a message number" in capsys.readouterr().err
