"""The demo SMTP receiver: what is sent to it arrives in the demo inbox."""

from __future__ import annotations

import poplib
import socket
from pathlib import Path

import pytest

from pymailgui.config.schema import Security, ServerConfig
from pymailgui.devserver.demo import DEMO_ADDRESS, DEMO_PASSWORD, DEMO_USER, DemoServer
from pymailgui.devserver.smtpdemo import DemoSMTPServer
from pymailgui.smtp import send_message

MESSAGE = b"From: me@example.test\nTo: demo@example.com\nSubject: hi\n\n.dot\nbody\n"


def config(server: DemoSMTPServer) -> ServerConfig:
    return ServerConfig(host=server.host, port=server.port, security=Security.NONE, timeout=5)


def test_received_message_gets_trace_fields_and_crlf() -> None:
    delivered: list[bytes] = []
    with DemoSMTPServer(delivered.append) as server:
        assert server.port != 0
        send_message(config(server), None, "me@example.test", [DEMO_ADDRESS], MESSAGE)

    [data] = delivered
    header, _, body = data.partition(b"\r\n\r\n")
    lines = header.split(b"\r\n")
    assert lines[0] == b"Return-Path: <me@example.test>"
    assert lines[1].startswith(b"Received: from [127.0.0.1] ([127.0.0.1])")
    assert b"for <demo@example.com>;" in header
    assert header.endswith(b"Subject: hi")
    assert body == b".dot\r\nbody\r\n"
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_stop_frees_the_port_and_restart_works() -> None:
    server = DemoSMTPServer(lambda data: None)
    server.start()
    port = server.port
    server.stop()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    server.start()  # start again after stop
    try:
        send_message(config(server), None, "a@example.test", ["b@example.test"], MESSAGE)
    finally:
        server.stop()


def test_failed_delivery_is_a_temporary_error() -> None:
    from pymailgui.errors import SendError

    def broken(data: bytes) -> None:
        raise OSError("disk full")

    with DemoSMTPServer(broken) as server, pytest.raises(SendError, match="451"):
        send_message(config(server), None, "a@example.test", ["b@example.test"], MESSAGE)


def test_only_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        DemoSMTPServer(lambda data: None, host="0.0.0.0")


def test_sent_mail_arrives_in_demo_pop3_inbox(tmp_path: Path) -> None:
    pop = DemoServer(tmp_path / "maildrop")
    host, port = pop.start()
    try:
        with DemoSMTPServer(pop.deliver) as smtp:
            send_message(config(smtp), None, "me@example.test", [DEMO_ADDRESS], MESSAGE)
        client = poplib.POP3(host, port, timeout=5)
        try:
            client.user(DEMO_USER)
            client.pass_(DEMO_PASSWORD)
            count, _ = client.stat()
            _, lines, _ = client.retr(count)
        finally:
            client.quit()
    finally:
        pop.stop()
    assert lines[0] == b"Return-Path: <me@example.test>"
    assert b"Subject: hi" in lines and b".dot" in lines
