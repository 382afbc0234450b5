"""The GUI tests need Qt (PySide6) and pytest-qt: the ``gui-test`` extra (scripts/test
installs it).

Without them every test module here is reported as skipped (the import is never
tried, so a module may import PySide6 at its top), and ``pytest`` runs the rest of the
suite on a machine without Qt. Under CI (``CI=true``) a missing Qt fails the run
instead, like a missing Dovecot: a CI machine that lost its Qt cannot go green by
skipping the GUI. Nothing is raised while this file is imported, so
``pytest tests/gui`` behaves the same as a plain ``pytest``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from pathlib import Path

import pytest

# Before Qt is imported: the tests never open a window on a real display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_HOW = "pip install -e '.[gui-test]' (or run scripts/test)"


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing(modules: Iterable[str]) -> str | None:
    """Why the GUI tests cannot run here, or None."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:  # also a PySide6 wheel whose Qt libraries are missing
            return f"the GUI tests need {module}: {exc}; {_HOW}"
    return None


MISSING = _missing(("PySide6.QtWidgets", "pytestqt"))


class _WithoutQt(pytest.Module):
    """A GUI test module on a machine without Qt: skipped, or failed under CI."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        assert MISSING is not None
        if _ci():
            pytest.fail(f"CI requires Qt for the GUI tests: {MISSING}", pytrace=False)
        pytest.skip(MISSING)


def pytest_pycollect_makemodule(
    module_path: Path, parent: pytest.Collector
) -> pytest.Module | None:
    if MISSING is None:
        return None
    return _WithoutQt.from_parent(parent, path=module_path)
