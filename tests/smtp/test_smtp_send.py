"""send_message against a real SMTP server (aiosmtpd): TLS, AUTH, envelope, content."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import replace

import pytest
from tests.support.smtp import SMTPOptions, SMTPTestServer

from pymailgui.config.schema import Security
from pymailgui.errors import (
    AuthenticationError,
    ConnectionFailed,
    MessageError,
    RecipientsRefused,
    SendError,
    TLSError,
)
from pymailgui.smtp import SendResult, send_message

MESSAGE = (
    b"From: Alice <alice@example.test>\r\n"
    b"To: Bob <bob@example.test>\r\n"
    b"Subject: hello\r\n"
    b"Message-ID: <1@example.test>\r\n"
    b"\r\n"
    b"First line.\r\n"
    b".\r\n"
    b"..\r\n"
    b".leading dot\r\n"
    b"last line\r\n"
)


def send(
    server: SMTPTestServer,
    data: bytes = MESSAGE,
    *,
    password: str | None = None,
    recipients: list[str] | None = None,
) -> SendResult:
    rcpts = ["bob@example.test"] if recipients is None else recipients
    return send_message(server.config(), password, "alice@example.test", rcpts, data)


@pytest.mark.parametrize("smtp_server", ["plain", "starttls", "implicit"], indirect=True)
def test_send_delivers_exact_bytes_over_each_security(smtp_server: SMTPTestServer) -> None:
    result = send(smtp_server)

    assert result == SendResult(accepted=["bob@example.test"], refused={})
    assert result.complete
    [got] = smtp_server.received
    assert got.mail_from == "alice@example.test"
    assert got.rcpt_tos == ["bob@example.test"]
    # aiosmtpd un-stuffs the dots: what it stores must be the message itself.
    assert got.content == MESSAGE


@pytest.mark.parametrize("smtp_server", ["plain"], indirect=True)
def test_bare_lf_and_cr_become_crlf(smtp_server: SMTPTestServer) -> None:
    send(smtp_server, b"Subject: x\n\nline one\nline two\rline three")

    assert smtp_server.received[0].content == (
        b"Subject: x\r\n\r\nline one\r\nline two\r\nline three\r\n"
    )


@pytest.mark.parametrize("smtp_server", ["plain"], indirect=True)
def test_bcc_only_in_envelope(smtp_server: SMTPTestServer) -> None:
    data = (
        b"From: a@example.test\r\nTo: bob@example.test\r\n"
        b"Bcc: carol@example.test,\r\n dave@example.test\r\nSubject: s\r\n\r\nbody\r\n"
    )
    result = send(smtp_server, data, recipients=["bob@example.test", "carol@example.test"])

    assert result.accepted == ["bob@example.test", "carol@example.test"]
    [got] = smtp_server.received
    assert got.rcpt_tos == ["bob@example.test", "carol@example.test"]
    assert b"carol" not in got.content and b"dave" not in got.content
    assert got.content == (
        b"From: a@example.test\r\nTo: bob@example.test\r\nSubject: s\r\n\r\nbody\r\n"
    )


@pytest.mark.parametrize("smtp_server", ["plain"], indirect=True)
def test_partial_refusal_delivers_once_and_lists_refused(smtp_server: SMTPTestServer) -> None:
    result = send(
        smtp_server,
        recipients=["bob@example.test", "reject-me@example.test", "carol@example.test"],
    )

    assert result.accepted == ["bob@example.test", "carol@example.test"]
    assert list(result.refused) == ["reject-me@example.test"]
    code, text = result.refused["reject-me@example.test"]
    assert code == 550 and "refused" in text
    assert not result.complete
    assert len(smtp_server.received) == 1  # one transaction, never a resend
    assert smtp_server.received[0].rcpt_tos == ["bob@example.test", "carol@example.test"]


@pytest.mark.parametrize("smtp_server", ["plain"], indirect=True)
def test_all_refused_raises_and_sends_nothing(smtp_server: SMTPTestServer) -> None:
    with pytest.raises(RecipientsRefused) as info:
        send(smtp_server, recipients=["reject1@example.test", "reject2@example.test"])

    assert set(info.value.refused) == {"reject1@example.test", "reject2@example.test"}
    assert info.value.accepted == []
    assert "refused every recipient" in str(info.value)
    assert smtp_server.received == []


@pytest.mark.parametrize("smtp_server", ["plain"], indirect=True)
def test_duplicate_recipients_are_sent_once(smtp_server: SMTPTestServer) -> None:
    result = send(smtp_server, recipients=["bob@example.test", "BOB@example.test"])

    assert result.accepted == ["bob@example.test"]
    assert smtp_server.received[0].rcpt_tos == ["bob@example.test"]


@pytest.mark.parametrize("smtp_server", ["auth"], indirect=True)
def test_auth_ok_after_starttls(smtp_server: SMTPTestServer) -> None:
    result = send(smtp_server, password="secret")

    assert result.accepted == ["bob@example.test"]
    assert smtp_server.received[0].content == MESSAGE


@pytest.mark.parametrize("smtp_server", ["auth"], indirect=True)
def test_auth_wrong_password(smtp_server: SMTPTestServer) -> None:
    with pytest.raises(AuthenticationError) as info:
        send(smtp_server, password="wrong")

    assert "refused the user name or password" in str(info.value)
    assert "wrong" not in str(info.value)
    assert smtp_server.received == []


@pytest.mark.parametrize("smtp_server", ["auth"], indirect=True)
def test_server_requiring_auth_without_credentials_is_send_error(
    smtp_server: SMTPTestServer,
) -> None:
    config = smtp_server.config(username="")
    with pytest.raises(SendError) as info:
        send_message(config, None, "alice@example.test", ["bob@example.test"], MESSAGE)

    assert "refused the sender" in str(info.value)
    assert smtp_server.received == []


@pytest.mark.parametrize("smtp_server", ["plain"], indirect=True)
def test_credentials_but_no_auth_offered(smtp_server: SMTPTestServer) -> None:
    config = smtp_server.config(username="alice")
    with pytest.raises(AuthenticationError, match="offers no login"):
        send_message(config, "secret", "alice@example.test", ["bob@example.test"], MESSAGE)
    assert smtp_server.received == []


def test_untrusted_certificate_is_tls_error_and_nothing_sent(
    make_smtp_server: Callable[[SMTPOptions], SMTPTestServer],
) -> None:
    for options in (
        SMTPOptions(tls="starttls", untrusted=True),
        SMTPOptions(tls="implicit", untrusted=True),
    ):
        server = make_smtp_server(options)
        with pytest.raises(TLSError, match="could not be verified"):
            send(server)
        assert server.received == []


@pytest.mark.parametrize("smtp_server", ["plain"], indirect=True)
def test_starttls_asked_of_a_server_without_tls(smtp_server: SMTPTestServer) -> None:
    config = replace(smtp_server.config(), security=Security.STARTTLS)
    with pytest.raises(TLSError, match="does not offer STARTTLS"):
        send_message(config, None, "alice@example.test", ["bob@example.test"], MESSAGE)
    assert smtp_server.received == []


def test_connection_refused_is_connection_failed(smtp_server: SMTPTestServer) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionFailed, match="refused the connection") as info:
        send_message(
            smtp_server.config(port=port), None, "a@example.test", ["b@example.test"], MESSAGE
        )
    assert not isinstance(info.value, TLSError)


UTF8_MESSAGE = (
    "From: jörg@example.test\r\nTo: bob@example.test\r\nSubject: grüße\r\n\r\nHallo\r\n"
).encode()


@pytest.mark.parametrize("smtp_server", ["plain"], indirect=True)
def test_smtputf8_used_when_needed_and_offered(smtp_server: SMTPTestServer) -> None:
    send_message(
        smtp_server.config(), None, "jörg@example.test", ["bob@example.test"], UTF8_MESSAGE
    )

    [got] = smtp_server.received
    assert got.smtp_utf8 and "SMTPUTF8" in got.mail_options
    assert got.mail_from == "jörg@example.test"
    assert got.content == UTF8_MESSAGE


@pytest.mark.parametrize("smtp_server", ["no-smtputf8"], indirect=True)
@pytest.mark.parametrize(
    ("sender", "data", "flag"),
    [
        ("jörg@example.test", MESSAGE, False),  # non-ASCII address
        ("alice@example.test", UTF8_MESSAGE, False),  # raw UTF-8 header
        ("alice@example.test", MESSAGE, True),  # caller says so
    ],
)
def test_smtputf8_needed_but_absent_sends_nothing(
    smtp_server: SMTPTestServer, sender: str, data: bytes, flag: bool
) -> None:
    with pytest.raises(SendError, match="needs SMTPUTF8"):
        send_message(smtp_server.config(), None, sender, ["bob@example.test"], data, smtputf8=flag)
    assert smtp_server.received == []


@pytest.mark.parametrize("smtp_server", ["plain"], indirect=True)
def test_8bit_body_uses_8bitmime(smtp_server: SMTPTestServer) -> None:
    data = "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGrüße\r\n".encode()
    send(smtp_server, data)

    [got] = smtp_server.received
    assert "BODY=8BITMIME" in got.mail_options and not got.smtp_utf8
    assert got.content == data


@pytest.mark.parametrize("smtp_server", ["plain"], indirect=True)
def test_invalid_addresses_are_refused_before_connecting(smtp_server: SMTPTestServer) -> None:
    for rcpt in ["bob@example.test>\r\nRCPT TO:<evil@example.test", "no-at-sign", ""]:
        with pytest.raises(MessageError):
            send(smtp_server, recipients=[rcpt])
    with pytest.raises(MessageError, match="no recipients"):
        send(smtp_server, recipients=[])
    with pytest.raises(MessageError, match="998"):
        send(smtp_server, b"Subject: x\r\n\r\n" + b"a" * 999 + b"\r\n")
    assert smtp_server.received == []
