"""The hostile-server rules of the scripted SMTP server: each knob, proven over a socket."""

from __future__ import annotations

import base64
import smtplib
import socket
import time
from collections.abc import Callable

import pytest
from tests.support.stall import assert_stalled_until_stop
from tests.support.tls import TLSFiles

from pymailgui.devserver.script import END_OF_DATA, GREETING, Rule, edit_lines, smtp_reply
from pymailgui.devserver.smtpscripted import ScriptedSMTPServer, SMTPScript

Make = Callable[..., ScriptedSMTPServer]
USERS = {"alice": "s3cret"}


class Raw:
    """A dumb SMTP client over a socket: send lines, read replies as they come."""

    def __init__(self, server: ScriptedSMTPServer) -> None:
        self.sock = socket.create_connection((server.host, server.port), timeout=5)
        self.file = self.sock.makefile("rb")

    def close(self) -> None:
        self.file.close()
        self.sock.close()

    def reply(self) -> list[bytes]:
        """One (multi-line) reply, its lines without CRLF."""
        lines = []
        while True:
            line = self.file.readline()
            if not line:
                raise ConnectionError("closed")
            lines.append(line.rstrip(b"\r\n"))
            if line[3:4] != b"-":
                return lines

    def cmd(self, line: str) -> list[bytes]:
        self.sock.sendall(line.encode() + b"\r\n")
        return self.reply()


@pytest.fixture
def raw() -> Callable[[ScriptedSMTPServer], Raw]:
    opened: list[Raw] = []

    def connect(server: ScriptedSMTPServer) -> Raw:
        client = Raw(server)
        opened.append(client)
        return client

    yield connect  # type: ignore[misc]
    for client in opened:
        client.close()


RawMaker = Callable[[ScriptedSMTPServer], Raw]


def test_greeting_rule(make_scripted_smtp: Make, raw: RawMaker) -> None:
    rule = Rule(GREETING, before=b"220-first line\r\n", reply=b"220 second line\r\n")
    c = raw(make_scripted_smtp(SMTPScript(rules=(rule,))))
    assert c.reply() == [b"220-first line", b"220 second line"]


def test_ehlo_before_and_after_tls(make_scripted_smtp: Make, tls_files: TLSFiles) -> None:
    script = SMTPScript(
        extensions_after_tls=("8BITMIME",),
        rules=(Rule("EHLO", tls=True, reply=edit_lines(add=["STARTTLS"])),),
    )
    server = make_scripted_smtp(script)
    with smtplib.SMTP(server.host, server.port, local_hostname="t", timeout=5) as client:
        client.ehlo()
        assert set(client.esmtp_features) == {"8bitmime", "smtputf8", "size", "starttls"}
        client.starttls(context=tls_files.client_context())
        client.ehlo()
        # After TLS: the other list, and a STARTTLS that must not be offered again.
        assert set(client.esmtp_features) == {"8bitmime", "starttls"}


def test_starttls_injection_in_the_same_segment(
    make_scripted_smtp: Make, tls_files: TLSFiles
) -> None:
    injected = b"250-evil.test\r\n250 AUTH PLAIN\r\n"
    server = make_scripted_smtp(SMTPScript(rules=(Rule("STARTTLS", after=injected),)))
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.recv(4096)
        sock.sendall(b"EHLO t\r\n")
        time.sleep(0.1)
        sock.recv(4096)
        sock.sendall(b"STARTTLS\r\nMAIL FROM:<smuggled@x.test>\r\n")
        time.sleep(0.1)
        assert sock.recv(4096) == b"220 2.0.0 Ready to start TLS\r\n" + injected
        with tls_files.client_context().wrap_socket(sock, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"NOOP\r\n")
            assert tls.recv(100).startswith(b"250")
            tls.sendall(b"QUIT\r\n")
            tls.recv(100)
    session = server.sessions[0]
    # The smuggled MAIL was thrown away unread, but it is on the clear-text record.
    assert session.verbs() == ["EHLO", "STARTTLS", "NOOP", "QUIT"]
    assert b"smuggled" in session.wire.clear and b"NOOP" in session.wire.secure


