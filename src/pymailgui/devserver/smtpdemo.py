"""The demo account's SMTP receiver: mail sent to it arrives in the demo POP3 inbox.

A loopback-only aiosmtpd server without TLS or AUTH (it never relays: every message is
handed to ``deliver``, normally the demo POP3 server's ``deliver()``), so a new user
can send a message and fetch it back without any real account.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
from collections.abc import Callable
from typing import Any

from aiosmtpd.controller import Controller

from pymailgui.devserver.running import Running
from pymailgui.lines import normalize_line_endings

log = logging.getLogger("pymailgui.devserver.smtpdemo")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LoopbackController(Controller):
    """aiosmtpd's threaded Controller, able to listen on port 0 (a free port).

    The stock Controller connects to ``self.port`` to check the server is up, which
    fails for port 0; the real port is read from the listening socket first.
    """

    def __init__(
        self, handler: Any, *, hostname: str = "127.0.0.1", port: int = 0, **kwargs: Any
    ) -> None:
        if not is_loopback(hostname):
            raise ValueError(f"test and demo SMTP servers listen on loopback only, not {hostname}")
        # server_hostname avoids aiosmtpd calling socket.getfqdn() (DNS) at each session.
        kwargs.setdefault("server_hostname", "localhost")
        kwargs.setdefault("ready_timeout", 10.0)
        super().__init__(handler, hostname=hostname, port=port, **kwargs)

    def _trigger_server(self) -> None:
        sockets = getattr(self.server, "sockets", None)  # an asyncio.Server once bound
        if sockets:
            self.port = sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


def trace_headers(envelope: Any, session: Any, by: str) -> bytes:
    """Return-Path and Received fields (RFC 5321 §4.4) for one received message."""
    peer = session.peer[0] if session.peer else "unknown"
    helo = session.host_name or "unknown"
    protocol = "ESMTP" if session.extended_smtp else "SMTP"
    if envelope.smtp_utf8:
        protocol = "UTF8SMTP"  # RFC 6531 §3.7.3
    recipients = envelope.rcpt_tos
    for_clause = f"\r\n\tfor <{recipients[0]}>" if len(recipients) == 1 else ""
    when = email.utils.format_datetime(email.utils.localtime())
    received = (
        f"Received: from {helo} ([{peer}])\r\n\tby {by} (PyMailGUI demo) with "
        f"{protocol}{for_clause}; {when}\r\n"
    )
    return_path = f"Return-Path: <{envelope.mail_from or ''}>\r\n"
    return (return_path + received).encode("utf-8")


class _DeliverHandler:
    def __init__(self, deliver: Callable[[bytes], object], by: str) -> None:
        self._deliver = deliver
        self._by = by

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = normalize_line_endings(envelope.original_content or b"")
        try:
            self._deliver(trace_headers(envelope, session, self._by) + content)
        except Exception:  # the demo inbox failed: tell the client, keep serving
            log.exception("demo delivery failed")
            return "451 4.3.0 Local delivery failed; try again later"
        return "250 2.0.0 Delivered to the demo inbox"


class DemoSMTPServer(Running):
    """A running demo SMTP receiver; use as a context manager or start()/stop()."""

    def __init__(
        self, deliver: Callable[[bytes], object], host: str = "127.0.0.1", port: int = 0
    ) -> None:
        if not is_loopback(host):
            raise ValueError(f"the demo SMTP server listens on loopback only, not {host}")
        self.host = host
        self._handler = _DeliverHandler(deliver, "localhost")
        self._requested_port = port
        self._port = port
        self._controller: LoopbackController | None = None

    @property
    def port(self) -> int:
        """The listening port (the real one once started, even when 0 was asked)."""
        return self._port

    def start(self) -> None:
        if self._controller is not None:
            return
        # A fresh controller each time: aiosmtpd closes its event loop on stop().
        controller = LoopbackController(
            self._handler, hostname=self.host, port=self._requested_port
        )
        controller.start()
        self._controller, self._port = controller, int(controller.port)
        log.info("demo SMTP server listening on %s port %d", self.host, self._port)

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
