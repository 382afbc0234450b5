"""POP3Client against the scripted server: commands, pipelining, faults, commit rules."""

from __future__ import annotations

import base64
import functools
import socket
from typing import Any

import pytest

from pymailgui.config.schema import Security, ServerConfig
from pymailgui.devserver import ScriptedPOP3Server
from pymailgui.devserver.script import GREETING, Rule, edit_lines, pop_multiline
from pymailgui.errors import (
    AuthenticationError,
    ConnectionFailed,
    MailboxBusy,
    ProtocolError,
)
from pymailgui.pop import CommandNotSupported, POP3Client, Transport
from pymailgui.pop.session import FIRST_GUESS, WINDOW_BYTES
from tests.support.mail import make_message
from tests.support.popserver import (
    POP_PASSWORD,
    POP_USER,
    ScriptedMaker,
    config_for,
    raw_lines,
    sample_message,
    verbs,
)

#: A TOP or UIDL the server does not know (RFC 1939 lists both as optional).
UNKNOWN = b"-ERR unknown command\r\n"


def connect(
    server: ScriptedPOP3Server, *, auth: str = "auto", timeout: float = 5.0, **kw: Any
) -> POP3Client:
    return POP3Client.connect(config_for(server, auth=auth, timeout=timeout), **kw)


def learned(value: bool | None) -> bool | None:
    """Read a learned flag afresh (keeps mypy from narrowing it across calls)."""
    return value


def logged_in(
    server: ScriptedPOP3Server, user: str = POP_USER, password: str = POP_PASSWORD, **kw: Any
) -> POP3Client:
    client = connect(server, **kw)
    client.login(user, password)
    return client


def uids(server: ScriptedPOP3Server) -> list[str]:
    return server.maildrop(POP_USER).uids()


# -- login -------------------------------------------------------------------------------


