"""Long verbs run as tasks: progress on a terminal only, Ctrl-C cancels them safely.

The scripted server's ``reply_delay`` makes each step slow enough to press Ctrl-C (a
SIGINT to the real process) in the middle; what really happened is read from the
server's maildrop and transcript.
"""

from __future__ import annotations

import json
import time

import pytest
from tests.console.conftest import Pymail, configure_scripted
from tests.support.mail import make_message
from tests.support.popserver import POP_USER, PopServerFactory

from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.pop3server import ScriptedPOP3Server

pytestmark = pytest.mark.timeout(120)


def slow_server(factory: PopServerFactory, n: int = 30, delay: float = 0.1) -> ScriptedPOP3Server:
    server = factory(ServerBehavior(reply_delay=delay))
    drop = server.maildrop(POP_USER)
    for i in range(n):
        drop.add(make_message(f"msg {i}", f"body {i}\r\n"))
    return server


def sent(server: ScriptedPOP3Server, verb: str, session: int = -1) -> bool:
    """Whether the client sent ``verb`` in a session (the last one by default)."""
    sessions = server.transcript
    if not sessions:
        return False
    return any(c.upper().startswith(verb) for _, c in sessions[session])


def wait_until(check: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_progress_is_shown_on_a_terminal_only(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server = slow_server(pop_server_factory, n=15, delay=0.05)
    configure_scripted(pymail, server)
    live = pymail.live("list", stderr_tty=True)
    r = live.finish()
    assert r.rc == 0, live.screen_text
    screen = live.screen_text
    assert "Loading headers" in screen and "\r" in screen
    assert len(r.lines()) == 15  # the list itself went to stdout, untouched
    server.maildrop(POP_USER).add(make_message("one more"))
    piped = pymail("list")
    assert piped.rc == 0
    assert piped.err.strip() == "test: 16 messages (1 new)"  # no progress in a pipe


def test_ctrl_c_cancels_a_refresh(pymail: Pymail, pop_server_factory: PopServerFactory) -> None:
    server = slow_server(pop_server_factory)
    configure_scripted(pymail, server)
    live = pymail.live("list")
    wait_until(lambda: sent(server, "TOP"))
    live.interrupt()
    r = live.finish()
    assert r.rc == 130, r.err
    assert "Cancelling…" in r.err and "Cancelled" in r.err
    assert "Traceback" not in r.err and r.out == b""
    assert not sent(server, "QUIT")


def listed_then_slow(
    pymail: Pymail, factory: PopServerFactory, delay: float
) -> tuple[ScriptedPOP3Server, list[str]]:
    """Five messages listed at full speed; from now on every answer takes ``delay``."""
    server = slow_server(factory, n=5, delay=0.0)
    configure_scripted(pymail, server)
    assert pymail("list").rc == 0
    server.set_behavior(reply_delay=delay)
    return server, server.maildrop(POP_USER).uids()


def test_ctrl_c_during_a_delete_deletes_nothing(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server, before = listed_then_slow(pymail, pop_server_factory, 0.4)
    live = pymail.live("delete", "1", "2", "3", "--yes")
    wait_until(lambda: server.session_count == 2 and sent(server, "DELE"))
    live.interrupt()
    r = live.finish()
    assert r.rc == 130, r.err
    assert "nothing was deleted" in r.err.lower()
    assert not sent(server, "QUIT")  # the session ended without QUIT: RFC 1939 §6
    assert server.maildrop(POP_USER).uids() == before
    rows = json.loads(pymail("list", "--offline", "--json").text)
    assert len(rows) == 5  # the index still has them, under the numbers shown


def test_ctrl_c_after_quit_lets_the_delete_finish(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server, before = listed_then_slow(pymail, pop_server_factory, 0.5)
    live = pymail.live("delete", "2", "--yes")
    wait_until(lambda: server.session_count == 2 and sent(server, "QUIT"))
    live.interrupt()
    time.sleep(0.1)
    live.interrupt()  # a second Ctrl-C does not cut it either
    r = live.finish()
    assert r.rc == 0, r.err
    assert "Deleted 1 message." in r.text
    assert "too late to cancel" in r.err
    assert "Still stopping safely" in r.err
    assert server.maildrop(POP_USER).uids() == [before[0], *before[2:]]


def test_ctrl_c_cancels_a_fetch(pymail: Pymail, pop_server_factory: PopServerFactory) -> None:
    server, _ = listed_then_slow(pymail, pop_server_factory, 1.0)
    live = pymail.live("show", "1")
    wait_until(lambda: server.session_count == 2)
    live.interrupt()
    r = live.finish()
    assert r.rc == 130, r.err
    assert "Cancelled" in r.err and r.out == b""


def test_interactive_ctrl_c_stops_the_task_and_goes_on(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server = slow_server(pop_server_factory, n=5, delay=0.0)
    configure_scripted(pymail, server)
    live = pymail.live()
    live.expect("Action?")
    server.set_behavior(reply_delay=0.5)
    live.type("i\n")
    wait_until(lambda: server.session_count == 2)
    live.interrupt()
    live.expect("Error: Cancelled")
    server.set_behavior(reply_delay=0.0)
    live.type("l 2\nq\n")
    r = live.finish()
    assert r.rc == 0, r.err
    assert "Subject: msg 1" in r.text
    assert "Showing the index as it was last loaded." in r.text


def test_new_and_unread_marks_in_the_server_list(
    pymail: Pymail, pop_server_factory: PopServerFactory
) -> None:
    server = slow_server(pop_server_factory, n=3, delay=0.0)
    configure_scripted(pymail, server)
    marks = [line.split()[1] for line in pymail("list").lines()]
    assert marks == ["N", "N", "N"]  # all arrived with this refresh
    assert pymail("show", "2").rc == 0
    lines = pymail("list", "--offline").lines()
    assert [line[2] for line in lines] == ["N", " ", "N"]  # 2 was read
    server.maildrop(POP_USER).add(make_message("later"))
    lines = pymail("list").lines()
    assert [line[2] for line in lines] == ["U", " ", "U", "N"]  # only the latest is new
    rows = json.loads(pymail("list", "--offline", "--json").text)
    assert [(row["new"], "S" in str(row["flags"])) for row in rows] == [
        (False, False),
        (False, True),
        (False, False),
        (True, False),
    ]