def test_starttls_refused_by_a_rule(make_scripted_smtp: Make, raw: RawMaker) -> None:
    rule = Rule("STARTTLS", reply=b"454 4.7.0 not now\r\n")
    c = raw(make_scripted_smtp(SMTPScript(rules=(rule,))))
    c.reply()
    c.cmd("EHLO t")
    assert c.cmd("STARTTLS") == [b"454 4.7.0 not now"]
    assert c.cmd("NOOP") == [b"250 2.0.0 Ok"]  # still clear text, still talking


def test_hidden_reply_unsolicited_lines_and_nth(make_scripted_smtp: Make, raw: RawMaker) -> None:
    rules = (
        Rule("NOOP", nth=1, reply=b""),
        Rule("NOOP", nth=2, before=b"250-unsolicited\r\n"),
        Rule("RSET", reply=lambda c: c.honest().replace(b"Ok", b"Fine")),
    )
    c = raw(make_scripted_smtp(SMTPScript(rules=rules)))
    c.reply()
    c.sock.sendall(b"NOOP\r\nNOOP\r\n")
    assert c.reply() == [b"250-unsolicited", b"250 2.0.0 Ok"]  # the first NOOP got nothing
    assert c.cmd("RSET") == [b"250 2.0.0 Fine"]


def test_cut_then_drop(make_scripted_smtp: Make, raw: RawMaker) -> None:
    c = raw(make_scripted_smtp(SMTPScript(rules=(Rule("EHLO", cut=10, then="drop"),))))
    c.reply()
    c.sock.sendall(b"EHLO t\r\n")
    assert c.file.read() == b"250-script"


def test_stall_until_stop(make_scripted_smtp: Make, raw: RawMaker) -> None:
    server = make_scripted_smtp(SMTPScript(rules=(Rule("MAIL", reply=b"", then="stall"),)))
    c = raw(server)
    c.reply()
    c.cmd("EHLO t")
    c.sock.sendall(b"MAIL FROM:<a@x.test>\r\n")
    assert_stalled_until_stop(c.sock, c.file, server)


def test_end_of_data_rule(make_scripted_smtp: Make, raw: RawMaker) -> None:
    rules = (Rule(END_OF_DATA, reply=smtp_reply(250, ["accepted", "really"]), then="drop"),)
    server = make_scripted_smtp(SMTPScript(rules=rules))
    c = raw(server)
    c.reply()
    c.cmd("EHLO t")
    c.cmd("MAIL FROM:<a@x.test>")
    c.cmd("RCPT TO:<b@x.test>")
    assert c.cmd("DATA")[0].startswith(b"354")
    c.sock.sendall(b"Subject: x\r\n\r\n..dot\r\n.\r\n")
    assert c.reply() == [b"250-accepted", b"250 really"]
    assert c.file.read() == b""  # then dropped
    (delivery,) = server.sessions[0].deliveries
    assert delivery.content == b"Subject: x\r\n\r\n.dot\r\n"


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_wire_transcript_finds_a_login_in_clear(
    make_scripted_smtp: Make, tls_files: TLSFiles, mechanism: str
) -> None:
    clear = make_scripted_smtp(SMTPScript(users=dict(USERS), auth_mechanisms=mechanism), tls=False)
    with smtplib.SMTP(clear.host, clear.port, local_hostname="t", timeout=5) as client:
        client.login("alice", "s3cret")
    assert clear.sessions[0].wire.leaked("alice", "s3cret")

    secure = make_scripted_smtp(SMTPScript(users=dict(USERS), auth_mechanisms=mechanism))
    with smtplib.SMTP(secure.host, secure.port, local_hostname="t", timeout=5) as client:
        client.starttls(context=tls_files.client_context())
        client.login("alice", "s3cret")
    session = secure.sessions[0]
    assert session.wire.leaked("alice", "s3cret") == []
    assert session.verbs(tls=False) == ["EHLO", "STARTTLS"]
    token = base64.b64encode(b"\0alice\0s3cret")
    assert mechanism != "PLAIN" or token in session.wire.secure


def test_named_faults_are_rules() -> None:
    script = SMTPScript(
        rules=(Rule("NOOP", reply=b""),),
        inject_after_starttls=b"x",
        reply_421_on="rcpt",
        drop_after_data=True,
        drop_on_quit=True,
    )
    assert [(r.verb, r.then) for r in script.all_rules()] == [
        ("NOOP", "continue"),
        ("STARTTLS", "continue"),
        ("RCPT", "drop"),
        (END_OF_DATA, "drop"),
        ("QUIT", "drop"),
    ]
