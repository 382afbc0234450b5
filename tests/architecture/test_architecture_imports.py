"""The architecture, checked by reading the imports (no module is executed).

- Only ``pymailgui.gui`` may import Qt (PySide6/PyQt/shiboken).
- Dependencies point downward: front ends -> actions -> inbox/message/smtp/store ->
  pop/config/paths/errors. Nothing below ``actions`` knows a user is watching (no
  console, no gui), and the protocol layer knows nothing of the inbox above it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src" / "pymailgui"
QT_MODULES = ("PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "qtpy")

# package -> packages it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "errors": ("config", "pop", "inbox", "message", "smtp", "store", "actions", "console", "gui"),
    "sqlite_wal": ("config", "pop", "inbox", "message", "smtp", "store", "actions", "console"),
    "tls": ("config", "pop", "inbox", "message", "smtp", "store", "actions", "console", "gui"),
    "paths": ("config", "pop", "inbox", "message", "smtp", "store", "actions", "console", "gui"),
    "config": ("pop", "inbox", "message", "smtp", "store", "actions", "console", "gui"),
    "pop": ("inbox", "message", "smtp", "store", "actions", "console", "gui", "devserver"),
    # the inbox summarizes headers with the message package's lenient decoder
    "inbox": ("smtp", "store", "actions", "console", "gui", "devserver"),
    "message": ("pop", "inbox", "smtp", "store", "actions", "console", "gui", "devserver"),
    "store": ("pop", "inbox", "smtp", "actions", "console", "gui", "devserver"),
    "smtp": ("pop", "inbox", "actions", "console", "gui", "devserver"),
    "actions": ("console", "gui", "devserver"),
    "console": ("gui",),
    "devserver": ("actions", "console", "gui", "inbox"),
}


def modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def package_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def test_the_tree_is_there() -> None:
    assert len(modules()) > 30


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_only_gui_imports_qt(path: Path) -> None:
    if package_of(path) == "gui":
        return
    bad = [n for n in imported(path) if n.split(".")[0] in QT_MODULES]
    assert not bad, f"{path.relative_to(SRC)} imports {bad}: only pymailgui.gui may use Qt"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_dependencies_point_downward(path: Path) -> None:
    forbidden = FORBIDDEN.get(package_of(path), ())
    bad = [
        n
        for n in imported(path)
        if n.startswith("pymailgui.") and n.split(".")[1] in forbidden
    ]
    assert not bad, f"{path.relative_to(SRC)} imports {bad}, which sits above it"


def test_checker_catches_a_qt_import(tmp_path: Path) -> None:
    fake = tmp_path / "x.py"
    fake.write_text("from PySide6.QtWidgets import QWidget\nimport os\n")
    assert "PySide6.QtWidgets" in imported(fake)
