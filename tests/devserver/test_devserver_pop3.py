"""RFC 1939/2449/5034 semantics of the scripted POP3 server, driven over real sockets."""

from __future__ import annotations

import base64
import poplib
import threading
import time

import pytest
from tests.support.popserver import POP_PASSWORD, POP_USER, PopServerFactory, RawFactory

from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.maildrop import Maildrop
from pymailgui.devserver.pop3server import ScriptedPOP3Server


def msg(n: int, body: str = "hello") -> bytes:
    return f"Subject: message {n}\r\nMessage-ID: <{n}@example.com>\r\n\r\n{body} {n}\r\n".encode()


def fill(drop: Maildrop, count: int) -> list[str]:
    return [drop.add(msg(i)) for i in range(1, count + 1)]


def login(server: ScriptedPOP3Server) -> poplib.POP3:
    client = poplib.POP3(server.host, server.port, timeout=5)
    client.user(POP_USER)
    client.pass_(POP_PASSWORD)
    return client


def test_start_binds_loopback_and_a_free_port(pop_server: ScriptedPOP3Server) -> None:
    host, port = pop_server.start()  # idempotent
    assert host == "127.0.0.1" and port > 0
    assert (pop_server.host, pop_server.port) == (host, port)


def test_ipv6_loopback() -> None:
    with ScriptedPOP3Server({POP_USER: (POP_PASSWORD, Maildrop())}, host="::1") as server:
        client = poplib.POP3(server.host, server.port, timeout=5)
        assert client.getwelcome().startswith(b"+OK")
        client.quit()


def test_numbering_stat_list_uidl_retr(pop_server: ScriptedPOP3Server) -> None:
    drop = pop_server.maildrop(POP_USER)
    uids = fill(drop, 3)
    client = login(pop_server)
    assert client.stat() == (3, sum(len(drop.get(u)) for u in uids))
    _, listing, _ = client.list()
    assert listing == [f"{i + 1} {len(drop.get(u))}".encode() for i, u in enumerate(uids)]
    _, ids, _ = client.uidl()
    assert ids == [f"{i + 1} {u}".encode() for i, u in enumerate(uids)]
    assert client.uidl(2) == f"+OK 2 {uids[1]}".encode()
    _, lines, octets = client.retr(2)
    assert lines[0] == b"Subject: message 2" and lines[-1] == b"hello 2"
    assert octets == len(drop.get(uids[1]))
    client.quit()


def test_uids_are_unique_and_never_reused() -> None:
    drop = Maildrop()
    first = fill(drop, 5)
    for uid in first:
        drop.delete(uid)
    second = fill(drop, 5)
    assert not set(first) & set(second)
    assert all(1 <= len(u) <= 70 and u.isascii() and u.isprintable() for u in second)


def test_bad_message_numbers(pop_server: ScriptedPOP3Server, raw_pop: RawFactory) -> None:
    fill(pop_server.maildrop(POP_USER), 2)
    c = raw_pop(pop_server)
    assert c.login().startswith("+OK")
    for command in ("RETR 0", "RETR 3", "RETR x", "RETR -1", "LIST 9", "DELE", "TOP 1", "TOP 1 x"):
        assert c.cmd(command).startswith("-ERR"), command
    assert c.cmd("RETR 1²").startswith("-ERR")
    assert c.cmd("NOOP") == "+OK"


def test_commands_need_the_right_state(pop_server: ScriptedPOP3Server, raw_pop: RawFactory) -> None:
    fill(pop_server.maildrop(POP_USER), 1)
    c = raw_pop(pop_server)
    assert c.cmd("STAT").startswith("-ERR")  # AUTHORIZATION state (RFC 1939 §4)
    assert c.cmd("PASS secret").startswith("-ERR")  # no USER yet
    assert c.cmd("FROB").startswith("-ERR")
    assert c.login().startswith("+OK")
    assert c.cmd("USER alice").startswith("-ERR")  # TRANSACTION state
    assert c.cmd("stat").startswith("+OK 1 ")  # keywords are case-insensitive


def test_wrong_password_then_retry(pop_server: ScriptedPOP3Server, raw_pop: RawFactory) -> None:
    c = raw_pop(pop_server)
    assert c.login(password="wrong") == "-ERR [AUTH] Authentication failed."
    assert c.login(user="nobody").startswith("-ERR [AUTH]")
    assert c.login().startswith("+OK")
    assert pop_server.maildrop(POP_USER).locked_by is not None


