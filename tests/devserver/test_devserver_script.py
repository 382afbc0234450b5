"""The hostile-server rules of the scripted POP3 server: each knob, proven over a socket."""

from __future__ import annotations

import base64
import socket
import ssl
import time

import pytest
from tests.support.popserver import POP_PASSWORD, POP_USER, PopServerFactory, RawFactory
from tests.support.stall import assert_stalled_until_stop
from tests.support.tls import BAD_CERTIFICATES, TLSFiles

from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.pop3server import ScriptedPOP3Server
from pymailgui.devserver.script import (
    ANY,
    GREETING,
    Command,
    Outcome,
    Rule,
    credential_forms,
    edit_lines,
    pop_multiline,
    smtp_reply,
)


def serve(
    factory: PopServerFactory, *rules: Rule, count: int = 3, **kw: object
) -> ScriptedPOP3Server:
    server = factory(ServerBehavior(script=rules, **kw))  # type: ignore[arg-type]
    drop = server.maildrop(POP_USER)
    for i in range(count):
        drop.add(f"Subject: {i}\r\n\r\nbody {i}\r\n".encode())
    return server


def read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size and (chunk := sock.recv(size - len(data))):
        data += chunk
    return data


# -- the greeting ------------------------------------------------------------------------


def test_verbatim_greeting(pop_server_factory: PopServerFactory, raw_pop: RawFactory) -> None:
    server = serve(pop_server_factory, Rule(GREETING, reply=b"-ERR [IN-USE] go away\r\n"))
    c = raw_pop(server)
    assert c.greeting == "-ERR [IN-USE] go away"
    assert c.login().startswith("+OK")  # the session itself is honest


def test_drop_after_greeting(pop_server_factory: PopServerFactory, raw_pop: RawFactory) -> None:
    server = serve(pop_server_factory, Rule(GREETING, then="drop"))
    c = raw_pop(server)
    assert c.greeting.startswith("+OK")
    assert c.at_eof()
    assert server.wait_idle()


