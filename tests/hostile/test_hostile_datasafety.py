"""Data safety (issue 10): the client killed at every step of download-and-delete and of
every local folder write, then run again: nothing lost, nothing half-written, no
duplicate, the account usable.
"""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pymailgui.devserver import Rule, ScriptedPOP3Server
from pymailgui.devserver.script import Command
from pymailgui.store import Folder, FolderStore, export_mbox
from pymailgui.store.durable import TMP_MAX_AGE, is_debris, unique_name
from tests.support.mail import make_message
from tests.support.popserver import RawFactory, ScriptedMaker


def test_a_stalled_session_lets_go_of_the_maildrop_when_its_client_dies(
    scripted_pop: ScriptedMaker, raw_pop: RawFactory
) -> None:
    # The kill points below stall the server at a command and kill the client there; a
    # real server sees the dead client's connection close and unlocks the maildrop,
    # so the next run must not be refused with [IN-USE].
    server = scripted_pop(None, Rule("STAT", reply=b"", then="stall"))
    first = raw_pop(server)
    assert first.login().startswith("+OK")
    first.send("STAT")
    time.sleep(0.2)
    first.close()
    started = time.monotonic()
    second = raw_pop(server)
    assert second.login().startswith("+OK"), "the dead client's session kept the lock"
    assert time.monotonic() - started < 2.0


# -- the client in a child process, killed on cue ----------------------------------------

ROOT = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT = 60.0


@dataclass
class Child:
    rc: int
    out: str
    err: str

    @property
    def killed(self) -> bool:
        return self.rc == -signal.SIGKILL


def run_child(
    home: Path,
    spec: dict[str, Any],
    *,
    until: Callable[[], bool] | None = None,
) -> Child:
    """Run :mod:`tests.hostile.killer`; with ``until``, SIGKILL it once that holds."""
    module = ["-m", "tests.hostile.killer", json.dumps(spec)]
    return killable(module, home / "home", home, pythonpath=ROOT, until=until)