def test_dele_rset_and_marked_messages(pop_server: ScriptedPOP3Server) -> None:
    drop = pop_server.maildrop(POP_USER)
    uids = fill(drop, 3)
    client = login(pop_server)
    client.dele(2)
    assert client.stat()[0] == 2
    assert [line.split()[0] for line in client.list()[1]] == [b"1", b"3"]
    assert [line.split()[0] for line in client.uidl()[1]] == [b"1", b"3"]
    for call in (lambda: client.retr(2), lambda: client.top(2, 0), lambda: client.dele(2)):
        with pytest.raises(poplib.error_proto):
            call()
    with pytest.raises(poplib.error_proto):
        client.list(2)
    client.rset()
    assert client.stat()[0] == 3
    client.dele(1)
    client.dele(3)
    client.quit()
    assert drop.uids() == [uids[1]]
    assert pop_server.deleted_log == [uids[0], uids[2]]


def test_quit_commits_by_uid_not_by_number(pop_server: ScriptedPOP3Server) -> None:
    drop = pop_server.maildrop(POP_USER)
    uids = fill(drop, 3)
    client = login(pop_server)
    # Another client removes message 1 and delivers a new one during our session: our
    # "DELE 2" must still remove the message that was number 2 at login.
    drop.delete(uids[0])
    new = drop.add(msg(9))
    client.dele(2)
    client.quit()
    assert drop.uids() == [uids[2], new]
    assert pop_server.deleted_log == [uids[1]]
    assert pop_server.other_client_deletes == [uids[0]]


def test_no_commit_without_quit(pop_server: ScriptedPOP3Server) -> None:
    drop = pop_server.maildrop(POP_USER)
    uids = fill(drop, 3)
    client = login(pop_server)
    client.dele(1)
    client.dele(2)
    client.close()  # drop the connection: UPDATE state never reached
    assert pop_server.wait_idle()
    assert drop.uids() == uids
    assert pop_server.deleted_log == []
    assert pop_server.sessions[0].quit_received is False
    assert drop.locked_by is None  # the lock dies with the session


def test_quit_in_authorization_commits_nothing(
    pop_server: ScriptedPOP3Server, raw_pop: RawFactory
) -> None:
    fill(pop_server.maildrop(POP_USER), 1)
    c = raw_pop(pop_server)
    assert c.cmd("QUIT").startswith("+OK")
    assert c.at_eof()
    assert pop_server.quit_count == 1 and pop_server.deleted_log == []


def test_other_client_deletion_during_session(
    pop_server: ScriptedPOP3Server, raw_pop: RawFactory
) -> None:
    drop = pop_server.maildrop(POP_USER)
    uids = fill(drop, 2)
    c = raw_pop(pop_server)
    assert c.login().startswith("+OK")
    assert drop.delete(uids[0]) is True
    assert drop.delete(uids[0]) is False
    assert c.cmd("RETR 1") == "-ERR Message was deleted."
    assert c.cmd("TOP 1 0") == "-ERR Message was deleted."
    assert c.cmd("STAT").startswith("+OK 2 ")  # the session's snapshot is unchanged
    assert c.multi("RETR 2")[0].startswith("+OK")
    assert c.cmd("QUIT").startswith("+OK")
    c2 = raw_pop(pop_server)
    assert c2.login().startswith("+OK")
    _, ids = c2.multi("UIDL")
    assert ids == [f"1 {uids[1]}".encode()]


def test_top(pop_server: ScriptedPOP3Server, raw_pop: RawFactory) -> None:
    drop = pop_server.maildrop(POP_USER)
    drop.add(b"Subject: t\r\nX: y\r\n\r\nline1\r\nline2\r\nline3\r\n")
    drop.add(b"Subject: headers only\r\n")
    drop.add(b"\r\nbody without headers\r\n")
    c = raw_pop(pop_server)
    c.login()
    assert c.multi("TOP 1 0")[1] == [b"Subject: t", b"X: y", b""]
    assert c.multi("TOP 1 2")[1] == [b"Subject: t", b"X: y", b"", b"line1", b"line2"]
    assert c.multi("TOP 1 99")[1] == [b"Subject: t", b"X: y", b"", b"line1", b"line2", b"line3"]
    assert c.multi("TOP 2 5")[1] == [b"Subject: headers only"]
    assert c.multi("TOP 3 0")[1] == [b""]


