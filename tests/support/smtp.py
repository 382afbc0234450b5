"""Real SMTP servers for tests: aiosmtpd on 127.0.0.1, port 0, recording what it gets.

Fixtures:
- ``smtp_server``: one running server; parametrize indirectly with a variant name
  ("plain", "starttls", "implicit", "auth", "no-smtputf8") or an :class:`SMTPOptions`.
  Default: plain.
- ``make_smtp_server``: a factory taking an :class:`SMTPOptions`, for several servers
  or unusual combinations in one test.
- ``make_scripted_smtp``: the project's scripted server (faults, hostile input), see
  ``pymailgui.devserver.smtpscripted``; ``scripted_config`` builds its ServerConfig.

Every variant refuses (550) any recipient containing "reject". The AUTH variant
accepts alice/secret, requires STARTTLS first and requires AUTH before MAIL.
Needs ``tests.support.tls`` (``tls_files``).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from pymailgui.config.schema import Security, ServerConfig
from pymailgui.devserver.smtpdemo import LoopbackController
from pymailgui.devserver.smtpscripted import ScriptedSMTPServer, SMTPScript

if TYPE_CHECKING:  # importing it here would stop pytest from rewriting its asserts
    from tests.support.tls import TLSFiles

USERS = {"alice": "secret"}


@dataclass(frozen=True)
class SMTPOptions:
    tls: Literal["none", "starttls", "implicit"] = "none"
    auth: bool = False  # alice/secret; AUTH required before MAIL
    smtputf8: bool = True
    refuse_containing: str = "reject"
    untrusted: bool = False  # serve a certificate from a CA the client does not know


VARIANTS = {
    "plain": SMTPOptions(),
    "starttls": SMTPOptions(tls="starttls"),
    "implicit": SMTPOptions(tls="implicit"),
    "auth": SMTPOptions(tls="starttls", auth=True),
    "no-smtputf8": SMTPOptions(smtputf8=False),
}


@dataclass
class Received:
    """One envelope as the server got it; ``content`` is the DATA after un-stuffing."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    mail_options: list[str]
    smtp_utf8: bool


@dataclass
class RecordingHandler:
    refuse_containing: str = "reject"
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.refuse_containing and self.refuse_containing in address:
            self.refused.append(address)
            return "550 5.1.1 Recipient refused by test server"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                content=bytes(envelope.original_content),
                mail_options=list(envelope.mail_options),
                smtp_utf8=bool(envelope.smtp_utf8),
            )
        )
        return "250 2.0.0 Message accepted"


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    if isinstance(auth_data, LoginPassword):
        user = auth_data.login.decode("utf-8", "replace")
        ok = USERS.get(user) == auth_data.password.decode("utf-8", "replace")
        return AuthResult(success=ok, handled=False)
    return AuthResult(success=False, handled=False)


@dataclass
class SMTPTestServer:
    """A running aiosmtpd server and what it received."""

    options: SMTPOptions
    controller: LoopbackController
    handler: RecordingHandler
    ca_file: Path | None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def config(self, **overrides: Any) -> ServerConfig:
        """A ServerConfig reaching this server (security, port, CA, a short timeout)."""
        security = {
            "none": Security.NONE,
            "starttls": Security.STARTTLS,
            "implicit": Security.TLS,
        }[self.options.tls]
        base = ServerConfig(
            host=self.host,
            port=self.port,
            security=security,
            ca_file=str(self.ca_file) if self.ca_file else "",
            timeout=5.0,
            username="alice" if self.options.auth else "",
        )
        return replace(base, **overrides)


def start_server(options: SMTPOptions, tls: TLSFiles | None) -> SMTPTestServer:
    handler = RecordingHandler(refuse_containing=options.refuse_containing)
    kwargs: dict[str, Any] = {"enable_SMTPUTF8": options.smtputf8}
    server_ctx: ssl.SSLContext | None = None
    if options.tls != "none":
        assert tls is not None, "a TLS variant needs the tls_files fixture"
        server_ctx = tls.server_context()
    if options.tls == "starttls":
        kwargs.update(tls_context=server_ctx, require_starttls=True)
    elif options.tls == "implicit":
        kwargs.update(ssl_context=server_ctx)
    if options.auth:
        kwargs.update(authenticator=_authenticator, auth_required=True, auth_require_tls=True)
    controller = LoopbackController(handler, **kwargs)
    controller.start()
    return SMTPTestServer(options, controller, handler, tls.ca_file if tls else None)


@pytest.fixture
def make_smtp_server(
    tls_files: TLSFiles, untrusted_tls_files: TLSFiles
) -> Iterator[Callable[[SMTPOptions], SMTPTestServer]]:
    """Start aiosmtpd servers on demand; all are stopped after the test.

    ``ca_file`` of the result is always the *trusted* CA, even for ``untrusted=True``.
    """
    started: list[SMTPTestServer] = []

    def make(options: SMTPOptions) -> SMTPTestServer:
        files = untrusted_tls_files if options.untrusted else tls_files
        server = start_server(options, files)
        server.ca_file = tls_files.ca_file
        started.append(server)
        return server

    yield make
    for server in started:
        server.controller.stop()


@pytest.fixture
def smtp_server(
    request: pytest.FixtureRequest, make_smtp_server: Callable[[SMTPOptions], SMTPTestServer]
) -> SMTPTestServer:
    """A running aiosmtpd server; indirect parameter: a variant name or SMTPOptions."""
    param = getattr(request, "param", "plain")
    options = VARIANTS[param] if isinstance(param, str) else param
    return make_smtp_server(options)


@pytest.fixture
def make_scripted_smtp(
    tls_files: TLSFiles,
) -> Iterator[Callable[..., ScriptedSMTPServer]]:
    """Start scripted SMTP servers (STARTTLS-capable with the trusted test certificate).

    ``make(script, tls=True, implicit=False)``; ``tls=False`` gives a server that has
    no TLS at all. Servers are stopped after the test.
    """
    with ExitStack() as running:

        def make(
            script: SMTPScript | None = None, *, tls: bool = True, implicit: bool = False
        ) -> ScriptedSMTPServer:
            context = tls_files.server_context() if tls else None
            server = ScriptedSMTPServer(script, tls_context=context, implicit_tls=implicit)
            return running.enter_context(server)

        yield make


def scripted_config(
    server: ScriptedSMTPServer, tls_files: TLSFiles, **overrides: Any
) -> ServerConfig:
    """A ServerConfig for a scripted server: STARTTLS with the test CA unless overridden."""
    base = ServerConfig(
        host=server.host,
        port=server.port,
        security=Security.STARTTLS,
        ca_file=str(tls_files.ca_file),
        timeout=5.0,
    )
    return replace(base, **overrides)
