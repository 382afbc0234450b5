"""The architecture, checked by reading the imports (no module is executed).

The rules are in :mod:`tests.architecture.checker`. Two parts here: the real tree has
no violation, and every rule catches a planted violation (a module tree written as
strings), so a hole in the checker fails a test too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.checker import (
    ALLOWED,
    Import,
    Module,
    all_imports,
    imports_of,
    tree_from_directory,
    tree_from_sources,
    violations,
)

SRC = Path(__file__).parents[2] / "src"


@pytest.fixture(scope="module")
def real_tree() -> dict[str, Module]:
    return tree_from_directory(SRC)


def test_the_tree_is_there(real_tree: dict[str, Module]) -> None:
    assert len(real_tree) > 30
    assert {"pymailgui.pop.client", "pymailgui.inbox", "pymailgui.errors"} <= set(real_tree)


def test_the_real_tree_keeps_every_rule(real_tree: dict[str, Module]) -> None:
    problems = violations(real_tree)
    assert problems == [], "\n".join(problems)


def test_every_top_level_package_has_rules(real_tree: dict[str, Module]) -> None:
    tops = {name.split(".")[1] for name in real_tree if name.count(".") >= 1}
    assert tops <= set(ALLOWED)


# -- parsing -----------------------------------------------------------------------------


def parsed(path: str, source: str, *others: str) -> set[str]:
    """The targets imported by one planted module (``others``: more module paths)."""
    tree = tree_from_sources({path: source, **{other: "" for other in others}})
    (module,) = [m for m in tree.values() if m.path == path]
    return {imp.target for imp in imports_of(module, tree)}


def test_parses_import_and_from_import() -> None:
    source = "import os, pymailgui.pop.client as c\nfrom pymailgui.errors import MailError\n"
    assert parsed("pymailgui/x.py", source) == {"os", "pymailgui.pop.client", "pymailgui.errors"}


def test_from_package_import_module_is_that_module() -> None:
    source = "from pymailgui import console, errors\nfrom pymailgui.pop import POP3Client\n"
    targets = parsed(
        "pymailgui/inbox/x.py", source, "pymailgui/console/__init__.py", "pymailgui/pop/__init__.py"
    )
    # console is a module of the tree; errors is not planted, so the package is named;
    # POP3Client is a name in pymailgui.pop.
    assert targets == {"pymailgui.console", "pymailgui", "pymailgui.pop"}


def test_relative_imports() -> None:
    source = (
        "from . import cache\nfrom .. import console\n"
        "from ..pop.parse import x\nfrom .model import y\n"
    )
    others = ("pymailgui/inbox/cache.py", "pymailgui/console/__init__.py", "pymailgui/pop/parse.py")
    assert parsed("pymailgui/inbox/session.py", source, *others) == {
        "pymailgui.inbox.cache",
        "pymailgui.console",
        "pymailgui.pop.parse",
        "pymailgui.inbox.model",
    }
    # In a package's __init__, "." is the package itself.
    assert parsed("pymailgui/inbox/__init__.py", "from .model import Inbox\n") == {
        "pymailgui.inbox.model"
    }


def test_relative_import_beyond_the_top_is_refused() -> None:
    tree = tree_from_sources({"pymailgui/x.py": "from ... import y\n"})
    with pytest.raises(ValueError, match="beyond the top-level package"):
        all_imports(tree)


def test_local_type_checking_and_dynamic_imports_are_found_and_told_apart() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import typing\n"
        "if TYPE_CHECKING:\n"
        "    from pymailgui.actions import Account\n"
        "else:\n"
        "    import pymailgui.store\n"
        "if typing.TYPE_CHECKING:\n"
        "    import pymailgui.smtp\n"
        "def f():\n"
        "    from pymailgui.inbox import model\n"
        "    return importlib.import_module('pymailgui.console')\n"
        "class C:\n"
        "    import pymailgui.message\n"
        "g = lambda: __import__('pymailgui.gui')\n"
    )
    tree = tree_from_sources({"pymailgui/pop/x.py": source})
    found = {(i.target, i.local, i.type_only) for i in imports_of(tree["pymailgui.pop.x"], tree)}
    assert {
        ("pymailgui.actions", False, True),
        ("pymailgui.store", False, False),
        ("pymailgui.smtp", False, True),
        ("pymailgui.inbox", True, False),
        ("pymailgui.console", True, False),
        ("pymailgui.message", False, False),  # a class body runs at import time
        ("pymailgui.gui", True, False),
    } <= found


# -- every rule catches a planted violation ----------------------------------------------

#: (what the hole is, the planted files, a piece of the expected violation)
PLANTED: list[tuple[str, dict[str, str], str]] = [
    (
        "from pymailgui import console inside inbox (the hole of issue 6)",
        {
            "pymailgui/inbox/x.py": "from pymailgui import console\n",
            "pymailgui/console/__init__.py": "",
        },
        "pymailgui/inbox/x.py:1 imports pymailgui.console: pymailgui.inbox may not import",
    ),
    (
        "from pymailgui.console.main import main in inbox",
        {"pymailgui/inbox/x.py": "from pymailgui.console.main import main\n"},
        "pymailgui.inbox may not import pymailgui.console",
    ),
    (
        "import pymailgui.actions as a in pop",
        {"pymailgui/pop/x.py": "import pymailgui.actions as a\n"},
        "pymailgui.pop may not import pymailgui.actions",
    ),
    (
        "relative from ..inbox import model in pop",
        {"pymailgui/pop/x.py": "from ..inbox import model\n"},
        "imports pymailgui.inbox: pymailgui.pop may not import pymailgui.inbox",
    ),
    (
        "relative from .. import console in message",
        {"pymailgui/message/x.py": "from .. import console\n", "pymailgui/console/__init__.py": ""},
        "pymailgui.message may not import pymailgui.console",
    ),
    (
        "upward import inside a function",
        {"pymailgui/store/x.py": "def f():\n    from pymailgui.actions import Account\n"},
        "(inside a function): pymailgui.store may not import pymailgui.actions",
    ),
    (
        "upward import under TYPE_CHECKING",
        {"pymailgui/pop/x.py": "if TYPE_CHECKING:\n    from pymailgui.inbox.model import Inbox\n"},
        "(type-only): pymailgui.pop may not import pymailgui.inbox",
    ),
    (
        "importlib.import_module of the console in actions",
        {
            "pymailgui/actions/x.py": (
                "import importlib\nimportlib.import_module('pymailgui.console')\n"
            )
        },
        "pymailgui.actions may not import pymailgui.console",
    ),
    (
        "a new top-level package without rules",
        {"pymailgui/plugins/__init__.py": ""},
        "pymailgui.plugins has no layer rules",
    ),
    (
        "PySide6 in actions",
        {"pymailgui/actions/x.py": "import PySide6.QtWidgets\n"},
        "imports PySide6.QtWidgets: only pymailgui.gui may use Qt",
    ),
    (
        "shiboken6 in the console",
        {"pymailgui/console/x.py": "from shiboken6 import isValid\n"},
        "imports shiboken6: only pymailgui.gui may use Qt",
    ),
    (
        "PyQt6 in message, inside a function",
        {"pymailgui/message/x.py": "def f():\n    from PyQt6 import QtCore\n"},
        "only pymailgui.gui may use Qt",
    ),
    (
        "the console imports the gui",
        {"pymailgui/console/x.py": "from pymailgui.gui import app\n"},
        "only pymailgui.gui itself and the entry points may import pymailgui.gui",
    ),
    (
        "the gui imports the console",
        {"pymailgui/gui/x.py": "import pymailgui.console.format\n"},
        "only pymailgui.console itself and the entry points may import pymailgui.console",
    ),
    (
        "the core imports the gui",
        {"pymailgui/actions/x.py": "from pymailgui.gui.app import main\n"},
        "only pymailgui.gui itself and the entry points may import pymailgui.gui",
    ),
    (
        "the core imports the devserver",
        {"pymailgui/inbox/x.py": "from pymailgui.devserver import Maildrop\n"},
        "only pymailgui.demo may import the devserver",
    ),
    (
        "a front end imports the devserver (not through demo.py)",
        {"pymailgui/console/x.py": "from pymailgui.devserver.demo import DemoServer\n"},
        "only pymailgui.demo may import the devserver",
    ),
    (
        "a module-level import cycle",
        {
            "pymailgui/store/a.py": "from pymailgui.store import b\n",
            "pymailgui/store/b.py": "import pymailgui.store.a\n",
        },
        "import cycle at module level: pymailgui.store.a -> pymailgui.store.b",
    ),
    (
        "a cycle through three modules and a package __init__",
        {
            "pymailgui/store/__init__.py": "from pymailgui.store.a import A\n",
            "pymailgui/store/a.py": "from .b import B\n",
            "pymailgui/store/b.py": "from pymailgui.store import A\n",
        },
        "import cycle at module level: pymailgui.store -> pymailgui.store.a -> pymailgui.store.b",
    ),
    (
        "a function-local import that hides a cycle (the console's commands/local_cmds)",
        {
            "pymailgui/console/commands.py": (
                "def run():\n    from pymailgui.console import local_cmds\n"
            ),
            "pymailgui/console/local_cmds.py": "from pymailgui.console.commands import run\n",
        },
        "pymailgui/console/commands.py:2 imports pymailgui.console.local_cmds (inside a function): "
        "a function-local import that hides the cycle",
    ),
]


@pytest.mark.parametrize(("hole", "files", "expected"), PLANTED, ids=[p[0] for p in PLANTED])
def test_a_planted_violation_is_reported(hole: str, files: dict[str, str], expected: str) -> None:
    problems = violations(tree_from_sources(files))
    assert any(expected in p for p in problems), f"{hole}: not reported in {problems}"


#: Allowed imports, so the checker does not cry wolf.
ALLOWED_PLANTS: list[tuple[str, dict[str, str]]] = [
    (
        "the gui uses Qt and the actions",
        {
            "pymailgui/gui/x.py": (
                "from PySide6 import QtWidgets\nfrom pymailgui.actions import Account\n"
            )
        },
    ),
    (
        "demo.py uses the devserver",
        {"pymailgui/demo.py": "from pymailgui.devserver.demo import DemoServer\n"},
    ),
    (
        "an entry point starts either front end",
        {
            "pymailgui/__main__.py": (
                "from pymailgui.console.main import main\nfrom pymailgui.gui import app\n"
            )
        },
    ),
    (
        "the console reads the version",
        {"pymailgui/console/x.py": "from pymailgui import __version__\n"},
    ),
    (
        "a package imports itself",
        {
            "pymailgui/pop/__init__.py": "from pymailgui.pop.client import C\n",
            "pymailgui/pop/client.py": "from pymailgui.pop.parse import p\n",
            "pymailgui/pop/parse.py": "",
        },
    ),
    (
        "a cycle that exists only for the type checker",
        {
            "pymailgui/devserver/a.py": "from pymailgui.devserver import b\n",
            "pymailgui/devserver/b.py": (
                "if TYPE_CHECKING:\n    from pymailgui.devserver.a import A\n"
            ),
        },
    ),
    (
        "a local import that closes no cycle",
        {"pymailgui/config/x.py": "def f():\n    import keyring\n"},
    ),
]


@pytest.mark.parametrize(("what", "files"), ALLOWED_PLANTS, ids=[p[0] for p in ALLOWED_PLANTS])
def test_an_allowed_import_is_not_reported(what: str, files: dict[str, str]) -> None:
    assert violations(tree_from_sources(files)) == [], what


def test_import_records_say_where() -> None:
    tree = tree_from_sources({"pymailgui/pop/x.py": "\n\nimport pymailgui.errors\n"})
    assert all_imports(tree) == [
        Import("pymailgui.pop.x", "pymailgui.errors", line=3, local=False, type_only=False)
    ]
