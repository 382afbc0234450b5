"""Read the imports of a module tree and check the architecture rules (nothing is executed).

An import is found wherever it is written: ``import X``, ``from X import Y`` (``Y`` may
itself be a module: ``from pymailgui import console`` is ``pymailgui.console``),
relative imports (``from . import x``, ``from ..inbox import y``), inside functions,
under ``if TYPE_CHECKING:``, and ``importlib.import_module("X")`` / ``__import__("X")``
with a literal name.

The rules, checked by :func:`violations`:

- **layers**: every top-level module or package of ``pymailgui`` has the list of the
  others it may import (:data:`ALLOWED`); data flows server -> pop -> inbox -> actions
  -> front ends, so nothing imports upward. A package missing from the map is itself
  a violation: nothing new goes unchecked. The root package (``__version__``) imports
  nothing and may be imported by all.
- **Qt**: only ``pymailgui.gui`` imports PySide6, shiboken or PyQt.
- **front ends**: only ``pymailgui.gui`` and the entry points import ``pymailgui.gui``,
  only ``pymailgui.console`` and the entry points import ``pymailgui.console``; the two
  never import each other.
- **devserver**: only ``pymailgui.demo`` imports it (tests and benches live outside).
- **cycles**: no import cycle between modules at module level; and no function-local
  import that closes a cycle (an import moved into a function to hide the circle).
  Imports under ``TYPE_CHECKING`` never run, so they do not make cycles.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = "pymailgui"
QT_MODULES = frozenset({"PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "shiboken2", "qtpy"})
#: Modules that start a front end (``python -m pymailgui``) and may import either one.
ENTRY_POINTS = frozenset({"pymailgui.__main__"})
FRONT_ENDS = frozenset({"console", "gui"})

_CORE_BASE = ("errors", "lines", "paths", "tasks", "tls", "sqlite_wal", "units")
_FRONT_END_USES = (
    "actions", "config", "demo", "errors", "inbox", "lines", "message", "paths",
    "smtp", "sqlite_wal", "store", "tasks", "units",
)  # fmt: skip

#: Top-level module or package -> the top-level modules and packages it may import.
ALLOWED: dict[str, frozenset[str]] = {
    name: frozenset(uses)
    for name, uses in {
        "__init__": (),
        "__main__": ("console", "gui"),
        "errors": (),
        "lines": ("errors",),
        "paths": ("errors",),
        "tasks": ("errors", "units"),
        "units": (),
        "tls": ("errors",),
        "sqlite_wal": ("errors",),
        "config": ("errors", "paths", "tls"),
        "pop": ("config", *_CORE_BASE),
        "message": ("errors", "lines", "tasks"),
        "store": ("config", "message", *_CORE_BASE),
        "smtp": ("config", "message", "store", *_CORE_BASE),
        # the inbox summarizes headers with the message package's lenient decoder
        "inbox": ("config", "message", "pop", *_CORE_BASE),
        "actions": ("config", "inbox", "message", "pop", "smtp", "store", *_CORE_BASE),
        "console": _FRONT_END_USES,
        # the GUI fetches a message's remote images itself once the user allows them
        # (gui/remote.py), through the one verifying TLS context
        "gui": (*_FRONT_END_USES, "tls"),
        # the demo account for both front ends: its servers and an Account of its own
        "demo": ("actions", "config", "devserver", "errors", "inbox", "paths", "store"),
        "devserver": ("config", "errors", "lines", "paths", "tls"),
    }.items()
}


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. "pymailgui.pop.client" ("pymailgui.pop" for its __init__)
    source: str
    is_package: bool
    path: str  # shown in messages


@dataclass(frozen=True)
class Import:
    importer: str
    target: str  # the absolute dotted name of the module imported
    line: int
    local: bool  # inside a function: runs only when the function does
    type_only: bool  # under ``if TYPE_CHECKING:``: never runs

    @property
    def runtime(self) -> bool:
        return not self.type_only


def tree_from_sources(files: Mapping[str, str]) -> dict[str, Module]:
    """Modules from ``{"pymailgui/inbox/x.py": source}`` (paths relative to ``src``)."""
    modules: dict[str, Module] = {}
    for path, source in files.items():
        parts = Path(path).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        modules[name] = Module(name, source, is_package, path)
    return modules


def tree_from_directory(src: Path) -> dict[str, Module]:
    """Every module under ``src / "pymailgui"``."""
    files = {
        str(p.relative_to(src)): p.read_text(encoding="utf-8")
        for p in sorted((src / ROOT).rglob("*.py"))
        if "__pycache__" not in p.parts
    }
    return tree_from_sources(files)


# -- finding the imports -----------------------------------------------------------------


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: Module, level: int, name: str | None) -> str:
    """The absolute name of a relative import (PEP 328)."""
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    if not package:
        raise ValueError(f"{module.path}: relative import beyond the top-level package")
    return f"{package}.{name}" if name else package


class _Finder(ast.NodeVisitor):
    def __init__(self, module: Module, known: frozenset[str]) -> None:
        self.module = module
        self.known = known
        self.found: list[Import] = []
        self._function_depth = 0
        self._type_only_depth = 0

    def _add(self, target: str, node: ast.AST) -> None:
        self.found.append(
            Import(
                importer=self.module.name,
                target=target,
                line=getattr(node, "lineno", 0),
                local=self._function_depth > 0,
                type_only=self._type_only_depth > 0,
            )
        )

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        self._function_depth += 1
        self.generic_visit(node)
        self._function_depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function  # noqa: N815

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        self._type_only_depth += 1
        for child in node.body:
            self.visit(child)
        self._type_only_depth -= 1
        for child in node.orelse:  # the "else" of TYPE_CHECKING is what runs
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = _resolve(self.module, node.level, node.module) if node.level else node.module
        assert base is not None  # "from . import x" has a level, so a base
        for alias in node.names:
            # "from pymailgui import console" imports the module pymailgui.console.
            sub = f"{base}.{alias.name}"
            self._add(sub if sub in self.known else base, node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        dynamic = (isinstance(func, ast.Name) and func.id == "__import__") or (
            isinstance(func, ast.Attribute) and func.attr == "import_module"
        )
        if dynamic and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                self._add(first.value, node)
        self.generic_visit(node)


def imports_of(module: Module, known: Iterable[str] = ()) -> list[Import]:
    """Every import written in ``module``; ``known`` names the modules of the tree."""
    tree = ast.parse(module.source, filename=module.path)
    finder = _Finder(module, frozenset(known))
    finder.visit(tree)
    return finder.found


def all_imports(modules: Mapping[str, Module]) -> list[Import]:
    known = frozenset(modules)
    return [imp for module in modules.values() for imp in imports_of(module, known)]


# -- the rules ---------------------------------------------------------------------------


def top_of(name: str) -> str | None:
    """``pop`` for ``pymailgui.pop.client``, ``__init__`` for ``pymailgui``; None outside."""
    if name == ROOT:
        return "__init__"
    if not name.startswith(ROOT + "."):
        return None
    return name.split(".")[1]


def _where(imp: Import, modules: Mapping[str, Module]) -> str:
    module = modules.get(imp.importer)
    path = module.path if module else imp.importer
    how = " (type-only)" if imp.type_only else " (inside a function)" if imp.local else ""
    return f"{path}:{imp.line} imports {imp.target}{how}"


def layer_violations(modules: Mapping[str, Module], imports: list[Import]) -> Iterator[str]:
    for name in sorted({top_of(m) for m in modules} - {None}):
        assert name is not None
        if name not in ALLOWED:
            yield f"pymailgui.{name} has no layer rules: add it to ALLOWED in {__name__}"
    for imp in imports:
        mine, theirs = top_of(imp.importer), top_of(imp.target)
        # The root package (__version__) imports nothing, so anyone may import it.
        if mine is None or theirs in (None, mine, "__init__") or mine not in ALLOWED:
            continue
        if theirs not in ALLOWED[mine]:
            yield f"{_where(imp, modules)}: pymailgui.{mine} may not import pymailgui.{theirs}"


def qt_violations(modules: Mapping[str, Module], imports: list[Import]) -> Iterator[str]:
    for imp in imports:
        if imp.target.split(".")[0] in QT_MODULES and top_of(imp.importer) != "gui":
            yield f"{_where(imp, modules)}: only pymailgui.gui may use Qt"


def front_end_violations(modules: Mapping[str, Module], imports: list[Import]) -> Iterator[str]:
    for imp in imports:
        mine, theirs = top_of(imp.importer), top_of(imp.target)
        if theirs in FRONT_ENDS and mine != theirs and imp.importer not in ENTRY_POINTS:
            yield (
                f"{_where(imp, modules)}: only pymailgui.{theirs} itself and the entry "
                f"points may import pymailgui.{theirs}"
            )
        if theirs == "devserver" and mine not in ("devserver", "demo"):
            yield f"{_where(imp, modules)}: only pymailgui.demo may import the devserver"


def _cycles(nodes: Iterable[str], edges: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), or a self-loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in edges.get(v, ()):
                found.append(sorted(component))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found


def cycle_violations(modules: Mapping[str, Module], imports: list[Import]) -> Iterator[str]:
    inside = [i for i in imports if i.target in modules and i.importer != i.target and i.runtime]
    module_level: dict[str, set[str]] = {}
    everything: dict[str, set[str]] = {}
    for imp in inside:
        everything.setdefault(imp.importer, set()).add(imp.target)
        if not imp.local:
            module_level.setdefault(imp.importer, set()).add(imp.target)
    plain = _cycles(modules, module_level)
    for component in plain:
        yield "import cycle at module level: " + " -> ".join(component)
    in_plain = {m for component in plain for m in component}
    for component in _cycles(modules, everything):
        members = set(component)
        if members <= in_plain:
            continue
        hiding = [i for i in inside if i.local and i.importer in members and i.target in members]
        for imp in hiding:
            yield (
                f"{_where(imp, modules)}: a function-local import that hides the cycle "
                + " -> ".join(component)
            )


def violations(modules: Mapping[str, Module]) -> list[str]:
    """Every broken rule in the tree, one sentence each."""
    imports = all_imports(modules)
    checks = (layer_violations, qt_violations, front_end_violations, cycle_violations)
    return [problem for check in checks for problem in check(modules, imports)]
