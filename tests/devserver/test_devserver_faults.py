"""The fault and hostile-case knobs of the scripted POP3 server, and TLS."""

from __future__ import annotations

import base64
import poplib
import socket
import ssl
import threading
import time

import pytest
from tests.support.popserver import POP_USER, PopServerFactory, RawFactory
from tests.support.tls import TLSFiles

from pymailgui.devserver.behavior import ServerBehavior, UidlOverride
from pymailgui.devserver.maildrop import Maildrop
from pymailgui.devserver.pop3server import ScriptedPOP3Server


def filled(
    factory: PopServerFactory, behavior: ServerBehavior, count: int = 3
) -> ScriptedPOP3Server:
    server = factory(behavior)
    drop = server.maildrop(POP_USER)
    for i in range(count):
        drop.add(f"Subject: {i}\r\n\r\nbody {i}\r\n".encode())
    return server


def test_quit_error_commits_nothing(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = filled(pop_server_factory, ServerBehavior(quit_error=True))
    before = server.maildrop(POP_USER).uids()
    c = raw_pop(server)
    c.login()
    assert c.cmd("DELE 1").startswith("+OK")
    assert c.cmd("QUIT").startswith("-ERR")
    assert c.at_eof()
    assert server.wait_idle()
    assert server.maildrop(POP_USER).uids() == before
    assert server.deleted_log == [] and server.quit_count == 1


def test_drop_before_quit_reply_commits_nothing(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = filled(pop_server_factory, ServerBehavior(drop_before_quit_reply=True))
    before = server.maildrop(POP_USER).uids()
    c = raw_pop(server)
    c.login()
    c.cmd("DELE 2")
    c.send("QUIT")
    assert c.at_eof()
    assert server.wait_idle()
    assert server.maildrop(POP_USER).uids() == before
    assert server.sessions[0].quit_received and not server.sessions[0].committed


def test_drop_after_commands(pop_server_factory: PopServerFactory, raw_pop: RawFactory) -> None:
    server = filled(pop_server_factory, ServerBehavior(drop_after_commands=4))
    c = raw_pop(server)
    c.login()  # 2 commands
    assert c.cmd("DELE 1").startswith("+OK")
    assert c.cmd("STAT").startswith("+OK 2 ")
    assert c.at_eof()  # after the 4th answer, without waiting for QUIT
    assert server.wait_idle()
    assert len(server.maildrop(POP_USER)) == 3 and server.deleted_log == []


def test_behavior_changes_apply_to_new_sessions(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = filled(pop_server_factory, ServerBehavior())
    first = raw_pop(server)
    server.set_behavior(capa=False, uidl=False, top=False)
    second = raw_pop(server)
    assert first.multi("CAPA")[0].startswith("+OK")
    assert second.cmd("CAPA").startswith("-ERR")
    assert second.login().startswith("+OK")
    assert second.cmd("UIDL").startswith("-ERR")
    assert second.cmd("TOP 1 0").startswith("-ERR")


def test_always_in_use_and_login_delay(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    busy = pop_server_factory(ServerBehavior(always_in_use=True))
    c = raw_pop(busy)
    assert c.login(password="wrong").startswith("-ERR [AUTH]")
    assert c.login() == "-ERR [IN-USE] Mailbox is locked by another POP3 session."
    token = base64.b64encode(b"\0alice\0secret").decode()
    assert c.cmd(f"AUTH PLAIN {token}").startswith("-ERR [IN-USE]")
    delayed = pop_server_factory(ServerBehavior(login_delay=True))
    assert raw_pop(delayed).login().startswith("-ERR [LOGIN-DELAY]")
    plain = pop_server_factory(ServerBehavior(always_in_use=True, resp_codes=False))
    assert raw_pop(plain).login() == "-ERR Mailbox is locked by another POP3 session."


def test_no_dot_stuffing_truncates_like_a_buggy_server(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = pop_server_factory(ServerBehavior(dot_stuff=False))
    data = b"Subject: x\r\n\r\nbefore\r\n.\r\nafter\r\n"
    server.maildrop(POP_USER).add(data)
    c = raw_pop(server)
    c.login()
    assert c.cmd("RETR 1") == f"+OK {len(data)} octets."
    # The lone "." ends the response early; "after" leaks in as a bogus next line.
    assert c.raw_block() == b"Subject: x\r\n\r\nbefore\r\n.\r\n"
    assert c.line() == "after"


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (lambda n, uid: "same", [b"1 same", b"2 same", b"3 same"]),
        (lambda n, uid: "x" * 100, [b"1 " + b"x" * 100] * 1),
        (lambda n, uid: "", [b"1 ", b"2 ", b"3 "]),
    ],
)
def test_uidl_override(
    pop_server_factory: PopServerFactory,
    raw_pop: RawFactory,
    override: UidlOverride,
    expected: list[bytes],
) -> None:
    server = filled(pop_server_factory, ServerBehavior(uidl_override=override))
    c = raw_pop(server)
    c.login()
    _, ids = c.multi("UIDL")
    assert ids[: len(expected)] == expected
    assert c.cmd("UIDL 1") == "+OK " + expected[0].decode()


def test_reply_delay_and_greeting_delay(pop_server_factory: PopServerFactory) -> None:
    server = pop_server_factory(ServerBehavior(greeting_delay=0.3, reply_delay=0.2))
    started = time.monotonic()
    client = poplib.POP3(server.host, server.port, timeout=5)
    assert time.monotonic() - started >= 0.3
    with pytest.raises((TimeoutError, socket.timeout)):
        client.sock.settimeout(0.05)
        client.noop()
    client.close()


def test_idle_timeout_closes_without_commit(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = filled(pop_server_factory, ServerBehavior(idle_timeout=0.2))
    c = raw_pop(server)
    c.login()
    c.cmd("DELE 1")
    assert c.at_eof()  # RFC 1939 §3 autologout: no answer, no commit
    assert len(server.maildrop(POP_USER)) == 3


def test_stop_interrupts_a_delayed_reply(pop_server_factory: PopServerFactory) -> None:
    server = pop_server_factory(ServerBehavior(greeting_delay=30))
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        time.sleep(0.05)
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 2
        assert sock.recv(100) == b""


def test_stls(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory, tls_files: TLSFiles
) -> None:
    server = filled(pop_server_factory, ServerBehavior(stls=tls_files.server_context()))
    client = poplib.POP3(server.host, server.port, timeout=5)
    assert "STLS" in client.capa()
    client.stls(tls_files.client_context())
    assert "STLS" not in client.capa()  # RFC 2595 §4: no STLS once TLS is active
    client.user("alice")
    client.pass_("secret")
    assert client.stat()[0] == 3
    client.quit()
    log = server.sessions[0]
    assert log.tls and log.verbs[-6:] == ["STLS", "CAPA", "USER", "PASS", "STAT", "QUIT"]
    assert log.batches == sorted(set(log.batches))  # lockstep: one read per command
    c = raw_pop(server)
    c.login()
    assert c.cmd("STLS").startswith("-ERR")  # not in TRANSACTION state either


def test_stls_discards_plaintext_sent_before_the_handshake(
    pop_server_factory: PopServerFactory, tls_files: TLSFiles
) -> None:
    server = pop_server_factory(ServerBehavior(stls=tls_files.server_context()))
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        f = sock.makefile("rb")
        f.readline()
        # The 2021 "NO STARTTLS" injection: a command smuggled after STLS in cleartext.
        sock.sendall(b"STLS\r\nUSER alice\r\n")
        assert f.readline().startswith(b"+OK")
        f.close()
        with tls_files.client_context().wrap_socket(sock, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"PASS secret\r\n")
            answer = tls.recv(200)
    assert answer.startswith(b"-ERR")  # the injected USER was thrown away


def test_inject_before_tls(pop_server_factory: PopServerFactory, tls_files: TLSFiles) -> None:
    injected = b"+OK injected\r\n"
    server = pop_server_factory(
        ServerBehavior(stls=tls_files.server_context(), inject_before_tls=injected)
    )
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.recv(200)
        sock.sendall(b"STLS\r\n")
        expected = b"+OK Begin TLS negotiation.\r\n" + injected
        data = b""
        while len(data) < len(expected) and (chunk := sock.recv(200)):
            data += chunk
        assert data == expected


def test_implicit_tls(pop_server_factory: PopServerFactory, tls_files: TLSFiles) -> None:
    server = filled(pop_server_factory, ServerBehavior(implicit_tls=tls_files.server_context()))
    client = poplib.POP3_SSL(
        server.host, server.port, timeout=5, context=tls_files.client_context()
    )
    assert "STLS" not in client.capa()
    client.user("alice")
    client.pass_("secret")
    assert client.stat()[0] == 3
    client.quit()


def test_implicit_tls_refused_by_a_client_that_does_not_trust_it(
    pop_server_factory: PopServerFactory, untrusted_tls_files: TLSFiles, tls_files: TLSFiles
) -> None:
    server = pop_server_factory(ServerBehavior(implicit_tls=untrusted_tls_files.server_context()))
    with pytest.raises(ssl.SSLCertVerificationError):
        poplib.POP3_SSL(server.host, server.port, timeout=5, context=tls_files.client_context())
    assert server.wait_idle()


def test_plaintext_auth_refused_before_tls(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory, tls_files: TLSFiles
) -> None:
    server = pop_server_factory(
        ServerBehavior(stls=tls_files.server_context(), plaintext_auth=False)
    )
    c = raw_pop(server)
    assert c.cmd("USER alice").startswith("-ERR [AUTH]")
    assert c.cmd("AUTH PLAIN AGFsaWNlAHNlY3JldA==").startswith("-ERR [AUTH]")


def test_max_line_and_extra_capa(pop_server_factory: PopServerFactory, raw_pop: RawFactory) -> None:
    server = pop_server_factory(ServerBehavior(max_line=1000, extra_capa=("EXPIRE 0",)))
    c = raw_pop(server)
    c.login()
    assert c.cmd("NOOP " + "x" * 300) == "+OK"
    assert b"EXPIRE 0" in c.multi("CAPA")[1]


def test_stop_with_a_pending_tls_handshake(tls_files: TLSFiles) -> None:
    behavior = ServerBehavior(implicit_tls=tls_files.server_context())
    server = ScriptedPOP3Server({"alice": ("secret", Maildrop())}, behavior)
    with server, socket.create_connection((server.host, server.port), timeout=5) as half_open:
        time.sleep(0.05)  # the session thread now waits for a ClientHello
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 2
        assert half_open.recv(10) == b""
    assert not [t for t in threading.enumerate() if t.name.startswith("pop3-")]
    with pytest.raises(RuntimeError):
        _ = server.host


def test_gmail_like_list_limit_and_hide_retrieved(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = filled(pop_server_factory, ServerBehavior(list_limit=2, hide_retrieved=True), 4)
    drop = server.maildrop(POP_USER)
    uids = drop.uids()
    c = raw_pop(server)
    c.login()
    assert c.cmd("STAT").startswith("+OK 2 ")
    assert c.multi("RETR 1")[0].startswith("+OK")
    assert c.multi("TOP 2 0")[0].startswith("+OK")  # TOP does not count as retrieved
    assert c.cmd("QUIT").startswith("+OK")
    assert drop.hidden == [uids[0]] and server.deleted_log == []
    c2 = raw_pop(server)
    c2.login()
    assert c2.multi("UIDL")[1] == [f"1 {uids[1]}".encode(), f"2 {uids[2]}".encode()]
    c2.multi("RETR 1")
    c2.close()  # no QUIT: nothing is hidden
    assert server.wait_idle()
    assert drop.hidden == [uids[0]]


@pytest.mark.parametrize(
    "bad",
    [{"idle_timeout": 0}, {"reply_delay": -1}, {"max_line": 2}],
)
def test_nonsense_behavior_is_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"must|cannot|too small"):
        ServerBehavior(**bad)  # type: ignore[arg-type]


def test_stls_and_implicit_tls_are_exclusive(tls_files: TLSFiles) -> None:
    ctx = tls_files.server_context()
    with pytest.raises(ValueError, match="not both"):
        ServerBehavior(stls=ctx, implicit_tls=ctx)


def test_mark_read_rewrites_retrieved_messages_after_quit(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = filled(pop_server_factory, ServerBehavior(mark_read=True))
    drop = server.maildrop(POP_USER)
    uids, before = drop.uids(), [len(drop.get(u)) for u in drop.uids()]
    c = raw_pop(server)
    c.login()
    c.multi("RETR 1")
    c.multi("RETR 2")
    c.cmd("DELE 2")
    assert c.cmd("QUIT").startswith("+OK")
    assert server.wait_idle()
    # Same uid, 11 more bytes; the deleted one is gone, the unread one untouched.
    assert drop.uids() == [uids[0], uids[2]]
    assert drop.get(uids[0]).startswith(b"Status: R\r\nSubject: 0")
    assert [len(drop.get(u)) for u in drop.uids()] == [before[0] + 11, before[2]]
    c2 = raw_pop(server)
    c2.login()
    c2.multi("RETR 1")
    c2.close()  # no QUIT: nothing rewritten again
    assert server.wait_idle()
    assert drop.get(uids[0]).count(b"Status: R") == 1


def test_uidl_one_bare(pop_server_factory: PopServerFactory, raw_pop: RawFactory) -> None:
    server = filled(pop_server_factory, ServerBehavior(uidl_one_bare=True))
    uids = server.maildrop(POP_USER).uids()
    c = raw_pop(server)
    c.login()
    assert c.cmd("UIDL 2") == f"+OK {uids[1]}"
    assert c.cmd("UIDL 9").startswith("-ERR")
    assert c.multi("UIDL")[1][0] == f"1 {uids[0]}".encode()  # the listing keeps numbers