def test_dot_stuffing_round_trip(pop_server: ScriptedPOP3Server, raw_pop: RawFactory) -> None:
    body = b".starts with dot\r\n.\r\n..two\r\nFrom here\r\n"
    data = b"Subject: dots\r\n\r\n" + body
    pop_server.maildrop(POP_USER).add(data)
    c = raw_pop(pop_server)
    c.login()
    assert c.cmd("RETR 1") == f"+OK {len(data)} octets."
    raw = c.raw_block()
    assert b"\r\n..starts with dot\r\n..\r\n...two\r\nFrom here\r\n.\r\n" in raw
    assert c.cmd("QUIT").startswith("+OK")
    assert pop_server.wait_idle()
    client = login(pop_server)  # poplib un-stuffs: the message comes back byte for byte
    assert b"\r\n".join(client.retr(1)[1]) + b"\r\n" == data
    client.quit()


def test_line_endings_normalized_and_final_crlf_added(pop_server: ScriptedPOP3Server) -> None:
    drop = pop_server.maildrop(POP_USER)
    uid = drop.add(b"Subject: lf\n\nbody\nno final newline")
    assert drop.get(uid) == b"Subject: lf\r\n\r\nbody\r\nno final newline\r\n"
    client = login(pop_server)
    answer: object = client.list(1)  # typeshed only knows the listing form
    assert answer == f"+OK 1 {len(drop.get(uid))}".encode()
    client.quit()


def test_pipelined_batch_processed_in_order(
    pop_server: ScriptedPOP3Server, raw_pop: RawFactory
) -> None:
    drop = pop_server.maildrop(POP_USER)
    uids = fill(drop, 3)
    c = raw_pop(pop_server)
    c.send("USER alice", "PASS secret", "STAT", "TOP 1 0", "UIDL 3", "DELE 2", "LIST", "QUIT")
    assert c.line().startswith("+OK")
    assert c.line().startswith("+OK Logged in")
    assert c.line().startswith("+OK 3 ")
    assert c.line().startswith("+OK")
    assert c.block()[0] == b"Subject: message 1"
    assert c.line() == f"+OK 3 {uids[2]}"
    assert c.line().startswith("+OK")
    assert c.line().startswith("+OK")
    assert [line.split()[0] for line in c.block()] == [b"1", b"3"]
    assert c.line().startswith("+OK")
    assert pop_server.wait_idle()
    log = pop_server.sessions[0]
    assert log.verbs == ["USER", "PASS", "STAT", "TOP", "UIDL", "DELE", "LIST", "QUIT"]
    assert log.batch_count == 1  # one write, one read: the client pipelined
    assert "PASS ***" in log.commands and "secret" not in " ".join(log.commands)
    assert drop.uids() == [uids[0], uids[2]]


def test_transcript_counts_batches_of_a_lockstep_client(pop_server: ScriptedPOP3Server) -> None:
    client = login(pop_server)
    client.stat()
    client.noop()
    client.quit()
    assert pop_server.wait_idle()
    (entries,) = pop_server.transcript
    assert [cmd for _, cmd in entries] == ["USER alice", "PASS ***", "STAT", "NOOP", "QUIT"]
    assert [batch for batch, _ in entries] == [1, 2, 3, 4, 5]


def test_capa(pop_server: ScriptedPOP3Server) -> None:
    client = poplib.POP3(pop_server.host, pop_server.port, timeout=5)
    caps = client.capa()
    assert set(caps) == {
        "TOP", "UIDL", "USER", "SASL", "RESP-CODES", "PIPELINING", "IMPLEMENTATION"
    }  # fmt: skip
    assert caps["SASL"] == ["PLAIN"]
    assert caps["IMPLEMENTATION"] == ["pymailgui-devserver"]
    client.quit()


def test_auth_plain_with_initial_response(
    pop_server: ScriptedPOP3Server, raw_pop: RawFactory
) -> None:
    c = raw_pop(pop_server)
    token = base64.b64encode(b"\0alice\0secret").decode()
    assert c.cmd("AUTH PLAIN " + base64.b64encode(b"\0alice\0nope").decode()).startswith(
        "-ERR [AUTH]"
    )
    assert c.cmd(f"AUTH PLAIN {token}").startswith("+OK")
    assert c.cmd("STAT").startswith("+OK 0 0")
    assert pop_server.sessions[0].commands[-2] == "AUTH PLAIN ***"


