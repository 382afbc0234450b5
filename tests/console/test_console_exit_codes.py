"""Every row of the README's exit-code table, produced by a real ``pymail`` run.

The table is read from the README itself: a code documented there without a case here
(or the other way round) fails the first test.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.console.conftest import Pymail, Result, configure_scripted
from tests.support.dovecot_procs import free_port
from tests.support.mail import make_message, twin_messages
from tests.support.popserver import POP_USER, PopServerFactory

from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.pop3server import ScriptedPOP3Server

pytestmark = pytest.mark.timeout(120)

README = Path(__file__).resolve().parents[2] / "README.md"


def documented_codes() -> set[int]:
    text = README.read_text(encoding="utf-8")
    table = text.split("### Exit codes", 1)[1].split("\n\n", 2)[1]
    return {int(m[1]) for m in re.finditer(r"^\| (\d+) \|", table, flags=re.MULTILINE)}


def listed(pymail: Pymail, server: ScriptedPOP3Server, *messages: bytes) -> None:
    drop = server.maildrop(POP_USER)
    for m in messages or (make_message("one"), make_message("two")):
        drop.add(m)
    configure_scripted(pymail, server)
    r = pymail("list")
    assert r.rc == 0, r.err


Case = Callable[[Pymail, PopServerFactory, Path], Result]


def done(pymail: Pymail, factory: PopServerFactory, tmp: Path) -> Result:
    return pymail("--demo", "list")


def server_error(pymail: Pymail, factory: PopServerFactory, tmp: Path) -> Result:
    server = factory(ServerBehavior(always_in_use=True))
    server.maildrop(POP_USER).add(make_message("one"))
    configure_scripted(pymail, server)
    return pymail("list")


def sync_refusal(pymail: Pymail, factory: PopServerFactory, tmp: Path) -> Result:
    server = factory(ServerBehavior(uidl=False))
    listed(pymail, server, *twin_messages())
    return pymail("delete", "1", "--yes")


def wrong_password(pymail: Pymail, factory: PopServerFactory, tmp: Path) -> Result:
    server = factory()
    server.maildrop(POP_USER).add(make_message("one"))
    configure_scripted(pymail, server, password="not-the-password")
    return pymail("list")


def unreachable(pymail: Pymail, factory: PopServerFactory, tmp: Path) -> Result:
    configure_scripted(pymail, factory(), port=free_port())
    return pymail("list")


def declined(pymail: Pymail, factory: PopServerFactory, tmp: Path) -> Result:
    listed(pymail, factory())
    return pymail.on_terminal("delete", "1", typed="n\n")


def cancelled(pymail: Pymail, factory: PopServerFactory, tmp: Path) -> Result:
    server = factory(ServerBehavior(reply_delay=0.2))
    drop = server.maildrop(POP_USER)
    for i in range(40):
        drop.add(make_message(f"slow {i}"))
    configure_scripted(pymail, server)
    live = pymail.live("list")
    deadline = time.monotonic() + 20
    while not any(c.upper().startswith(("TOP", "RETR")) for s in server.transcript for _, c in s):
        assert time.monotonic() < deadline, server.transcript
        time.sleep(0.05)
    live.interrupt()
    return live.finish()


CASES: dict[int, Case] = {
    0: done,
    1: server_error,
    3: sync_refusal,
    4: wrong_password,
    5: unreachable,
    6: declined,
    130: cancelled,
}

#: Exit 2 has many causes; each the issue named is a case of its own.
USAGE: dict[str, tuple[str, ...]] = {
    "unknown option": ("list", "--bogus"),
    "bad number": ("show", "0"),
    "unknown folder": ("folder", "Nope", "list"),
    "invalid --to": ("send", "--to", "not an address", "--subject", "s"),
    "invalid --cc": ("send", "--to", "demo@example.com", "--cc", "a@@b", "--subject", "s"),
    "subject with a line break": ("send", "--to", "demo@example.com", "--subject", "a\nBcc: x"),
    "unreadable --attach": (
        "send", "--to", "demo@example.com", "--subject", "s", "--attach", "/nonexistent/f.pdf",
    ),
    "missing --part": ("parts", "1", "--dir", "{tmp}/parts", "--part", "99"),
    "number not in the last list": ("show", "99"),
    "no terminal and no --yes": ("delete", "1"),
    "export onto a file without --force": ("export-mbox", "Saved", "{tmp}/exists.mbox"),
    "import of a missing file": ("import-mbox", "{tmp}/missing.mbox", "--folder", "X"),
}  # fmt: skip
#: Found by the argument parser: the subcommand's usage comes first, then the sentence.
PARSE_ERRORS = {"unknown option", "bad number"}


def test_the_readme_table_is_the_tested_table() -> None:
    assert documented_codes() == set(CASES) | {2}


@pytest.mark.parametrize("code", sorted(CASES))
def test_exit_code(
    code: int, pymail: Pymail, pop_server_factory: PopServerFactory, tmp_path: Path
) -> None:
    r = CASES[code](pymail, pop_server_factory, tmp_path)
    assert r.rc == code, r.err
    assert "Traceback" not in r.err and "internal error" not in r.err
    if code not in (0, 6, 130):
        r.assert_clean_error(code)
    if code == 6:
        assert "Nothing was deleted." in r.err
    if code == 130:
        assert "Cancel" in r.err


@pytest.mark.parametrize("why", list(USAGE))
def test_exit_code_2(why: str, pymail: Pymail, tmp_path: Path) -> None:
    (tmp_path / "exists.mbox").write_bytes(b"keep")
    assert pymail("--demo", "list").rc == 0
    args = [a.replace("{tmp}", str(tmp_path)) for a in USAGE[why]]
    r = pymail("--demo", *args, stdin="text\n")
    assert r.rc == 2, r.err
    assert "Traceback" not in r.err
    if why in PARSE_ERRORS:
        assert r.err.startswith("usage: pymail ") and "\npymail: " in r.err
    else:
        r.assert_clean_error(2)
    assert not (tmp_path / "parts").exists()
    assert (tmp_path / "exists.mbox").read_bytes() == b"keep"
    assert "X" not in pymail("--demo", "folders").text.split()
