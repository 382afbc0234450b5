"""Permissions (issue 10, finding 5): what holds mail, headers or addresses is private.

Every file 0600 and every directory 0700 under ``$PYMAILGUI_HOME`` (and the config
directory), whatever the umask: the features run with umask 022, as on most desktops,
then the whole tree is walked. A state directory an older version left 0755 is
tightened.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import ssl
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pymailgui import paths
from pymailgui.actions import open_account
from pymailgui.actions.diagnose import pin_certificate
from pymailgui.config.write import save
from pymailgui.console.state import ConsoleState
from pymailgui.demo import open_demo_account, start_demo
from pymailgui.message import Draft
from tests.hostile.world import Endpoint, account_config
from tests.support.mail import make_message
from tests.support.popserver import ScriptedMaker
from tests.support.tls import TLSFiles

ROOT = Path(__file__).resolve().parents[2]
END_CERT = "-----END CERTIFICATE-----\n"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``PYMAILGUI_HOME`` as an older version left it (0755), under umask 022."""
    base = tmp_path / "home"
    base.mkdir()
    base.chmod(0o755)
    monkeypatch.setenv(paths.ENV_HOME, str(base))
    previous = os.umask(0o022)
    try:
        yield base
    finally:
        os.umask(previous)


def too_open(*roots: Path) -> list[str]:
    """Every path under ``roots`` that someone else than its owner may read or enter."""
    found = []
    for root in roots:
        if not root.exists():
            continue
        for path in [root, *root.rglob("*")]:
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                continue
            if mode & 0o077:
                found.append(f"{oct(stat.S_IMODE(mode))} {path.relative_to(root.parent)}")
    return found


def test_everything_pymailgui_writes_is_private_whatever_the_umask(
    home: Path, tmp_path: Path, scripted_pop: ScriptedMaker, tls_files: TLSFiles
) -> None:
    outside = tmp_path / "chosen-by-the-user"
    outside.mkdir()
    # The demo: its maildrop, cache, folders, Sent, Drafts, protocol log.
    with start_demo() as demo:
        account = open_demo_account(demo)
        general = dataclasses.replace(account.config.general, protocol_log=True)
        account.config = dataclasses.replace(account.config, general=general)
        account.refresh()
        keys = [row.key for row in account.index()]
        data = account.fetch(keys[0])
        account.save_to_folder(keys[:2], "Kept")
        account.save_draft(Draft(to=["bob@example.org"], subject="later", body="text\n"))
        account.send(Draft(to=[demo.config.account().address], subject="hi", body="hi\n"))
        account.folders.export_mbox("Kept", outside / "kept.mbox")
        account.folders.import_mbox(outside / "kept.mbox", "Imported")
        account.folders.move("Imported", [r.key for r in account.folders.rows("Imported")], "Old")
        saved_parts = account.save_parts(data, outside / "parts")
        account.close()
    # A real account with the default locations (cache, folders), and a save and delete.
    server = scripted_pop([make_message("one"), make_message("two")])
    real = open_account(account_config(Endpoint(server.host, server.port)), fixed_password="secret")
    real.refresh()
    real.save_to_folder([r.key for r in real.index()], "Archive", delete=True)
    real.close()
    # The settings file and a pinned certificate (the config directory).
    config = account_config(Endpoint(server.host, server.port))
    save(config, paths.config_file())
    pem = tls_files.cert_file.read_text("ascii").split("-----END CERTIFICATE-----")[0]
    pin_certificate(config.account().pop, ssl.PEM_cert_to_DER_cert(pem + END_CERT))
    # The console's numbering and crash log, then the console itself end to end.
    state = ConsoleState(paths.console_state())
    state.remember("server", keys)
    state.close()
    paths.append_crash_log(RuntimeError("a bug, for the crash log"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(PYTHONPATH=str(ROOT / "src"), HOME=str(tmp_path))
    for command in (["list"], ["show", "1"]):
        done = subprocess.run(
            [sys.executable, "-m", "pymailgui.console.main", "--demo", *command],
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr

    written = {p.relative_to(home).as_posix() for p in home.rglob("*") if p.is_file()}
    for expected in ("cache.sqlite3", "console.sqlite3", "logs/pop.log", "logs/crash.log",
                     "config.toml"):  # fmt: skip
        assert expected in written
    assert any(p.startswith("demo/cur/") for p in written)  # the demo server's maildrop
    assert any(p.startswith("demo/client/folders/Drafts/") for p in written)
    assert any(p.endswith(".pymailgui-index.sqlite3") for p in written)
    assert any(p.startswith("certificates/") for p in written)
    assert too_open(home, paths.config_file().parent) == []
    # Files written where the user chose: the directory is theirs, the mail in it private.
    assert too_open(outside / "kept.mbox", *saved_parts) == []


def test_the_desktop_clients_files_are_private_too(home: Path) -> None:
    pytest.importorskip("PySide6.QtCore", exc_type=ImportError)
    from pymailgui.gui import app, settings

    settings.settings().setValue("inbox/geometry", b"x")
    settings.sync()
    logger = logging.getLogger("pymailgui")
    handlers, level = list(logger.handlers), logger.level
    try:
        app.setup_logging(verbose=False)
        logger.info("a line for the log")
    finally:
        for handler in logger.handlers:
            handler.close()
        logger.handlers[:], logger.level = handlers, level
    paths.append_crash_log(RuntimeError("a bug, in the GUI"))  # what show_crash writes
    assert too_open(home) == []