def test_unsolicited_lines_before_the_greeting(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = serve(pop_server_factory, Rule(GREETING, before=b"* hello from a proxy\r\n"))
    c = raw_pop(server)
    assert c.greeting == "* hello from a proxy"
    assert c.line().startswith("+OK pymailgui-devserver")


# -- answers replaced, edited, hidden ----------------------------------------------------


def test_fixed_reply_skips_the_honest_handler(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = serve(pop_server_factory, Rule("DELE", reply=b"+OK I lie\r\n"))
    c = raw_pop(server)
    c.login()
    assert c.cmd("DELE 1") == "+OK I lie"
    assert c.cmd("QUIT").startswith("+OK Bye, 0 messages deleted")
    assert server.wait_idle()
    assert len(server.maildrop(POP_USER)) == 3 and server.deleted_log == []


def test_hidden_answer_and_the_session_goes_on(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = serve(pop_server_factory, Rule("NOOP", reply=b""))
    c = raw_pop(server)
    c.login()
    c.send("NOOP", "STAT")
    assert c.line().startswith("+OK 3 ")  # the first answer is STAT's: NOOP got none


def test_callable_reply_edits_the_honest_answer(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    def shout(command: Command) -> bytes:
        assert command.verb == "STAT" and command.logged_in and not command.tls
        return command.honest().replace(b"+OK", b"+OK LOUDLY", 1)

    server = serve(pop_server_factory, Rule("STAT", reply=shout))
    c = raw_pop(server)
    c.login()
    assert c.cmd("STAT").startswith("+OK LOUDLY 3 ")


def test_edit_lines_of_capa(pop_server_factory: PopServerFactory, raw_pop: RawFactory) -> None:
    rule = Rule("CAPA", reply=edit_lines(drop=["TOP", "sasl"], add=["X-EVIL .dot"]))
    server = serve(pop_server_factory, rule)
    _, caps = raw_pop(server).multi("CAPA")
    assert b"TOP" not in caps and not [c for c in caps if c.startswith(b"SASL")]
    assert caps[-1] == b"X-EVIL .dot" and b"UIDL" in caps


def test_raw_uidl_listing_only_without_arguments(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    listing = pop_multiline(["1 dup", "2 dup", "3 ../../etc/passwd"], status="here")
    server = serve(pop_server_factory, Rule("UIDL", args=False, reply=listing))
    c = raw_pop(server)
    c.login()
    assert c.multi("UIDL") == ("+OK here", [b"1 dup", b"2 dup", b"3 ../../etc/passwd"])
    first = server.maildrop(POP_USER).uids()[0]
    assert c.cmd("UIDL 1") == f"+OK 1 {first}"  # the one-message form stays honest


def test_uidl_n_without_the_message_number(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    # A real server answers "UIDL n" with "+OK <uid>" (issue 10).
    def bare(command: Command) -> bytes:
        _, _, uid = command.honest().decode().split(" ", 2)
        return f"+OK {uid}".encode()

    server = serve(pop_server_factory, Rule("UIDL", args=True, reply=bare))
    c = raw_pop(server)
    c.login()
    assert c.cmd("UIDL 2") == "+OK " + server.maildrop(POP_USER).uids()[1]


def test_unsolicited_lines_before_and_after_an_answer(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    rule = Rule("NOOP", before=b"+OK unsolicited\r\n", after=b"-ERR extra\r\n")
    server = serve(pop_server_factory, rule)
    c = raw_pop(server)
    c.login()
    assert [c.cmd("NOOP"), c.line(), c.line()] == ["+OK unsolicited", "+OK", "-ERR extra"]


# -- which commands a rule matches -------------------------------------------------------


def test_nth_counts_every_matching_command(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = serve(
        pop_server_factory,
        Rule("NOOP", nth=1, reply=b"+OK first\r\n"),
        Rule("NOOP", nth=2, reply=b"+OK second\r\n"),
        Rule(ANY, nth=5, then="drop"),  # counts USER, PASS, NOOP, NOOP, then this one
    )
    c = raw_pop(server)
    c.login()
    assert [c.cmd("NOOP"), c.cmd("NOOP")] == ["+OK first", "+OK second"]
    assert c.cmd("STAT").startswith("+OK 3 ")
    assert c.at_eof()


def test_tls_filter_gives_capa_before_and_after_tls(
    pop_server_factory: PopServerFactory, tls_files: TLSFiles
) -> None:
    server = serve(
        pop_server_factory,
        Rule("CAPA", tls=False, reply=pop_multiline(["STLS", "SASL PLAIN LOGIN"])),
        Rule("CAPA", tls=True, reply=edit_lines(add=["X-AFTER-TLS"])),
        stls=tls_files.server_context(),
    )
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        f = sock.makefile("rb")
        f.readline()
        sock.sendall(b"CAPA\r\n")
        before = [f.readline() for _ in range(4)]
        assert before == [b"+OK\r\n", b"STLS\r\n", b"SASL PLAIN LOGIN\r\n", b".\r\n"]
        sock.sendall(b"STLS\r\n")
        assert f.readline().startswith(b"+OK")
        f.close()
        with tls_files.client_context().wrap_socket(sock, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"CAPA\r\n")
            after = b""
            while not after.endswith(b"\r\n.\r\n"):
                after += tls.recv(4096)
    assert b"X-AFTER-TLS\r\n.\r\n" in after and b"STLS" not in after
    assert b"SASL PLAIN\r\n" in after  # the honest list, not the one before TLS


# -- drops, stalls, cuts -----------------------------------------------------------------


def test_drop_after_the_answer_and_before_it(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = serve(
        pop_server_factory, Rule("STAT", then="drop"), Rule("LIST", reply=b"", then="drop")
    )
    c = raw_pop(server)
    c.login()
    assert c.cmd("STAT").startswith("+OK 3 ")
    assert c.at_eof()
    c2 = raw_pop(server)
    c2.login()
    c2.send("LIST")
    assert c2.at_eof()


def test_stall_holds_the_connection_until_stop(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = serve(pop_server_factory, Rule("STAT", reply=b"", then="stall"))
    c = raw_pop(server)
    c.login()
    c.send("STAT")
    assert_stalled_until_stop(c.sock, c.file, server)


def test_cut_after_n_bytes_of_a_response(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = serve(pop_server_factory, Rule("RETR", cut=20, then="drop"))
    c = raw_pop(server)
    c.login()
    c.send("RETR 1")
    assert c.file.read() == b"+OK 22 octets.\r\nSubj"  # exactly 20 bytes, then EOF
    assert server.wait_idle()


def test_cut_and_stall_in_the_middle_of_a_listing(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory
) -> None:
    server = serve(pop_server_factory, Rule("LIST", args=False, cut=30, then="stall"))
    c = raw_pop(server)
    c.login()
    c.send("LIST")
    c.sock.settimeout(0.5)
    got = b""
    with pytest.raises(TimeoutError):
        while chunk := c.sock.recv(100):
            got += chunk
    assert len(got) == 30 and got.startswith(b"+OK 3 messages.\r\n1 ")


# -- STLS: the reply, the injection, the transcript --------------------------------------


def test_injection_rides_in_the_same_segment_as_the_stls_answer(
    pop_server_factory: PopServerFactory, tls_files: TLSFiles
) -> None:
    injected = b"+OK injected\r\n+OK fake login\r\n"
    server = serve(
        pop_server_factory, Rule("STLS", after=injected), stls=tls_files.server_context()
    )
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        read_exactly(sock, len(b"+OK pymailgui-devserver ready.\r\n"))
        sock.sendall(b"STLS\r\n")
        time.sleep(0.1)
        # One recv gets both: they were written by one sendall.
        assert sock.recv(4096) == b"+OK Begin TLS negotiation.\r\n" + injected


def test_stls_answered_err_or_garbage_starts_no_tls(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory, tls_files: TLSFiles
) -> None:
    for reply in (b"-ERR not today\r\n", b"+OK\r\n", b"* BYE\r\n"):
        server = serve(
            pop_server_factory, Rule("STLS", reply=reply), stls=tls_files.server_context()
        )
        c = raw_pop(server)
        assert c.cmd("STLS") == reply.decode().strip()
        assert c.cmd("USER alice") == "+OK"  # still in clear: the handshake never started
        assert not server.sessions[-1].tls


def test_transcript_marks_tls_and_discarded_clear_text(
    pop_server_factory: PopServerFactory, tls_files: TLSFiles
) -> None:
    server = serve(pop_server_factory, stls=tls_files.server_context())
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        f = sock.makefile("rb")
        f.readline()
        sock.sendall(b"CAPA\r\n")
        while f.readline() != b".\r\n":
            pass
        # A command smuggled after STLS in the same write (the "NO STARTTLS" attack).
        sock.sendall(b"STLS\r\nPASS smuggled\r\n")
        assert f.readline().startswith(b"+OK")
        f.close()
        with tls_files.client_context().wrap_socket(sock, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"USER alice\r\nPASS secret\r\nQUIT\r\n")
            while tls.recv(4096):
                pass
    assert server.wait_idle()
    log = server.sessions[0]
    assert [(r.line, r.tls, r.discarded) for r in log.received] == [
        (b"CAPA", False, False),
        (b"STLS", False, False),
        (b"PASS smuggled", False, True),
        (b"USER alice", True, False),
        (b"PASS secret", True, False),
        (b"QUIT", True, False),
    ]
    assert log.lines(tls=False) == [b"CAPA", b"STLS"]
    assert b"PASS smuggled" in log.wire.clear and b"secret" not in log.wire.clear
    assert log.wire.leaked(POP_USER, POP_PASSWORD) == []
    assert log.wire.leaked(POP_USER, "smuggled") == [b"smuggled"]
    assert b"PASS secret" in log.wire.secure
    assert log.commands[-2] == "PASS ***"  # the readable form stays redacted


@pytest.mark.parametrize("how", ["user-pass", "auth-plain-initial", "auth-plain-continued"])
def test_leaked_finds_every_login_in_clear(
    pop_server_factory: PopServerFactory, raw_pop: RawFactory, how: str
) -> None:
    server = serve(pop_server_factory)
    c = raw_pop(server)
    token = base64.b64encode(f"\0{POP_USER}\0{POP_PASSWORD}".encode()).decode()
    if how == "user-pass":
        assert c.login().startswith("+OK")
    elif how == "auth-plain-initial":
        assert c.cmd(f"AUTH PLAIN {token}").startswith("+OK")
    else:
        assert c.cmd("AUTH PLAIN") == "+ "
        assert c.cmd(token).startswith("+OK")
        assert server.sessions[0].lines()[-1] == token.encode()
        assert server.sessions[0].commands[-1] == "***"
    assert server.sessions[0].wire.leaked(POP_USER, POP_PASSWORD)


def test_credential_forms() -> None:
    forms = credential_forms("bob", "pw")
    assert b"pw" in forms and base64.b64encode(b"pw") in forms
    assert base64.b64encode(b"\0bob\0pw") in forms and base64.b64encode(b"bob\0bob\0pw") in forms


# -- certificates ------------------------------------------------------------------------


#: What OpenSSL says for each bad certificate: each is refused for its own fault.
REFUSAL = {
    "self-signed": "self-signed certificate",
    "unknown-ca": "unable to get local issuer certificate",
    "wrong-host": "IP address mismatch",
    "expired": "certificate has expired",
    "not-yet-valid": "certificate is not yet valid",
}


@pytest.mark.parametrize("kind", BAD_CERTIFICATES)
def test_every_bad_certificate_is_refused_before_any_command(
    pop_server_factory: PopServerFactory,
    tls_files: TLSFiles,
    bad_certificates: dict[str, TLSFiles],
    kind: str,
) -> None:
    server = serve(pop_server_factory, implicit_tls=bad_certificates[kind].server_context())
    with (
        pytest.raises(ssl.SSLCertVerificationError) as info,
        socket.create_connection((server.host, server.port), timeout=5) as sock,
    ):
        tls_files.client_context().wrap_socket(sock, server_hostname="127.0.0.1")
    assert REFUSAL[kind] in info.value.verify_message
    assert server.wait_idle()
    assert server.sessions[0].received == [] and server.sessions[0].wire.chunks == []


def test_a_good_certificate_from_the_same_fixtures_is_accepted(
    pop_server_factory: PopServerFactory, tls_files: TLSFiles
) -> None:
    server = serve(pop_server_factory, implicit_tls=tls_files.server_context())
    with (
        socket.create_connection((server.host, server.port), timeout=5) as sock,
        tls_files.client_context().wrap_socket(sock, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.recv(100).startswith(b"+OK")


def test_an_outdated_tls_server(pop_server_factory: PopServerFactory, tls_files: TLSFiles) -> None:
    old = tls_files.server_context(maximum_version=ssl.TLSVersion.TLSv1_1)
    server = serve(pop_server_factory, implicit_tls=old)
    with (
        pytest.raises(ssl.SSLError, match=r"(?i)protocol.version|unsupported protocol"),
        socket.create_connection((server.host, server.port), timeout=5) as sock,
    ):
        tls_files.client_context().wrap_socket(sock, server_hostname="127.0.0.1")
    # It really speaks TLS 1.1 to a client that still accepts it.
    lenient = tls_files.client_context()
    lenient.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    lenient.set_ciphers("DEFAULT:@SECLEVEL=0")
    with (
        socket.create_connection((server.host, server.port), timeout=5) as sock,
        lenient.wrap_socket(sock, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.version() == "TLSv1.1"
        assert tls.recv(100).startswith(b"+OK")


# -- the rules themselves ----------------------------------------------------------------


def test_named_faults_are_rules(tls_files: TLSFiles) -> None:
    behavior = ServerBehavior(
        script=(Rule("STAT", reply=b""),),
        quit_error=True,
        drop_after_commands=3,
        inject_before_tls=b"x",
        uidl_one_bare=True,
        stls=tls_files.server_context(),
    )
    verbs = [(r.verb, r.then, r.nth, r.args) for r in behavior.rules()]
    assert verbs == [
        ("STAT", "continue", None, None),
        ("QUIT", "drop", None, None),
        ("*", "drop", 3, None),
        ("STLS", "continue", None, None),
        ("UIDL", "continue", None, True),
    ]


@pytest.mark.parametrize(
    "bad",
    [{"then": "explode"}, {"cut": -1}, {"nth": 0}, {"verb": ""}],
)
def test_nonsense_rules_are_refused(bad: dict[str, object]) -> None:
    fields: dict[str, object] = {"verb": "STAT", **bad}
    with pytest.raises(ValueError):
        Rule(**fields)  # type: ignore[arg-type]


def test_smtp_reply_and_edit_lines_for_ehlo() -> None:
    honest = smtp_reply(250, ["scripted.test", "STARTTLS", "AUTH PLAIN"])
    assert honest == b"250-scripted.test\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n"
    command = Command("EHLO", "x", b"EHLO x", False, False, run=lambda: _outcome(honest))
    edited = edit_lines(drop=["auth"], add=["X-NEW"])(command)
    assert edited == b"250-scripted.test\r\n250-STARTTLS\r\n250 X-NEW\r\n"


def _outcome(data: bytes) -> Outcome:
    return Outcome(data)