def test_auth_plain_with_continuation(pop_server: ScriptedPOP3Server, raw_pop: RawFactory) -> None:
    c = raw_pop(pop_server)
    assert c.cmd("AUTH PLAIN") == "+ "
    assert c.cmd("*") == "-ERR Authentication cancelled."
    assert c.cmd("AUTH PLAIN") == "+ "
    assert c.cmd("not base64!").startswith("-ERR")
    assert c.cmd("AUTH PLAIN") == "+ "
    assert c.cmd(base64.b64encode(b"alice\0alice\0secret").decode()).startswith("+OK")
    assert pop_server.sessions[0].user == "alice"


def test_auth_plain_refuses_other_authzid(
    pop_server: ScriptedPOP3Server, raw_pop: RawFactory
) -> None:
    c = raw_pop(pop_server)
    token = base64.b64encode(b"bob\0alice\0secret").decode()
    assert c.cmd(f"AUTH PLAIN {token}").startswith("-ERR [AUTH]")
    assert c.multi("AUTH")[1] == [b"PLAIN"]


def test_maildrop_lock_in_use(pop_server_factory: PopServerFactory, raw_pop: RawFactory) -> None:
    server = pop_server_factory(ServerBehavior(lock_wait=0.1))
    first = raw_pop(server)
    assert first.login().startswith("+OK")
    second = raw_pop(server)
    # RFC 1939 §8 + RFC 2449 §8.1.1: busy, not a bad password.
    assert second.login().startswith("-ERR [IN-USE]")
    assert first.cmd("QUIT").startswith("+OK")
    assert server.wait_idle(0.2) is False  # `second` is still connected
    assert second.login().startswith("+OK")


def test_reconnect_right_after_a_drop_is_not_in_use(pop_server: ScriptedPOP3Server) -> None:
    # The server reads the dropped client's EOF asynchronously; the new login waits
    # (lock_wait) for that dead session instead of answering [IN-USE].
    for _ in range(20):
        client = login(pop_server)
        client.close()
    login(pop_server).quit()


def test_lock_can_be_turned_off(pop_server_factory: PopServerFactory, raw_pop: RawFactory) -> None:
    server = pop_server_factory(ServerBehavior(lock_maildrop=False))
    assert raw_pop(server).login().startswith("+OK")
    assert raw_pop(server).login().startswith("+OK")


def test_line_too_long_closes(pop_server: ScriptedPOP3Server, raw_pop: RawFactory) -> None:
    c = raw_pop(pop_server)
    assert c.cmd("NOOP " + "x" * 300).startswith("-ERR")
    assert c.at_eof()


def test_list_and_uidl_of_10000_messages_are_fast(pop_server: ScriptedPOP3Server) -> None:
    drop = pop_server.maildrop(POP_USER)
    for i in range(10_000):
        drop.add(msg(i))
    client = login(pop_server)
    started = time.perf_counter()
    assert len(client.list()[1]) == 10_000
    assert len(client.uidl()[1]) == 10_000
    # Not a speed target (that is bench/'s job): a quadratic listing would take minutes.
    assert time.perf_counter() - started < 5
    client.quit()


def test_a_dozen_concurrent_clients(pop_server_factory: PopServerFactory) -> None:
    users = {f"user{i}": ("pw", Maildrop()) for i in range(12)}
    for _, drop in users.values():
        fill(drop, 20)
    server = pop_server_factory(users=users)
    errors: list[BaseException] = []
    barrier = threading.Barrier(12)

    def work(name: str) -> None:
        try:
            client = poplib.POP3(server.host, server.port, timeout=5)
            client.user(name)
            client.pass_("pw")
            barrier.wait(5)
            for n in range(1, 21):
                client.retr(n)
            client.dele(1)
            client.quit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert errors == []
    assert all(len(drop) == 19 for _, drop in users.values())
    assert server.quit_count == 12 and len(server.deleted_log) == 12


def test_stop_ends_running_sessions_without_commit(pop_server_factory: PopServerFactory) -> None:
    server = pop_server_factory()
    drop = server.maildrop(POP_USER)
    uids = fill(drop, 2)
    client = login(server)
    client.dele(1)
    before = {t.name for t in threading.enumerate()}
    assert any(name.startswith("pop3-session") for name in before)
    server.stop()
    server.stop()  # idempotent
    assert not any(t.name.startswith("pop3-") for t in threading.enumerate())
    assert drop.uids() == uids
    with pytest.raises((poplib.error_proto, OSError, EOFError)):
        client.stat()
    client.close()
