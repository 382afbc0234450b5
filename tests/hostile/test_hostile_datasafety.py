"""Data safety (issue 10): the client killed at every step of download-and-delete and of
every local folder write, then run again: nothing lost, nothing half-written, no
duplicate, the account usable.
"""

from __future__ import annotations

import time

from pymailgui.devserver import Rule
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
