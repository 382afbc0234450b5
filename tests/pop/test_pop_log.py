"""The protocol log: every line at DEBUG, never a password, never a message body."""

from __future__ import annotations

import base64
import logging

import pytest

from pymailgui.pop import POP3Client
from pymailgui.pop.log import ProtocolLog, redact
from tests.support.popserver import ScriptedMaker, config_for

PASSWORD = "Tr0ub4dor&3-very-secret"
LOGGER = "test.pop.protocol"
SECRET_BODY = b"Subject: private\r\n\r\nthe-secret-body-marker\r\n"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("PASS hunter2", "PASS ***"),
        ("pass with spaces in it", "pass ***"),
        ("PASS", "PASS ***"),
        ("AUTH PLAIN AGFsaWNlAHNlY3JldA==", "AUTH PLAIN ***"),
        ("AUTH XOAUTH2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciB0b2tlbgEB", "AUTH XOAUTH2 ***"),
        ("APOP alice c4c9334bac560ecc979e58001b3e22fb", "APOP alice ***"),
        ("AUTH PLAIN", "AUTH PLAIN"),
        ("USER alice", "USER alice"),
        ("PASSWORD-LIKE", "PASSWORD-LIKE"),
        ("RETR 1", "RETR 1"),
    ],
)
def test_redact(line: str, expected: str) -> None:
    assert redact(line) == expected


def _session(
    scripted_pop: ScriptedMaker, caplog: pytest.LogCaptureFixture, auth: str, username: str
) -> str:
    server = scripted_pop([SECRET_BODY], user=username, password=PASSWORD)
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    config = config_for(server, auth=auth, username=username)
    with POP3Client.connect(config, protocol_log=logging.getLogger(LOGGER)) as client:
        client.login(username, PASSWORD)
        assert client.retr(1) == SECRET_BODY
        assert dict(client.top_many([1]))[1] is not None
    return caplog.text


@pytest.mark.parametrize(
    ("auth", "username", "shown"),
    [
        ("user", "alice", "C: PASS ***"),
        ("plain", "alice", "C: AUTH PLAIN ***"),
        # An initial response over 255 octets goes on its own line after "+ ".
        ("plain", "a" * 200, "C: ***"),
    ],
)
def test_password_never_logged(
    scripted_pop: ScriptedMaker,
    caplog: pytest.LogCaptureFixture,
    auth: str,
    username: str,
    shown: str,
) -> None:
    text = _session(scripted_pop, caplog, auth, username)
    token = base64.b64encode(b"\0" + username.encode() + b"\0" + PASSWORD.encode()).decode()
    assert PASSWORD not in text
    assert token not in text
    assert token[:20] not in text
    assert shown in text
    # The dialogue itself is there, both directions, at DEBUG.
    assert "C: RETR 1" in text and f"S: +OK {len(SECRET_BODY)} octets." in text
    assert all(r.levelno == logging.DEBUG for r in caplog.records)
    # Bodies are reduced to their size.
    assert "the-secret-body-marker" not in text
    assert f"S: <{len(SECRET_BODY)} bytes, 3 lines>" in text


def test_no_logger_means_no_output(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    log = ProtocolLog(None, "host")
    log.sent(b"PASS x")
    log.received(b"+OK")
    assert caplog.records == []


def test_secret_lines_and_hostile_server_text(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    log = ProtocolLog(logging.getLogger(LOGGER), "host")
    log.sent(b"dGhpcyBpcyBzZWNyZXQ=", secret=True)
    log.received(b"+OK \x1b[2Jclear-screen")
    assert "dGhpcyBpcyBzZWNyZXQ=" not in caplog.text
    assert "\x1b" not in caplog.text
    assert "host C: ***" in caplog.text