def killable(
    args: list[str],
    state: Path,
    home: Path,
    *,
    pythonpath: Path,
    until: Callable[[], bool] | None = None,
) -> Child:
    """Run ``python -bb ARGS`` with its own PYMAILGUI_HOME; SIGKILL it once ``until``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYMAILGUI", "PYTHON"))}
    env.update(PYTHONPATH=str(pythonpath), PYMAILGUI_HOME=str(state), HOME=str(home))
    proc = subprocess.Popen(
        [sys.executable, "-bb", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if until is not None:
        deadline = time.monotonic() + CHILD_TIMEOUT
        while not until() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.kill()
    try:
        out, err = proc.communicate(timeout=CHILD_TIMEOUT)
    finally:
        proc.kill()
    return Child(proc.returncode, out.decode(), err.decode("utf-8", "replace"))


def messages_in(folder: Path) -> list[bytes]:
    """Every message file a Maildir reader would show (new/ and cur/)."""
    return sorted(
        p.read_bytes() for sub in ("new", "cur") if (folder / sub).is_dir()
        for p in (folder / sub).iterdir() if not p.name.startswith(".")
    )  # fmt: skip


def debris_in(folder: Path) -> list[str]:
    tmp = folder / "tmp"
    return sorted(p.name for p in tmp.iterdir()) if tmp.is_dir() else []


ORIGINALS = [
    make_message(f"message {i}", f"Body of message {i}.\r\n" + "x" * (3000 * i) + "\r\n")
    for i in range(1, 4)
]


def verb_count(server: ScriptedPOP3Server, verb: str) -> int:
    return sum(1 for log in server.sessions for v in log.verbs if v == verb)


def hide_nth_quit(n: int) -> Rule:
    """QUIT number ``n`` (counted over all sessions) gets no answer and commits nothing."""
    seen = 0

    def reply(command: Command) -> bytes:
        nonlocal seen
        seen += 1
        return b"" if seen == n else command.honest()

    return Rule("QUIT", reply=reply)


Kill = dict[str, Any]


def at(target: str, nth: int = 1, when: str = "before") -> Kill:
    """Kill on the ``nth`` call of ``pymailgui.<target>``, ``before`` or ``after`` it."""
    return {"at": f"pymailgui.{target}", "nth": nth, "when": when}


# The save verb runs three sessions: refresh (QUIT 1), download (QUIT 2), delete (QUIT 3).
SAVE_KILLS: list[tuple[str, Kill | None, Rule | None, str | None]] = [
    ("mid-download", None, Rule("RETR", reply=b"", then="stall"), "RETR"),
    ("after-first-download", at("inbox.cache:IndexCache.put_body", when="after"), None, None),
    ("before-any-folder-write", at("store.folder:Folder.add_stream"), None, None),
    ("inside-a-write-before-fsync", at("store.durable:TmpFile.sync"), None, None),
    ("before-the-provenance-record", at("store.index:FolderIndex.record_added"), None, None),
    ("after-the-record-before-rename", at("store.durable:TmpFile.publish"), None, None),
    ("right-after-the-rename", at("store.durable:TmpFile.publish", when="after"), None, None),
    ("between-folder-writes", at("store.folder:Folder.add_stream", nth=2), None, None),
    ("after-the-last-write", at("inbox.model:Inbox.delete"), None, None),
    ("dele-unanswered", None, Rule("DELE", reply=b"", then="stall"), "DELE"),
    ("after-dele-before-quit", at("inbox.model:_commit"), None, None),
    ("quit-unanswered", None, hide_nth_quit(3), "QUIT3"),
    ("after-quit-before-the-index", at("inbox.model:Inbox._apply_delete"), None, None),
    ("not-killed", None, None, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kill", "rule", "wait_for"),
    [pytest.param(k, r, w, id=name) for name, k, r, w in SAVE_KILLS],
)
def test_save_and_delete_killed_at_every_step_loses_and_duplicates_nothing(
    scripted_pop: ScriptedMaker,
    tmp_path: Path,
    kill: Kill | None,
    rule: Rule | None,
    wait_for: str | None,
) -> None:
    server = scripted_pop(ORIGINALS, *([rule] if rule else []))
    drop = server.maildrop("alice")
    spec = {
        "state": str(tmp_path / "state"),
        "pop": [server.host, server.port],
        "verb": "save",
        "args": {"folder": "Kept"},
        "kill": kill,
    }
    until = None
    if wait_for is not None:
        verb, count = wait_for.rstrip("0123456789"), int(wait_for[4:] or 1)
        until = functools.partial(lambda v, c: verb_count(server, v) >= c, verb, count)
    first = run_child(tmp_path, spec, until=until)
    if kill is None and rule is None:
        assert first.rc == 0, first.err
    else:
        assert first.killed, (first.rc, first.err)
    folder = tmp_path / "state" / "folders" / "Kept"
    # Killed: whatever is in the folder is whole, and every message is somewhere.
    stored = messages_in(folder)
    assert all(m in ORIGINALS for m in stored), "a partial message is visible in the folder"
    assert all(m in stored or m in [d for _, d in drop.snapshot()] for m in ORIGINALS)

    # The next run, with an honest server, finishes the job.
    server.set_behavior(script=())
    assert server.wait_idle()
    again = run_child(tmp_path, {**spec, "kill": None})
    assert again.rc == 0, again.err
    assert len(drop) == 0
    assert messages_in(folder) == sorted(ORIGINALS), "a message was lost or stored twice"
    assert debris_in(folder) == [], "a killed write left its file in tmp/"


def test_only_files_no_writer_can_finish_count_as_debris(tmp_path: Path) -> None:
    now = time.time()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        mine = unique_name()
        theirs = mine.replace(f"P{os.getpid()}Q", f"P{live.pid}Q")
        killed = mine.replace(f"P{os.getpid()}Q", f"P{dead.pid}Q")
        elsewhere = killed.rsplit(".", 1)[0] + ".other-host.example"
        assert not is_debris(mine, now) and not is_debris(theirs, now)
        assert is_debris(killed, now)
        assert not is_debris(elsewhere, now)  # its writer may be alive on that host
        assert is_debris(elsewhere, now - TMP_MAX_AGE - 1)  # the Maildir 36-hour rule
        assert not is_debris("not-a-maildir-name", now)
    finally:
        live.kill()
        live.wait()


# -- local folder writes: add, move, import, export ---------------------------------------


def marked(i: int) -> bytes:
    """A message whose last line says it is whole."""
    return make_message(f"local {i}", "x" * (5000 * i) + f"\r\nEND {i}\r\n", message_id=f"<l{i}@t>")


LOCAL = [marked(i) for i in range(1, 4)]


def ids_in(folder: Path) -> list[str]:
    """The Message-IDs of the folder's visible messages, each checked to be whole."""
    found = []
    for data in messages_in(folder):
        match = re.search(rb"^Message-ID: <l(\d+)@t>", data, re.MULTILINE)
        assert match is not None, data[:200]
        number = match.group(1).decode()
        assert data.rstrip().endswith(f"END {number}".encode()), "a partial message is visible"
        found.append(number)
    return sorted(found)


