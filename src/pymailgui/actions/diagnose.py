"""Test connection: log in on the POP3 and SMTP servers of an account, say what failed.

:func:`test_account` runs, as a task, for each server: the DNS lookup, a TCP connect,
then the *real* session through the same code the client uses
(:func:`pymailgui.pop.open_session`, :func:`pymailgui.smtp.session.open_session`),
so "the test passed" means refresh and send will work. The outcome is data: the
steps passed, the one that failed and why (:class:`Failure`), the capabilities worth
showing, warnings, and the redacted protocol transcript.

When a certificate is refused, its subject, issuer, validity and fingerprint are read
over a *separate* connection that is closed right after the handshake, so no
credential is ever sent to a server whose certificate failed. For an unknown CA or a
self-signed certificate one more handshake checks whether pinning it
(:func:`pin_certificate`) would make the connection pass - it would not for a host
name mismatch or an expired certificate, which are never pinnable.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pymailgui import paths
from pymailgui.actions.certcheck import CertificateCheck, CertificateProblem
from pymailgui.actions.checks import (
    Checker,
    Failure,
    Problem,
    Step,
    StepResult,
)
from pymailgui.config.schema import AccountConfig, Security, ServerConfig
from pymailgui.config.secrets import remember_secret
from pymailgui.config.write import write_private
from pymailgui.errors import Cancelled, LocalStoreError, MailError, TLSError
from pymailgui.pop import POP3Client, open_session
from pymailgui.smtp.session import open_session as open_smtp
from pymailgui.tasks import Phase, Task, ensure
from pymailgui.tls import describe_certificate, pem_of, trust_pinned

__all__ = [
    "CertificateCheck",
    "CertificateProblem",
    "ConnectionReport",
    "Failure",
    "PasswordFor",
    "Problem",
    "ServerReport",
    "Step",
    "StepResult",
    "pin_certificate",
    "test_account",
]

#: ``password_for(protocol) -> password | None``: what the settings dialog holds for
#: "pop" or "smtp" (None: none given; the login step is then reported as not tried).
PasswordFor = Callable[[str], str | None]


@dataclass(frozen=True)
class ServerReport:
    """The test of one server."""

    protocol: str  # "pop" or "smtp"
    host: str
    port: int
    security: Security
    steps: tuple[StepResult, ...]
    failure: Failure | None = None
    #: Extensions worth showing, in order: (name, argument), e.g. ("EXPIRE", "0").
    capabilities: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()
    transcript: tuple[str, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        return self.failure is None

    def capability(self, name: str) -> str | None:
        """The argument of capability ``name`` ("" when it has none), None if absent."""
        return next((arg for cap, arg in self.capabilities if cap == name.upper()), None)

    def __str__(self) -> str:
        name = "POP3" if self.protocol == "pop" else "SMTP"
        where = f"{name} {self.host} port {self.port} ({self.security.value})"
        if self.failure is not None:
            return f"{where}: failed at {self.failure.step.value.lower()}: {self.failure.message}"
        caps = ", ".join(cap for cap, _ in self.capabilities)
        return f"{where}: works" + (f" ({caps})." if caps else ".")


@dataclass(frozen=True)
class ConnectionReport:
    """The test of an account: its POP3 server and its SMTP server, if it has one."""

    pop: ServerReport
    smtp: ServerReport | None = None

    @property
    def ok(self) -> bool:
        return self.pop.ok and (self.smtp is None or self.smtp.ok)

    @property
    def servers(self) -> tuple[ServerReport, ...]:
        return (self.pop,) if self.smtp is None else (self.pop, self.smtp)

    def __str__(self) -> str:
        return "\n".join(str(server) for server in self.servers)


def test_account(
    settings: AccountConfig, password_for: PasswordFor, task: Task | None = None
) -> ConnectionReport:
    """Log in on the account's POP3 server, then on its SMTP server (if configured).

    Every failure is in the report; Cancelled is raised when the task is cancelled.
    """
    task = ensure(task, "test connection")
    servers = [("pop", settings.pop)]
    if settings.smtp is not None:
        servers.append(("smtp", settings.smtp))
    reports = []
    for done, (protocol, server) in enumerate(servers):
        task.report(Phase.CONNECT, done, len(servers))
        reports.append(_ServerTest(settings, protocol, server, password_for, task).run())
    task.report(Phase.CONNECT, len(servers), len(servers))
    return ConnectionReport(reports[0], reports[1] if len(reports) > 1 else None)


# Its name starts with "test": a test module that imports it must not collect it.
test_account.__test__ = False  # type: ignore[attr-defined]


class _ServerTest:
    def __init__(
        self,
        account: AccountConfig,
        protocol: str,
        server: ServerConfig,
        password_for: PasswordFor,
        task: Task,
    ) -> None:
        self.account = account
        self.protocol = protocol
        self.server = server
        self.password_for = password_for
        self.task = task
        self.checker = Checker(protocol, server, task)
        self.capabilities: list[tuple[str, str]] = []
        self.warnings: list[str] = []

    @property
    def login(self) -> str:
        return self.account.login(self.server)

    def run(self) -> ServerReport:
        checker = self.checker
        failure = checker.reach()
        if failure is None:
            failure = self._session()
        if failure is None and self.server.security is not Security.NONE:
            self.warnings += checker.describe_tls()
        if self.server.security is Security.NONE:
            self.warnings.append(
                "The connection is not encrypted: the password and all mail travel in "
                "clear text. Use TLS or STARTTLS unless the server is on this computer."
            )
        return ServerReport(
            protocol=self.protocol,
            host=self.server.host,
            port=checker.port,
            security=self.server.security,
            steps=checker.results(failure),
            failure=failure,
            capabilities=tuple(self.capabilities),
            warnings=tuple(self.warnings),
            transcript=checker.transcript.lines,
        )

    def _session(self) -> Failure | None:
        try:
            password = self._password()
        except Cancelled:
            raise
        except MailError as exc:
            return Failure(Step.LOGIN, Problem.LOGIN_NOT_TRIED, str(exc))
        if password is not None:
            self.checker.login = self.login
        try:
            if self.protocol == "pop":
                self._pop(password)
            else:
                self._smtp(password)
        except Cancelled:
            raise
        except MailError as exc:
            return self.checker.session_failure(exc)
        if password is None and not self._no_login():
            return Failure(
                Step.LOGIN,
                Problem.LOGIN_NOT_TRIED,
                f"The connection works, but no password was given for {self.login}, "
                "so the login was not tested.",
            )
        return None

    def _no_login(self) -> bool:
        return self.protocol == "smtp" and self.server.auth == "none"

    def _password(self) -> str | None:
        if self._no_login():
            return None
        password = self.password_for(self.protocol)
        if password:
            remember_secret(password)  # masked in every log from now on
        return password or None

    def _pop(self, password: str | None) -> None:
        with self.checker.transcript.pop_logger() as logger:
            client: POP3Client
            if password is None:
                client = POP3Client.connect(self.server, protocol_log=logger, task=self.task)
            else:
                client = open_session(
                    self.server, self.login, password, protocol_log=logger, task=self.task
                )
            try:
                self._pop_capabilities(client)
            finally:
                try:
                    client.quit()  # nothing was marked deleted: QUIT commits nothing
                except MailError:
                    client.abort()

    def _pop_capabilities(self, client: POP3Client) -> None:
        caps = client.capabilities
        for name, present in (("UIDL", caps.uidl), ("TOP", caps.top)):
            if present:
                self.capabilities.append((name, ""))
        if caps.pipelining:
            self.capabilities.append(("PIPELINING", ""))
        if caps.expire is not None:
            self.capabilities.append(("EXPIRE", caps.expire))
        if caps.login_delay is not None:
            self.capabilities.append(("LOGIN-DELAY", str(caps.login_delay)))
        if not caps.known:
            self.warnings.append(
                "The server announces no capabilities (no CAPA); PyMailGUI will find out "
                "whether it has UIDL and TOP when it needs them."
            )
        elif not caps.uidl:
            self.warnings.append(
                "The server does not announce UIDL, so messages are recognised by their "
                "headers and size instead; deleting from the server is then slower."
            )
        if caps.expire_days == 0:
            self.warnings.append(
                "The server deletes messages once they are downloaded (EXPIRE 0): mail "
                "cannot be kept on the server."
            )
        if caps.login_delay:
            self.warnings.append(
                f"The server allows one login every {caps.login_delay} seconds; do not "
                "check for new mail more often."
            )

    def _smtp(self, password: str | None) -> None:
        username = self.login if password is not None else ""
        server = dataclasses.replace(self.server, username=username)
        with self.checker.transcript.smtp(), open_smtp(server, password, task=self.task) as client:
            features = client.esmtp_features
            for name in ("size", "smtputf8", "8bitmime", "auth"):
                if name in features:
                    self.capabilities.append((name.upper(), " ".join(features[name].split())))


# -- pinning ----------------------------------------------------------------------------
_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def pin_certificate(server: ServerConfig, der: bytes) -> Path:
    """Keep ``der`` as the pinned certificate of ``server``; returns the PEM file's path.

    Call it only for a :class:`~pymailgui.actions.certcheck.CertificateCheck` whose
    ``pinnable`` is True, then store the path in the server's ``pinned_certificate``
    (``dataclasses.replace``) and save the config. The file lives under
    :func:`pymailgui.paths.certificates_dir`; a later, different certificate gets a
    file of its own.
    """
    info = describe_certificate(der)
    trust_pinned(ssl.create_default_context(), der)  # ConfigError: not a certificate
    now = datetime.datetime.now(datetime.UTC)
    if info.not_after is not None and info.not_after < now:
        raise TLSError(
            f"The certificate of {server.host} expired on {info.not_after:%Y-%m-%d}; "
            "an expired certificate cannot be pinned."
        )
    host = _UNSAFE.sub("_", server.host).strip("._") or "server"
    name = f"{host[:60]}-{info.sha256.replace(':', '')[:16].lower()}.pem"
    try:
        directory = paths.ensure_dir(paths.certificates_dir())
        directory.chmod(0o700)
        path = directory / name
        write_private(path, pem_of(der).encode("ascii"))
    except OSError as exc:
        raise LocalStoreError(
            f"The certificate could not be saved in {paths.certificates_dir()}: "
            f"{exc.strerror or exc}."
        ) from exc
    return path
