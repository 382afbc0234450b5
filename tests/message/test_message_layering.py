"""The message package is pure library code: no Qt, no network, no printing, no upward imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pymailgui.message

PACKAGE = Path(pymailgui.message.__file__).resolve().parent
FORBIDDEN = (
    "PySide6",
    "PyQt",
    "socket",
    "ssl",
    "smtplib",
    "poplib",
    "asyncio",
    "pymailgui.gui",
    "pymailgui.console",
    "pymailgui.actions",
    "pymailgui.pop",
    "pymailgui.smtp",
    "pymailgui.inbox",
    "pymailgui.store",
)


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_no_forbidden_imports_or_prints() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) >= 8
    for module in modules:
        for name in _imports(module):
            assert not name.startswith(FORBIDDEN), f"{module.name} imports {name}"
        tree = ast.parse(module.read_text(encoding="utf-8"))
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
        ]
        assert not calls, f"{module.name} prints"


def test_every_parse_names_its_policy() -> None:
    """STYLE.md: an explicit email.policy wherever mail is parsed or generated."""
    for module in PACKAGE.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"BytesParser", "Parser", "EmailMessage"}
            ):
                assert any(k.arg == "policy" for k in node.keywords), (module.name, node.lineno)
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"message_from_bytes", "message_from_string"}
            ):
                raise AssertionError(f"{module.name}:{node.lineno} uses a policy-less helper")
