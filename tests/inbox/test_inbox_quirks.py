"""Servers that bend RFC 1939: bad ids cost only their messages, rewrites are not refused.

Each case is a finding from trying the client against real servers (issue 10): one
duplicate or malformed UIDL used to make the whole mailbox unusable, reading a message
on a server that adds "Status: R" made the next delete fail, and ``UIDL n`` answered
without the number broke show/save/reply.
"""

from __future__ import annotations

import pytest
from tests.inbox.conftest import InboxFactory
from tests.support.mail import make_message, twin_messages
from tests.support.popserver import PopServerFactory

from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.errors import SyncError
from pymailgui.inbox.identity import is_fingerprint_key
from pymailgui.tasks import Task


def _subjects(inbox) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r.subject: r.key for r in inbox.rows()}


@pytest.mark.parametrize(
    "bad",
    [
        "same-for-both",  # duplicated (a server that hands byte-identical mail one id)
        "GmailId 18c2f3a",  # a space: an id copied from an X-UIDL header
        "x" * 71,  # too long
        "fp:0123456789abcdef0123456789abcdef01234567",  # shaped like our fingerprint keys
    ],
)
def test_bad_ids_cost_only_their_messages(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory, bad: str
) -> None:
    server = pop_server_factory()
    drop = server.maildrop("alice")
    uids = [drop.add(make_message(f"msg {i}")) for i in range(1, 6)]
    hit = {uids[1], uids[3]}
    server.set_behavior(uidl_override=lambda num, uid: bad if uid in hit else uid)
    inbox = inbox_for(server)

    task = Task()
    report = inbox.refresh(task)
    assert report.total == 5 and report.unidentified == 2
    notices = [n for n in task.notices if n.kind == "invalid-uidl"]
    assert len(notices) == 1 and "2 messages" in notices[0].text
    keys = _subjects(inbox)
    assert not is_fingerprint_key(keys["msg 1"]) and keys["msg 1"] == uids[0]
    assert is_fingerprint_key(keys["msg 2"]) and is_fingerprint_key(keys["msg 4"])
    # Said once: the next refresh finds the same, and stays quiet.
    again = Task()
    inbox.refresh(again)
    assert not [n for n in again.notices if n.kind == "invalid-uidl"]

    # Every message can be read and deleted, the fingerprinted ones included.
    assert b"Subject: msg 2" in inbox.fetch(keys["msg 2"], use_cache=False)
    assert b"Subject: msg 5" in inbox.fetch(keys["msg 5"], use_cache=False)
    report2 = inbox.delete([keys["msg 4"], keys["msg 1"]])
    assert sorted(report2.deleted) == sorted([keys["msg 4"], keys["msg 1"]])
    assert drop.uids() == [uids[1], uids[2], uids[4]]
    assert sorted(_subjects(inbox)) == ["msg 2", "msg 3", "msg 5"]


def test_twins_behind_one_bad_id_are_refused_alone(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    server = pop_server_factory()
    drop = server.maildrop("alice")
    a, b = twin_messages("same body\r\n", "same body\r\n")
    ok = drop.add(make_message("fine"))
    twins = {drop.add(a), drop.add(b)}
    server.set_behavior(uidl_override=lambda num, uid: "dup" if uid in twins else uid)
    inbox = inbox_for(server)
    inbox.refresh()
    twin_keys = [r.key for r in inbox.rows() if r.key != ok]
    assert len(twin_keys) == 2
    for key in twin_keys:
        with pytest.raises(SyncError, match="cannot be told apart"):
            inbox.delete([key])
    assert inbox.delete([ok]).deleted == [ok]
    assert set(drop.uids()) == twins


def test_a_message_rewritten_on_read_can_still_be_deleted(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    # The server adds "Status: R" once a message was read: its size grows under the same
    # UIDL. RFC 1939 §7 makes the id the identity, so the delete must go ahead.
    server = pop_server_factory(ServerBehavior(mark_read=True))
    drop = server.maildrop("alice")
    uids = [drop.add(make_message(f"msg {i}")) for i in range(1, 4)]
    inbox = inbox_for(server)
    inbox.refresh()
    before = inbox.row(uids[1]).size
    assert b"Subject: msg 2" in inbox.fetch(uids[1])
    assert drop.get(uids[1]).startswith(b"Status: R\r\n")  # the server did rewrite it

    # Read it again from the server: same message, new size and headers remembered.
    data = inbox.fetch(uids[1], use_cache=False)
    assert data.startswith(b"Status: R\r\n")
    assert inbox.row(uids[1]).size == before + len(b"Status: R\r\n")

    assert inbox.delete([uids[1]]).deleted == [uids[1]]
    assert drop.uids() == [uids[0], uids[2]]


def test_refresh_after_a_rewrite_updates_the_row_and_drops_the_stale_copy(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    server = pop_server_factory(ServerBehavior(mark_read=True))
    drop = server.maildrop("alice")
    uid = drop.add(make_message("read me"))
    inbox = inbox_for(server)
    inbox.refresh()
    inbox.fetch(uid)
    report = inbox.refresh()
    assert report.resized == [uid] and not report.added and not report.removed
    assert inbox.row(uid).size == len(drop.get(uid))
    assert inbox.cache.body("acct", uid) is None  # the cached text was the old one


def test_uidl_n_answered_without_the_number(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    server = pop_server_factory(ServerBehavior(uidl_one_bare=True))
    drop = server.maildrop("alice")
    uids = [drop.add(make_message(f"msg {i}")) for i in range(1, 4)]
    inbox = inbox_for(server)
    inbox.refresh()
    assert b"Subject: msg 3" in inbox.fetch(uids[2])
    # It took the one-message fast path (UIDL 3 + LIST 3), not the full listing.
    last = server.transcript[-1]
    assert any(cmd == "UIDL 3" for _, cmd in last)
    assert not any(cmd == "UIDL" for _, cmd in last)