WRITE_KILLS = {
    "before-fsync": at("store.durable:TmpFile.sync", nth=2),
    "before-the-record": at("store.index:FolderIndex.record_added", nth=2),
    "before-the-rename": at("store.durable:TmpFile.publish", nth=2),
    "after-the-rename": at("store.durable:TmpFile.publish", nth=2, when="after"),
}
MOVE_KILLS = {
    "before-the-target-record": at("store.index:FolderIndex.record_added", nth=2),
    "before-the-rename": {"at": "os:rename", "nth": 2, "when": "before"},
    "after-the-rename": {"at": "os:rename", "nth": 2, "when": "after"},
    "before-the-source-forgets": at("store.index:FolderIndex.forget", nth=2),
}


def local_spec(tmp_path: Path, verb: str, kill: Kill | None, **args: object) -> dict[str, Any]:
    return {"state": str(tmp_path / "state"), "verb": verb, "args": args, "kill": kill}


def prepared(tmp_path: Path, name: str, messages: list[bytes]) -> Path:
    store = FolderStore(tmp_path / "state" / "folders")
    folder = store.folder(name, create=True)
    for data in messages:
        folder.add(data)
    return folder.path


@pytest.mark.parametrize("kill", WRITE_KILLS.values(), ids=WRITE_KILLS.keys())
def test_add_killed_midway_leaves_whole_messages_and_no_debris(tmp_path: Path, kill: Kill) -> None:
    files = []
    for i, data in enumerate(LOCAL, start=1):
        files.append(str(tmp_path / f"m{i}.eml"))
        Path(files[-1]).write_bytes(data)
    spec = local_spec(tmp_path, "add", kill, folder="Notes", files=files)
    assert run_child(tmp_path, spec).killed
    folder = tmp_path / "state" / "folders" / "Notes"
    assert ids_in(folder) in (["1"], ["1", "2"])
    # Any next run (here: adding nothing) clears what the killed write left in tmp/.
    assert run_child(tmp_path, {**spec, "args": {"folder": "Notes", "files": []}, "kill": None})
    assert debris_in(folder) == []