def test_auto_login_uses_sasl_plain_when_offered(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop()
    with logged_in(server) as client:
        assert client.authenticated
        assert client.capabilities.sasl == frozenset({"PLAIN"})
    # PIPELINING was announced before login, so it stays (RFC 2449 §5): no second CAPA.
    assert verbs(server) == ["CAPA", "AUTH", "QUIT"]


def test_auto_login_falls_back_to_user_pass(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(sasl_plain=False)
    with logged_in(server):
        pass
    assert verbs(server) == ["CAPA", "USER", "PASS", "QUIT"]


def test_capa_again_after_login_when_pipelining_was_not_announced(
    scripted_pop: ScriptedMaker,
) -> None:
    server = scripted_pop(pipelining=False)
    with logged_in(server):
        pass
    assert verbs(server) == ["CAPA", "AUTH", "CAPA", "QUIT"]


def test_forced_user_pass_and_forced_plain(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop()
    with logged_in(server, auth="user"):
        pass
    with logged_in(server, auth="plain"):
        pass
    assert [v for v in verbs(server) if v in {"USER", "PASS", "AUTH"}] == ["USER", "PASS", "AUTH"]


def test_long_plain_response_goes_after_continuation(scripted_pop: ScriptedMaker) -> None:
    """RFC 5034 §4: an initial response over 255 octets is sent after "+ "."""
    server = scripted_pop(user="u" * 100, password="p" * 150)
    with logged_in(server, "u" * 100, "p" * 150, auth="plain") as client:
        assert client.authenticated
    lines = raw_lines(server)
    assert [line for line in lines if line.startswith(b"AUTH")] == [b"AUTH PLAIN"]
    response = lines[lines.index(b"AUTH PLAIN") + 1]
    assert base64.b64decode(response) == b"\0" + b"u" * 100 + b"\0" + b"p" * 150


def test_wrong_password_is_authentication_error(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop()
    for auth in ("user", "plain"):
        client = connect(server, auth=auth)
        with pytest.raises(AuthenticationError, match="refused the user name or password"):
            client.login("alice", "wrong")
        client.abort()


@pytest.mark.parametrize(
    "answer",
    [
        b"-ERR [IN-USE] Do you have another POP session running?",
        b"-ERR [LOGIN-DELAY] Login allowed every 5 minutes",
        b"-ERR [SYS/TEMP] Temporary failure",
        b"-ERR Unable to lock maildrop: mailbox locked",
    ],
)
def test_busy_mailbox_is_not_a_wrong_password(scripted_pop: ScriptedMaker, answer: bytes) -> None:
    server = scripted_pop(None, Rule("PASS", reply=answer + b"\r\n"), sasl_plain=False)
    client = connect(server)
    with pytest.raises(MailboxBusy, match="The mailbox is busy") as info:
        client.login(POP_USER, POP_PASSWORD)
    assert not isinstance(info.value, AuthenticationError)
    client.abort()


def test_greeting_err_in_use_is_busy(scripted_pop: ScriptedMaker) -> None:
    greeting = b"-ERR [IN-USE] mailbox locked by another session\r\n"
    server = scripted_pop(None, Rule(GREETING, reply=greeting))
    with pytest.raises(MailboxBusy):
        connect(server)


# -- listing commands --------------------------------------------------------------------


def test_stat_list_uidl(scripted_pop: ScriptedMaker) -> None:
    msgs = [sample_message(i) for i in range(1, 4)]
    server = scripted_pop(msgs)
    aaa, bbb, ccc = uids(server)
    with logged_in(server) as client:
        assert client.stat() == (3, sum(map(len, msgs)))
        assert client.list_sizes() == {1: len(msgs[0]), 2: len(msgs[1]), 3: len(msgs[2])}
        assert client.list_one(2) == len(msgs[1])
        assert client.list_one(9) is None
        assert client.uidl_all() == {1: aaa, 2: bbb, 3: ccc}
        assert client.supports_uidl is True
        assert client.uidl_one(3) == ccc
        assert client.uidl_one(4) is None
        client.noop()
        client.dele(1)
        assert client.list_sizes() == {2: len(msgs[1]), 3: len(msgs[2])}
        client.rset()
        assert client.stat()[0] == 3


def test_uidl_err_means_no_uidl(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(uidl=False)  # not in CAPA, and UIDL answers -ERR
    with logged_in(server) as client:
        assert client.supports_uidl is None
        assert client.uidl_all() is None
        assert learned(client.supports_uidl) is False
        assert client.stat()[0] == 5  # the session is still usable


@pytest.mark.parametrize(
    ("listing", "usable", "problems"),
    [
        ([b"1 dup", b"2 dup", b"3 ok"], {3: "ok"}, {1: "duplicate", 2: "duplicate"}),
        ([b"1 " + b"x" * 71, b"2 ok"], {2: "ok"}, {1: "invalid"}),
        ([b"1 ../../../../tmp/evil path"], {}, {1: "invalid"}),
        ([b"1", b"2 fine"], {2: "fine"}, {1: "invalid"}),
    ],
)
def test_hostile_uidl_costs_only_its_messages(
    scripted_pop: ScriptedMaker,
    listing: list[bytes],
    usable: dict[int, str],
    problems: dict[int, str],
) -> None:
    # Real servers repeat ids or take them from an X-UIDL header a sender wrote: the
    # messages with a bad id are named, the rest keep theirs (issue 10).
    server = scripted_pop(None, Rule("UIDL", args=False, reply=pop_multiline(listing)))
    with logged_in(server) as client:
        assert client.uidl_all() == usable
        assert client.uidl_problems == problems
        # The whole answer was read: the next command is answered in step.
        assert client.stat()[0] == 5


def test_uidl_listing_with_a_bad_message_number_is_refused(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(None, Rule("UIDL", args=False, reply=pop_multiline([b"1 a", b"1 b"])))
    with logged_in(server) as client:
        with pytest.raises(ProtocolError, match="twice"):
            client.uidl_all()
        assert client.stat()[0] == 5


def test_commands_refused_before_login_raise_protocol_error(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop()
    with connect(server) as client, pytest.raises(ProtocolError, match="refused STAT"):
        client.stat()


# -- message bodies ----------------------------------------------------------------------


def test_retr_dot_stuffing_round_trip(scripted_pop: ScriptedMaker) -> None:
    message = (
        b"Subject: dots\r\n\r\n.\r\n..\r\n...three\r\n.leading dot\r\n"
        b"not . a terminator\r\n\r\n.\r\nlast\r\n"
    )
    server = scripted_pop([message])
    with logged_in(server) as client:
        assert client.retr(1) == message
        ((num, body),) = client.retr_many([1])
        assert (num, body) == (1, message)


def test_lf_only_message_comes_back_with_crlf(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop([b"Subject: lf\n\nbody\n"])
    with logged_in(server) as client:
        assert client.retr(1) == b"Subject: lf\r\n\r\nbody\r\n"


def test_long_lines_of_200_kb(scripted_pop: ScriptedMaker) -> None:
    long_line = b"x" * 200_000
    message = b"Subject: long\r\nX-Long: " + long_line + b"\r\n\r\n" + long_line + b"\r\n"
    server = scripted_pop([message])
    with logged_in(server) as client:
        assert client.retr(1) == message
        ((_, head),) = client.top_many([1])
        assert head == b"Subject: long\r\nX-Long: " + long_line + b"\r\n\r\n"


def test_a_line_over_the_transport_limit_is_cut_and_the_session_goes_on(
    scripted_pop: ScriptedMaker,
) -> None:
    # One message with an endless line (unwrapped base64, a hostile header) costs that
    # message alone: its text arrives cut (shorter than listed), the next answers are
    # still the right ones.
    message = b"Subject: long\r\n\r\n" + b"y" * 5000 + b"\r\n"
    server = scripted_pop([message, make_message("after")])
    factory = functools.partial(Transport.open, max_line=4096)
    client = logged_in(server, transport_factory=factory)
    assert client.retr(1) == b"Subject: long\r\n\r\n" + b"y" * 4096 + b"\r\n"
    assert [n for n, _ in client.retr_many([1, 2])] == [1, 2]
    assert b"Subject: after" in client.retr(2)
    assert not client.closed
    client.quit()


def test_message_over_max_bytes_aborts_the_session(scripted_pop: ScriptedMaker) -> None:
    big = b"Subject: big\r\n\r\n" + b"z" * 100 + b"\r\n" * 2000
    server = scripted_pop([big, sample_message(2)])
    client = logged_in(server, max_message_bytes=1000)
    client.dele(2)
    with pytest.raises(ProtocolError, match="larger than the limit of 1000 bytes"):
        client.retr(1)
    assert client.closed
    assert server.deleted_log == []  # no QUIT: the DELE was not committed


def test_retr_of_missing_message(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop()
    with logged_in(server) as client:
        with pytest.raises(ProtocolError, match="could not send message 42"):
            client.retr(42)
        assert dict(client.retr_many([1, 42]))[42] is None


# -- pipelining --------------------------------------------------------------------------


def _batches(server: ScriptedPOP3Server, verb: str) -> dict[int, int]:
    """How many ``verb`` commands each read delivered (one session)."""
    (log,) = server.sessions
    counts: dict[int, int] = {}
    for batch, command in zip(log.batches, log.verbs, strict=True):
        if command == verb:
            counts[batch] = counts.get(batch, 0) + 1
    return counts


def test_top_of_2000_messages_is_pipelined(scripted_pop: ScriptedMaker) -> None:
    msgs = [sample_message(i, body_lines=2) for i in range(1, 2001)]
    server = scripted_pop(msgs)
    with logged_in(server) as client:
        heads = list(client.top_many(range(1, 2001)))
    assert [n for n, _ in heads] == list(range(1, 2001))
    for num, head in heads:
        assert head is not None
        assert head == msgs[num - 1].split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    batches = _batches(server, "TOP")
    assert sum(batches.values()) == 2000
    # Commands went out many per write, never waiting for each answer ...
    assert max(batches.values()) >= 32
    assert len(batches) <= 2000 // 16
    # ... but never more than the window's answer bytes in flight (8 MB at first guess).
    assert max(batches.values()) <= WINDOW_BYTES // FIRST_GUESS


def test_without_pipelining_one_command_per_round_trip(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop([sample_message(i) for i in range(1, 41)], pipelining=False)
    with logged_in(server) as client:
        heads = dict(client.top_many(range(1, 41), lines=1))
    assert all(
        h is not None and h.endswith(b"Body line 0 of message %d.\r\n" % n)
        for n, h in heads.items()
    )
    assert set(_batches(server, "TOP").values()) == {1}


def test_pipelined_retr_and_dele_then_quit_commits(scripted_pop: ScriptedMaker) -> None:
    msgs = [sample_message(i, body_lines=500) for i in range(1, 301)]
    server = scripted_pop(msgs)
    first_three = uids(server)[:3]
    with logged_in(server) as client:
        got = dict(client.retr_many([*range(1, 301), 999]))
        assert got[999] is None
        assert all(got[n] == msgs[n - 1] for n in range(1, 301))
        assert client.dele_many([1, 2, 3, 999]) == {1: True, 2: True, 3: True, 999: False}
    assert server.deleted_log == first_three
    assert max(_batches(server, "RETR").values()) > 1
    assert max(_batches(server, "DELE").values()) == 4


def test_stopping_a_pipeline_early_keeps_the_session_in_step(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop([sample_message(i) for i in range(1, 201)])
    seventh = uids(server)[6]
    with logged_in(server) as client:
        for num, _head in client.top_many(range(1, 201)):
            if num == 10:
                break
        assert client.stat() == (200, sum(len(sample_message(i)) for i in range(1, 201)))
        assert client.uidl_one(7) == seventh


def test_top_missing_from_capa_is_probed_once(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(None, Rule("CAPA", reply=edit_lines(drop=["TOP"])))
    with logged_in(server) as client:
        assert client.supports_top is None
        heads = dict(client.top_many([1, 2, 3]))
        assert learned(client.supports_top) is True
        assert all(heads[n] is not None for n in (1, 2, 3))


def test_top_not_supported_raises_for_fallback(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(None, Rule("TOP", reply=UNKNOWN), top=False, pipelining=False)
    with logged_in(server) as client:
        with pytest.raises(CommandNotSupported, match="does not support TOP"):
            list(client.top_many([1, 2]))
        assert client.supports_top is False
        with pytest.raises(CommandNotSupported):
            list(client.top_many([3]))
        assert client.retr(1) == sample_message(1)  # the fallback works
    assert verbs(server).count("TOP") == 1


def test_no_capa_server(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(capa=False)
    with logged_in(server) as client:
        assert not client.capabilities.known
        assert client.supports_top is None
        assert dict(client.top_many([1]))[1] is not None
    assert "USER" in verbs(server)  # no CAPA: no SASL known


# -- session end and faults --------------------------------------------------------------


def test_exception_in_with_block_aborts_without_quit(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop()
    with pytest.raises(RuntimeError), logged_in(server) as client:
        client.dele(1)
        raise RuntimeError("the local store failed")
    assert "QUIT" not in verbs(server)
    assert server.deleted_log == []


def test_quit_err_is_protocol_error_and_nothing_committed(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(quit_error=True)
    client = logged_in(server)
    client.dele(1)
    with pytest.raises(ProtocolError, match="were not deleted"):
        client.quit()
    assert client.closed
    assert server.deleted_log == []


def test_drop_before_quit_answer_is_connection_failed(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(None, Rule("QUIT", reply=b"", then="drop"))
    client = logged_in(server)
    client.dele(1)
    with pytest.raises(ConnectionFailed, match="closed the connection"):
        client.quit()
    assert client.closed
    assert server.deleted_log == []


def test_drop_after_greeting(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(None, Rule(GREETING, then="drop"))
    with pytest.raises(ConnectionFailed):
        connect(server)


def test_read_timeout_is_connection_failed(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(None, Rule("STAT", reply=b"", then="stall"))
    client = logged_in(server, timeout=0.3)
    with pytest.raises(ConnectionFailed, match=r"did not answer within 0\.3 seconds"):
        client.stat()
    assert client.closed


def test_connection_refused() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    # Nothing listens on the port any more.
    config = ServerConfig(host="127.0.0.1", port=port, security=Security.NONE, timeout=2.0)
    with pytest.raises(ConnectionFailed, match=rf"Could not connect to 127\.0\.0\.1 port {port}"):
        POP3Client.connect(config)


def test_bad_message_numbers_are_caller_bugs(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop()
    with logged_in(server) as client:
        for bad in (0, -1):
            with pytest.raises(ValueError):
                client.retr(bad)
        assert client.stat()[0] == 5
