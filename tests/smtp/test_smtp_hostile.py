"""send_message against the scripted server: faults, hostile servers, the exact wire bytes."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.support.smtp import scripted_config
from tests.support.tls import TLSFiles, make_tls_files

from pymailgui.config.schema import Security
from pymailgui.devserver.smtpscripted import ScriptedSMTPServer, SessionRecord, SMTPScript
from pymailgui.errors import ConnectionFailed, ProtocolError, SendError, TLSError
from pymailgui.smtp import DeliveryUncertain, SendResult, send_message

Make = Callable[..., ScriptedSMTPServer]

MESSAGE = b"Subject: dots\r\n\r\n.\r\n..\r\n.x\r\nend\r\n"
CREDENTIALS = {"alice": "s3cret-ü"}


def send(
    server: ScriptedSMTPServer,
    tls_files: TLSFiles,
    *,
    password: str | None = None,
    **overrides: Any,
) -> SendResult:
    config = scripted_config(server, tls_files, **overrides)
    return send_message(config, password, "alice@example.test", ["bob@example.test"], MESSAGE)


def test_wire_bytes_are_crlf_with_dots_doubled(
    make_scripted_smtp: Make, tls_files: TLSFiles
) -> None:
    server = make_scripted_smtp()
    send_message(
        scripted_config(server, tls_files),
        None,
        "alice@example.test",
        ["bob@example.test"],
        b"Subject: dots\n\n.\n..\r.x\nend",  # bare LF, bare CR, no final newline
    )

    [delivery] = server.sessions[0].deliveries
    assert delivery.wire == b"Subject: dots\r\n\r\n..\r\n...\r\n..x\r\nend\r\n.\r\n"
    assert delivery.content == MESSAGE
    assert server.sessions[0].verbs() == [
        "EHLO",
        "STARTTLS",
        "EHLO",
        "MAIL",
        "RCPT",
        "DATA",
        "QUIT",
    ]
    assert [tls for tls, _ in server.sessions[0].commands] == [False, False] + [True] * 5


def test_starttls_not_offered_sends_no_auth_and_no_mail(
    make_scripted_smtp: Make, tls_files: TLSFiles
) -> None:
    server = make_scripted_smtp(SMTPScript(offer_starttls=False, users=dict(CREDENTIALS)))
    with pytest.raises(TLSError, match="does not offer STARTTLS"):
        send(server, tls_files, username="alice", password="s3cret-ü")

    verbs = server.sessions[0].verbs()
    assert "AUTH" not in verbs and "MAIL" not in verbs and "RCPT" not in verbs
    assert not any(
        "s3cret" in line or "czNjcmV0" in line for _, line in server.sessions[0].commands
    )


def test_starttls_refused_by_server(make_scripted_smtp: Make, tls_files: TLSFiles) -> None:
    # A server without a TLS context answers STARTTLS with 454 (it isn't advertised
    # either, so force it in the EHLO list).
    server = make_scripted_smtp(SMTPScript(extensions=("STARTTLS",)), tls=False)
    with pytest.raises(TLSError, match="refused to start TLS"):
        send(server, tls_files)
    assert "MAIL" not in server.sessions[0].verbs()


def test_injected_bytes_after_starttls_are_discarded(
    make_scripted_smtp: Make, tls_files: TLSFiles, caplog: pytest.LogCaptureFixture
) -> None:
    # A man in the middle appends fake replies in clear text, in the same packet as
    # "220 Ready to start TLS". If the client read them after the handshake it would
    # take them for the answers to its EHLO/AUTH/MAIL sent over TLS.
    injection = b"250-evil.test\r\n250 AUTH PLAIN\r\n250 2.1.0 fake MAIL ok\r\n"
    server = make_scripted_smtp(
        SMTPScript(inject_after_starttls=injection, users=dict(CREDENTIALS))
    )
    with caplog.at_level(logging.WARNING, logger="pymailgui.smtp.protocol"):
        send(server, tls_files, username="alice", password="s3cret-ü")

    session = server.sessions[0]
    assert session.verbs(tls=True) == ["EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"]
    assert session.deliveries[0].content == MESSAGE
    assert f"discarded {len(injection)} bytes" in caplog.text


def test_stdlib_starttls_also_drops_its_reader(
    make_scripted_smtp: Make, tls_files: TLSFiles
) -> None:
    # The fact our own reader relies on being true for smtplib too (CPython 3.11
    # smtplib.starttls sets self.file = None): bytes buffered before the handshake
    # are not read afterwards. Our client does not depend on it, but we checked.
    import smtplib

    server = make_scripted_smtp(SMTPScript(inject_after_starttls=b"250-evil.test\r\n250 X\r\n"))
    with smtplib.SMTP(server.host, server.port, local_hostname="t", timeout=5) as client:
        client.starttls(context=tls_files.client_context())
        assert client.file is None
        code, text = client.ehlo()
    assert code == 250 and text.startswith(b"scripted.test")


def test_hostname_mismatch_is_tls_error(tmp_path: Path) -> None:
    other = make_tls_files(tmp_path / "tls", names=("mail.example.test",))
    server = ScriptedSMTPServer(tls_context=other.server_context(), implicit_tls=True)
    with server, pytest.raises(TLSError, match="could not be verified"):
        send(server, other, security=Security.TLS)
    assert all(not s.commands for s in server.sessions)


def test_drop_after_data_is_delivery_uncertain(
    make_scripted_smtp: Make, tls_files: TLSFiles
) -> None:
    server = make_scripted_smtp(SMTPScript(drop_after_data=True))
    with pytest.raises(DeliveryUncertain, match="may or may not have been delivered"):
        send(server, tls_files)
    assert len(server.sessions[0].deliveries) == 1  # the whole message was on the wire


@pytest.mark.parametrize("verb", ["MAIL", "RCPT", "DATA"])
def test_421_mid_session_is_send_error(
    make_scripted_smtp: Make, tls_files: TLSFiles, verb: str
) -> None:
    server = make_scripted_smtp(SMTPScript(reply_421_on=verb))
    with pytest.raises(SendError) as info:
        send(server, tls_files)
    assert not isinstance(info.value, DeliveryUncertain)
    assert "421" in str(info.value) and "nothing was sent" in str(info.value)
    assert server.sessions[0].deliveries == []


def test_rejected_message_after_data(make_scripted_smtp: Make, tls_files: TLSFiles) -> None:
    server = make_scripted_smtp(SMTPScript(data_reply=b"554 5.7.1 Spam detected\r\n"))
    with pytest.raises(SendError, match=r"554 5\.7\.1 Spam detected"):
        send(server, tls_files)


def test_failure_at_quit_after_acceptance_is_still_success(
    make_scripted_smtp: Make, tls_files: TLSFiles
) -> None:
    server = make_scripted_smtp(SMTPScript(drop_on_quit=True))
    send(server, tls_files)  # must not raise: the server already said 250
    assert len(server.sessions[0].deliveries) == 1


def test_greeting_refusal_and_garbage(make_scripted_smtp: Make, tls_files: TLSFiles) -> None:
    server = make_scripted_smtp(SMTPScript(greeting=b"554 5.7.1 No service for you\r\n"))
    with pytest.raises(ConnectionFailed, match="refused the session"):
        send(server, tls_files)
    huge = make_scripted_smtp(SMTPScript(greeting=b"220-" + b"x" * 20000 + b"\r\n"))
    with pytest.raises(ProtocolError):
        send(huge, tls_files)
    endless = make_scripted_smtp(SMTPScript(greeting=b"220-hello\r\n" * 500 + b"220 ok\r\n"))
    with pytest.raises(ProtocolError):
        send(endless, tls_files)


def test_server_without_8bitmime_gets_7bit(make_scripted_smtp: Make, tls_files: TLSFiles) -> None:
    server = make_scripted_smtp(SMTPScript(extensions=("SIZE 100000",)))
    data = (
        b"Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nGr\xc3\xbc\xc3\x9fe\r\n"
    )
    send_message(
        scripted_config(server, tls_files), None, "a@example.test", ["b@example.test"], data
    )

    [delivery] = server.sessions[0].deliveries
    assert delivery.content.isascii()
    import email
    from email import policy

    parsed = email.message_from_bytes(delivery.content, policy=policy.default)
    assert parsed.get_content().strip() == "Grüße"
    mail = next(line for _, line in server.sessions[0].commands if line.startswith("MAIL"))
    assert "8BITMIME" not in mail and f"SIZE={len(delivery.content)}" in mail


def test_message_over_size_limit_is_not_sent(make_scripted_smtp: Make, tls_files: TLSFiles) -> None:
    server = make_scripted_smtp(SMTPScript(extensions=("8BITMIME", "SIZE 20")))
    with pytest.raises(SendError, match="larger than"):
        send(server, tls_files)
    assert "MAIL" not in server.sessions[0].verbs()


def test_protocol_log_never_shows_the_password(
    make_scripted_smtp: Make, tls_files: TLSFiles, caplog: pytest.LogCaptureFixture
) -> None:
    import base64

    for mechanisms in ("PLAIN", "LOGIN"):
        server = make_scripted_smtp(SMTPScript(users=dict(CREDENTIALS), auth_mechanisms=mechanisms))
        with caplog.at_level(logging.DEBUG, logger="pymailgui.smtp.protocol"):
            send(server, tls_files, username="alice", password="s3cret-ü")
        assert "C: AUTH" in caplog.text and "S: 235" in caplog.text
        secrets = [
            "s3cret",
            base64.b64encode("s3cret-ü".encode()).decode(),
            base64.b64encode("\0alice\0s3cret-ü".encode()).decode(),
        ]
        assert not any(secret in caplog.text for secret in secrets)
        assert "<message data" in caplog.text and "Subject: dots" not in caplog.text
        caplog.clear()


def test_auth_login_wrong_password(make_scripted_smtp: Make, tls_files: TLSFiles) -> None:
    from pymailgui.errors import AuthenticationError

    server = make_scripted_smtp(SMTPScript(users=dict(CREDENTIALS), auth_mechanisms="LOGIN"))
    with pytest.raises(AuthenticationError, match="535"):
        send(server, tls_files, username="alice", password="nope")
    assert "MAIL" not in server.sessions[0].verbs()


def test_implicit_tls_with_scripted_server(make_scripted_smtp: Make, tls_files: TLSFiles) -> None:
    server = make_scripted_smtp(implicit=True)
    send(server, tls_files, security=Security.TLS)
    assert server.sessions[0].verbs(tls=False) == []
    assert server.sessions[0].deliveries[0].content == MESSAGE


def test_timeout_is_connection_failed(tls_files: TLSFiles) -> None:
    # The greeting never comes: the client gives up after its timeout.
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        config = scripted_config(
            ScriptedSMTPServer(port=listener.getsockname()[1]), tls_files, timeout=0.3
        )
        with pytest.raises(ConnectionFailed, match="did not answer in time"):
            send_message(config, None, "a@example.test", ["b@example.test"], MESSAGE)


def test_ssl_module_still_checks_by_default() -> None:
    # Guard against a future change in how we build the context.
    from pymailgui.config.schema import ServerConfig
    from pymailgui.smtp.session import tls_context

    ctx = tls_context(ServerConfig(host="127.0.0.1"))
    assert ctx.verify_mode is ssl.CERT_REQUIRED and ctx.check_hostname


def ehlo_names(session: SessionRecord) -> list[str]:
    return [
        line.split(" ", 1)[1] for _, line in session.commands if line.upper().startswith("EHLO ")
    ]


def test_ehlo_name_default_and_explicit(make_scripted_smtp: Make, tls_files: TLSFiles) -> None:
    server = make_scripted_smtp()
    send(server, tls_files)
    config = scripted_config(server, tls_files)
    send_message(
        config, None, "a@example.test", ["b@example.test"], MESSAGE, local_hostname="pc.example"
    )

    first, second = server.sessions
    # RFC 5321 §4.1.3 address literal, not socket.getfqdn() (DNS, and leaks the name).
    assert ehlo_names(first) == ["[127.0.0.1]"] * 2  # before and after STARTTLS
    assert ehlo_names(second) == ["pc.example"] * 2


def test_ipv6_loopback_implicit_tls(tls_files: TLSFiles) -> None:
    server = ScriptedSMTPServer(
        host="::1", tls_context=tls_files.server_context(), implicit_tls=True
    )
    with server:
        send(server, tls_files, security=Security.TLS)
    assert ehlo_names(server.sessions[0]) == ["[IPv6:::1]"]
    assert server.sessions[0].verbs(tls=False) == []
    assert server.sessions[0].deliveries[0].content == MESSAGE