@pytest.mark.parametrize("kill", MOVE_KILLS.values(), ids=MOVE_KILLS.keys())
def test_move_killed_midway_keeps_every_message_in_exactly_one_folder(
    tmp_path: Path, kill: Kill
) -> None:
    source = prepared(tmp_path, "Work", LOCAL)
    target = tmp_path / "state" / "folders" / "Archive"
    spec = local_spec(tmp_path, "move", kill, source="Work", target="Archive")
    assert run_child(tmp_path, spec).killed
    assert sorted(ids_in(source) + ids_in(target)) == ["1", "2", "3"]  # no loss, no twin
    again = run_child(tmp_path, {**spec, "kill": None})
    assert again.rc == 0, again.err
    assert ids_in(source) == [] and ids_in(target) == ["1", "2", "3"]
    assert debris_in(source) == debris_in(target) == []


@pytest.mark.parametrize("kill", WRITE_KILLS.values(), ids=WRITE_KILLS.keys())
def test_import_killed_midway_and_run_again_imports_each_message_once(
    tmp_path: Path, kill: Kill
) -> None:
    mbox = tmp_path / "in.mbox"
    export_mbox(Folder(prepared(tmp_path, "Source", LOCAL)), mbox)
    folder = tmp_path / "state" / "folders" / "Imported"
    spec = local_spec(tmp_path, "import", kill, path=str(mbox), folder="Imported")
    assert run_child(tmp_path, spec).killed
    assert ids_in(folder) in (["1"], ["1", "2"])
    again = run_child(tmp_path, {**spec, "kill": None})
    assert again.rc == 0, again.err
    assert ids_in(folder) == ["1", "2", "3"]
    assert debris_in(folder) == []


@pytest.mark.parametrize(
    "kill",
    [at("store.durable:TmpFile.sync"), at("store.durable:TmpFile.publish")],
    ids=["before-fsync", "before-the-rename"],
)
def test_export_killed_midway_leaves_no_file_or_a_whole_one(tmp_path: Path, kill: Kill) -> None:
    prepared(tmp_path, "Work", LOCAL)
    out = tmp_path / "exports" / "work.mbox"
    out.parent.mkdir()
    spec = local_spec(tmp_path, "export", kill, folder="Work", path=str(out))
    assert run_child(tmp_path, spec).killed
    assert not out.exists()  # never a half-written mbox under the chosen name
    again = run_child(tmp_path, {**spec, "kill": None})
    assert again.rc == 0, again.err
    assert [p.name for p in out.parent.iterdir()] == ["work.mbox"]  # the aside file is gone
    assert out.read_bytes().count(b"\nEND ") == 3


# -- the same through pymail itself ---------------------------------------------------------


def run_pymail(home: Path, *args: str, until: Callable[[], bool] | None = None) -> Child:
    command = ["-m", "pymailgui.console.main", *args]
    return killable(command, home, home, pythonpath=ROOT / "src", until=until)


def test_pymail_save_delete_killed_while_quit_is_unanswered_then_run_again(
    scripted_pop: ScriptedMaker, tmp_path: Path
) -> None:
    # `pymail list` is session 1; `save --delete` downloads in session 2 and deletes in 3.
    server = scripted_pop(ORIGINALS, hide_nth_quit(3))
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        '[general]\nuse_keyring = false\n[accounts.a]\naddress = "alice@example.org"\n'
        f'[accounts.a.pop]\nhost = "{server.host}"\nport = {server.port}\n'
        'security = "none"\nusername = "alice"\npassword_command = "printf secret"\n',
        encoding="utf-8",
    )
    assert run_pymail(home, "list").rc == 0
    save = ("save", "1", "2", "3", "--folder", "Kept", "--delete", "--yes")
    killed = run_pymail(home, *save, until=lambda: verb_count(server, "QUIT") >= 3)
    assert killed.killed, killed.err
    assert len(server.maildrop("alice")) == 3  # the QUIT was never answered: no commit
    server.set_behavior(script=())
    assert server.wait_idle()
    assert run_pymail(home, "list").rc == 0
    again = run_pymail(home, *save)
    assert again.rc == 0, again.err
    assert "3 already there" in again.out
    assert len(server.maildrop("alice")) == 0
    assert messages_in(home / "folders" / "Kept") == sorted(ORIGINALS)
