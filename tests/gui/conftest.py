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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A Qt warning fails a GUI test (pytest-qt's markers; the offscreen platform's
    "cannot raise or size windows" notes are the only ones expected)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore("This plugin does not support"))


# -- fixtures: real windows against real servers --------------------------------------


@pytest.fixture(autouse=True)
def gui_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every GUI test gets its own PYMAILGUI_HOME (cache, settings file, logs)."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("PYMAILGUI_HOME", str(home))
    monkeypatch.setenv("HOME", str(home))
    # Never the developer's real keyring: a test's password must not land there.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return home


@dataclass
class Opened:
    """A running desktop with one account's inbox window open."""

    desktop: object
    window: object
    server: object


@pytest.fixture
def app(qapp: object) -> Iterator[object]:
    from pymailgui.gui.app import Presenter, application

    application()
    presenter = Presenter()
    yield presenter
    for box in list(presenter.boxes):
        box.close()


@pytest.fixture
def open_inbox(
    app: object, qtbot: object, pop_server_factory: Callable[..., object]
) -> Iterator[Callable[..., object]]:
    """``open_inbox(messages=[...], behavior=None, smtp=None, delete_undo_seconds=0)``: a
    Desktop whose one account points at a fresh scripted server holding ``messages``
    (and sends through ``smtp``, a ServerConfig)."""
    from tests.gui.support import close_desktop, desktop_for

    made: list[object] = []

    def make(
        messages: list[bytes] = (), behavior: object = None, smtp: object = None, **gui: object
    ) -> object:
        server = pop_server_factory(behavior)
        drop = server.maildrop("alice")
        for data in messages:
            drop.add(data)
        desktop, window = desktop_for(server, qtbot, smtp=smtp, **gui)
        made.append(desktop)
        return Opened(desktop, window, server)

    yield make
    for desktop in made:
        close_desktop(desktop, qtbot)


@pytest.fixture
def demo(app: object, qtbot: object) -> Iterator[tuple[object, object]]:
    """The demo account (its own POP3 and SMTP servers) with its inbox loaded:
    (Desktop, InboxWindow). ``desktop.demo`` is the running demo."""
    from pymailgui.demo import start_demo
    from pymailgui.gui.session import Desktop
    from tests.gui.support import WAIT_MS, close_desktop, get_mail

    running = start_demo()
    desktop = Desktop(running.config, demo=running)
    window = desktop.open_account()
    assert window is not None
    qtbot.waitUntil(lambda: window.context.loaded, timeout=WAIT_MS)  # type: ignore[attr-defined]
    get_mail(qtbot, window)  # type: ignore[arg-type]
    yield desktop, window
    close_desktop(desktop, qtbot)  # type: ignore[arg-type]
    running.stop()
