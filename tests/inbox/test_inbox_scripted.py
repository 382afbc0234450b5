"""The inbox model against the project's scripted POP3 server (faults and no-UIDL cases)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.inbox.conftest import InboxFactory, connector
from tests.support.mail import make_message, twin_messages
from tests.support.popserver import PopServerFactory

from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.errors import ConnectionFailed, MailboxBusy, ProtocolError, SyncError
from pymailgui.inbox import Inbox, IndexCache


def fill(server, n: int, prefix: str = "msg") -> list[str]:  # type: ignore[no-untyped-def]
    drop = server.maildrop("alice")
    return [drop.add(make_message(f"{prefix} {i}", f"body {i}\r\n")) for i in range(1, n + 1)]


def subjects(inbox: Inbox) -> list[str]:
    return [e.subject for e in inbox.rows()]


def test_refresh_builds_index_and_reports_changes(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    server = pop_server_factory()
    uids = fill(server, 5)
    inbox = inbox_for(server)
    report = inbox.refresh()
    assert report.added == uids and report.removed == [] and report.total == 5
    assert subjects(inbox) == [f"msg {i}" for i in range(1, 6)]
    assert [e.number for e in inbox.rows()] == [1, 2, 3, 4, 5]
    first = inbox.rows()[0]
    assert first.from_ == "Alice Example <alice@example.com>"
    assert first.date is not None and first.date.year == 2026
    # another client removes two, three arrive: one session, headers only for the new ones
    drop = server.maildrop("alice")
    drop.delete(uids[0])
    drop.delete(uids[3])
    fill(server, 3, prefix="new")
    tops_before = sum(1 for s in server.transcript for _, c in s if c.startswith("TOP"))
    report = inbox.refresh()
    tops = sum(1 for s in server.transcript for _, c in s if c.startswith("TOP")) - tops_before
    assert tops == 3
    assert sorted(report.removed) == sorted([uids[0], uids[3]])
    assert len(report.added) == 3
    assert str(report) == "6 messages (2 removed on the server, 3 new)"
    assert subjects(inbox) == ["msg 2", "msg 3", "msg 5", "new 1", "new 2", "new 3"]
    assert [e.number for e in inbox.rows()] == [1, 2, 3, 4, 5, 6]


def test_rows_keyed_by_uidl_record_their_fingerprint(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    """The fingerprint of an id-keyed row is computed off the refresh's thread, but it
    is there, and it is the one the headers and size give (the fallback if the id ever
    becomes unusable)."""
    from pymailgui.inbox.identity import fingerprint

    server = pop_server_factory()
    uids = fill(server, 3)
    inbox = inbox_for(server)
    inbox.refresh()
    drop = server.maildrop("alice")
    for row, uid in zip(inbox.rows(), uids, strict=True):
        data = drop.get(uid)
        assert row.key == uid and row.fingerprint == fingerprint(data, len(data))


def test_index_survives_restart_without_network(
    pop_server_factory: PopServerFactory, tmp_path: Path
) -> None:
    server = pop_server_factory()
    fill(server, 3)
    cache = IndexCache(tmp_path / "c.sqlite3")
    Inbox("a", cache, connector(server.host, server.port)).refresh()
    cache.close()
    server.stop()
    cache2 = IndexCache(tmp_path / "c.sqlite3")
    try:

        def no_network(task: object) -> None:
            raise AssertionError("must not connect")

        inbox = Inbox("a", cache2, no_network)  # type: ignore[arg-type]
        assert subjects(inbox) == ["msg 1", "msg 2", "msg 3"]
    finally:
        cache2.close()


def test_fetch_maps_uid_to_current_number_after_renumbering(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    server = pop_server_factory()
    uids = fill(server, 6)
    inbox = inbox_for(server)
    inbox.refresh()
    drop = server.maildrop("alice")
    drop.delete(uids[0])  # before
    drop.delete(uids[2])  # between
    drop.delete(uids[5])  # after
    data = inbox.fetch(uids[4])
    assert b"Subject: msg 5\r\n" in data
    assert data == drop.get(uids[4])
    # cached: no new session
    sessions = server.session_count
    assert inbox.fetch(uids[4]) == data
    assert server.session_count == sessions


def test_fetch_of_a_vanished_message_is_refused(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    server = pop_server_factory()
    uids = fill(server, 3)
    inbox = inbox_for(server)
    inbox.refresh()
    server.maildrop("alice").delete(uids[1])
    with pytest.raises(SyncError, match="no longer on the server"):
        inbox.fetch(uids[1])


def test_fetch_refuses_when_server_maps_uid_to_other_message(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    server = pop_server_factory()
    drop = server.maildrop("alice")
    a = drop.add(make_message("Subject A", "same size\r\n", message_id="<a@example.com>"))
    b = drop.add(make_message("Subject B", "same size\r\n", message_id="<b@example.com>"))
    inbox = inbox_for(server)
    inbox.refresh()
    # a broken server that swaps the ids of two messages of the same size
    server.set_behavior(uidl_override=lambda num, uid: {a: b, b: a}.get(uid, uid))
    with pytest.raises(SyncError, match="not the one you picked"):
        inbox.fetch(a)


def test_delete_removes_exactly_the_selected_despite_other_client(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    server = pop_server_factory()
    uids = fill(server, 8)
    inbox = inbox_for(server)
    inbox.refresh()
    drop = server.maildrop("alice")
    drop.delete(uids[0])  # before the selection
    drop.delete(uids[3])  # between
    drop.delete(uids[7])  # after
    fill(server, 2, prefix="late")  # new mail between list and delete
    report = inbox.delete([uids[2], uids[5], uids[3]])
    assert report.deleted == [uids[2], uids[5]]
    assert report.already_gone == [uids[3]]
    assert server.deleted_log == [uids[2], uids[5]]
    remaining = set(drop.uids())
    assert uids[1] in remaining and uids[4] in remaining and uids[6] in remaining
    # the index is updated in place: no reload, numbers are the server's new ones
    assert subjects(inbox) == ["msg 2", "msg 5", "msg 7"]
    assert [e.number for e in inbox.rows()] == [1, 2, 3]


@pytest.mark.parametrize(
    "fault",
    [
        {"quit_error": True},
        {"drop_before_quit_reply": True},
        {"drop_after_commands": 9},  # in the middle of the DELE batch
    ],
)
def test_delete_without_acknowledged_quit_deletes_nothing(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory, fault: dict[str, object]
) -> None:
    server = pop_server_factory()
    uids = fill(server, 10)
    inbox = inbox_for(server)
    inbox.refresh()
    before = inbox.rows()
    server.set_behavior(**fault)
    with pytest.raises((ConnectionFailed, ProtocolError), match=r"(?i)nothing was deleted"):
        inbox.delete(uids[2:9])
    assert server.maildrop("alice").uids() == uids
    assert server.deleted_log == []
    assert inbox.rows() == before


def test_mailbox_in_use_is_reported_as_busy(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    server = pop_server_factory(ServerBehavior(always_in_use=True))
    with pytest.raises(MailboxBusy):
        inbox_for(server).refresh()


# -- servers without UIDL -----------------------------------------------------------------
def test_no_uidl_fingerprints_and_twins_are_refused(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    server = pop_server_factory(ServerBehavior(uidl=False))
    drop = server.maildrop("alice")
    t1, t2 = twin_messages()
    u_a = drop.add(make_message("alpha"))
    u_t1, u_t2 = drop.add(t1), drop.add(t2)
    u_b = drop.add(make_message("beta"))
    inbox = inbox_for(server)
    report = inbox.refresh()
    assert not report.by_uidl and report.total == 4
    keys = [e.key for e in inbox.rows()]
    assert all(k.startswith("fp:") for k in keys) and len(set(keys)) == 4
    twin_keys = [e.key for e in inbox.rows() if e.subject == "Daily report"]
    for key in twin_keys:
        with pytest.raises(SyncError, match="cannot be told apart"):
            inbox.fetch(key)
        with pytest.raises(SyncError, match="cannot be told apart"):
            inbox.delete([key, keys[0]])
    assert server.deleted_log == []
    # distinct messages work, even after another client renumbered the maildrop
    drop.delete(u_a)
    beta = next(e.key for e in inbox.rows() if e.subject == "beta")
    assert b"Subject: beta" in inbox.fetch(beta)
    report2 = inbox.delete([beta])
    assert report2.deleted == [beta]
    assert server.deleted_log == [u_b]
    assert sorted(drop.uids()) == sorted([u_t1, u_t2])


def test_no_uidl_twin_becomes_usable_only_after_refresh(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    server = pop_server_factory(ServerBehavior(uidl=False))
    drop = server.maildrop("alice")
    t1, t2 = twin_messages()
    u1, u2 = drop.add(t1), drop.add(t2)
    inbox = inbox_for(server)
    inbox.refresh()
    drop.delete(u1)  # only one look-alike left, but which one did the user pick?
    for key in [e.key for e in inbox.rows()]:
        with pytest.raises(SyncError):
            inbox.delete([key])
    inbox.refresh()  # the user now sees one message: it may be acted on
    (only,) = inbox.rows()
    assert inbox.fetch(only.key) == drop.get(u2)


def test_no_top_falls_back_to_retr(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    server = pop_server_factory(ServerBehavior(top=False, pipelining=False))
    uids = fill(server, 3)
    inbox = inbox_for(server)
    inbox.refresh()
    assert subjects(inbox) == ["msg 1", "msg 2", "msg 3"]
    commands = [c for s in server.transcript for _, c in s]
    assert any(c.startswith("RETR") for c in commands)
    # RETR'd bodies are cached: viewing needs no new session
    sessions = server.session_count
    assert inbox.fetch(uids[1]) == server.maildrop("alice").get(uids[1])
    assert server.session_count == sessions


def test_no_uidl_no_top(pop_server_factory: PopServerFactory, inbox_for: InboxFactory) -> None:
    server = pop_server_factory(ServerBehavior(uidl=False, top=False, capa=False))
    fill(server, 3)
    inbox = inbox_for(server)
    inbox.refresh()
    target = inbox.rows()[1]
    assert inbox.delete([target.key]).deleted == [target.key]
    assert subjects(inbox) == ["msg 1", "msg 3"]


def test_cached_text_is_offered_without_a_connection(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    server = pop_server_factory()
    uids = fill(server, 3)
    inbox = inbox_for(server)
    inbox.refresh()
    assert inbox.cached(uids[0]) is None
    data = inbox.fetch(uids[0])
    sessions = server.session_count
    assert inbox.cached(uids[0]) == data and inbox.cached("no-such-key") is None
    assert server.session_count == sessions


def test_a_delete_reports_rows_another_client_removed(
    pop_server_factory: PopServerFactory, inbox_for: InboxFactory
) -> None:
    server = pop_server_factory()
    uids = fill(server, 5)
    inbox = inbox_for(server)
    inbox.refresh()
    server.maildrop("alice").delete(uids[3])  # another client, unseen by our index
    report = inbox.delete([uids[0]])
    assert report.deleted == [uids[0]] and report.vanished == [uids[3]]
    assert [r.key for r in inbox.rows()] == [uids[1], uids[2], uids[4]]
    assert [r.number for r in inbox.rows()] == [1, 2, 3]
