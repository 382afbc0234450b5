"""The steps of a connection test and what their failures mean (see :mod:`.diagnose`).

A :class:`Checker` runs the DNS and TCP steps itself, then turns whatever the real
POP3 or SMTP session raised into a :class:`Failure`: which :class:`Step` failed, the
:class:`Problem` as a stable tag, one sentence for the user and the server's own
words. Errors are sorted by their cause chain (the ``ssl`` or socket exception the
client layers keep as ``__cause__``) and by the transcript of the session, never by
matching sentences.
"""

from __future__ import annotations

import datetime
import enum
import errno
import smtplib
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

from pymailgui.actions import probe
from pymailgui.actions.certcheck import (
    CertificateCheck,
    certificate_sentence,
    examine,
)
from pymailgui.config.schema import Security, ServerConfig
from pymailgui.errors import (
    AuthenticationError,
    ConfigError,
    ConnectionFailed,
    MailboxBusy,
    MailError,
    TLSError,
)
from pymailgui.tasks import Task
from pymailgui.tls import describe_certificate


class Step(enum.Enum):
    """One step of a connection test; the value is how a checklist names it."""

    SETTINGS = "Reading the settings"
    DNS = "Finding the server (DNS)"
    TCP = "Connecting"
    TLS = "Securing the connection (TLS)"
    GREETING = "Greeting"
    STARTTLS = "Asking for TLS (STARTTLS)"
    LOGIN = "Logging in"


class Problem(enum.Enum):
    """Why a step failed; the values are stable tags a front end may act on."""

    SETTINGS = "settings"
    NAME_NOT_FOUND = "name-not-found"
    DNS_FAILED = "dns-failed"
    REFUSED = "refused"
    TIMED_OUT = "timed-out"
    UNREACHABLE = "unreachable"
    CONNECT_FAILED = "connect-failed"
    CERTIFICATE = "certificate"
    TLS_VERSION = "tls-version"
    NOT_TLS = "not-tls"
    TLS_FAILED = "tls-failed"
    STARTTLS_NOT_OFFERED = "starttls-not-offered"
    STARTTLS_REFUSED = "starttls-refused"
    GREETING_REFUSED = "greeting-refused"
    NO_GREETING = "no-greeting"
    AUTH_REFUSED = "auth-refused"
    BUSY = "busy"
    LOGIN_NOT_TRIED = "login-not-tried"
    NO_LOGIN_METHOD = "no-login-method"
    CONNECTION_LOST = "connection-lost"
    PROTOCOL = "protocol"


# OpenSSL reasons for a handshake that failed over the protocol version, and for a
# peer that does not speak TLS at all (a clear-text port).
_VERSION_REASONS = {
    "UNSUPPORTED_PROTOCOL",
    "TLSV1_ALERT_PROTOCOL_VERSION",
    "NO_PROTOCOLS_AVAILABLE",
    "WRONG_SSL_VERSION",
    "VERSION_TOO_LOW",
}
_NOT_TLS_REASONS = {"WRONG_VERSION_NUMBER", "HTTP_REQUEST", "UNKNOWN_PROTOCOL"}
#: A certificate that expires sooner than this gets a warning.
EXPIRY_WARNING = datetime.timedelta(days=14)
_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN}


@dataclass(frozen=True)
class Failure:
    """The step that failed, why (as a tag and as one sentence), and the evidence."""

    step: Step
    problem: Problem
    message: str
    server_said: str = ""  # the server's answer, printable, one line, bounded
    certificate: CertificateCheck | None = None
    tls_version: str = ""  # for TLS_VERSION: what the server offers, e.g. "TLSv1.1"


@dataclass(frozen=True)
class StepResult:
    step: Step
    ok: bool
    detail: str = ""  # what was found ("127.0.0.1", "TLSv1.3", the greeting) or why not


def _sequence(security: Security) -> tuple[Step, ...]:
    if security is Security.TLS:
        return (Step.TLS, Step.GREETING, Step.LOGIN)
    if security is Security.STARTTLS:
        return (Step.GREETING, Step.STARTTLS, Step.TLS, Step.LOGIN)
    return (Step.GREETING, Step.LOGIN)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


class Checker:
    """The DNS and TCP steps, and the reading of a session's failure, for one server."""

    def __init__(self, protocol: str, server: ServerConfig, task: Task) -> None:
        self.protocol = protocol
        self.server = server
        self.task = task
        self.port = server.effective_port(protocol)
        self.where = f"{server.host} port {self.port}"
        self.transcript = probe.Transcript(server.host if protocol == "pop" else "")
        self.login = ""  # set when a login is tried
        self._passed: list[StepResult] = []
        self._details: dict[Step, str] = {}

    # -- DNS and TCP ------------------------------------------------------------------
    def reach(self) -> Failure | None:
        host, timeout = self.server.host, self.server.timeout
        try:
            addresses = probe.resolve(host, self.port, timeout, self.task)
        except socket.gaierror as exc:
            return self._dns_failure(exc)
        except UnicodeError:
            return Failure(
                Step.DNS, Problem.NAME_NOT_FOUND, f"“{host}” is not a valid server name."
            )
        except TimeoutError:
            return Failure(
                Step.DNS,
                Problem.DNS_FAILED,
                f"The name {host} could not be looked up within {timeout:g} seconds; "
                "check the network connection.",
            )
        self._passed.append(StepResult(Step.DNS, True, ", ".join(a[1][0] for a in addresses)))
        try:
            address = probe.connect(addresses, timeout, self.task)
        except OSError as exc:
            return self._tcp_failure(exc)
        self._passed.append(StepResult(Step.TCP, True, f"{address[0]} port {address[1]}"))
        return None

    def _dns_failure(self, exc: socket.gaierror) -> Failure:
        host = self.server.host
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            return Failure(
                Step.DNS,
                Problem.NAME_NOT_FOUND,
                f"The server name {host} does not exist (DNS); check its spelling.",
            )
        return Failure(
            Step.DNS,
            Problem.DNS_FAILED,
            f"The name {host} could not be looked up ({exc.strerror or exc}); check the "
            "network connection.",
        )

    def _tcp_failure(self, exc: OSError) -> Failure:
        if isinstance(exc, ConnectionRefusedError):
            return Failure(
                Step.TCP,
                Problem.REFUSED,
                f"{self.where} refused the connection: no mail server listens there. "
                "Check the port and the security setting.",
            )
        if isinstance(exc, TimeoutError):
            return Failure(
                Step.TCP,
                Problem.TIMED_OUT,
                f"{self.where} did not answer within {self.server.timeout:g} seconds; a "
                "firewall may block the port, or the server is down.",
            )
        if exc.errno in _UNREACHABLE:
            return Failure(
                Step.TCP,
                Problem.UNREACHABLE,
                f"{self.server.host} cannot be reached from this computer "
                f"({exc.strerror}); check the network connection.",
            )
        return Failure(
            Step.TCP,
            Problem.CONNECT_FAILED,
            f"Could not connect to {self.where}: {exc.strerror or exc}.",
        )

    # -- the session --------------------------------------------------------------------
    def session_failure(self, exc: MailError) -> Failure:
        """The failure the real session's ``exc`` stands for."""
        chain = list(_causes(exc))
        verify = next((c for c in chain if isinstance(c, ssl.SSLCertVerificationError)), None)
        ssl_error = next((c for c in chain if isinstance(c, ssl.SSLError)), None)
        if isinstance(exc, ConfigError):
            return Failure(Step.SETTINGS, Problem.SETTINGS, str(exc))
        if verify is not None:
            check = examine(verify, self.server, self._handshake)
            message = certificate_sentence(self.server.host, check)
            return Failure(Step.TLS, Problem.CERTIFICATE, message, certificate=check)
        if isinstance(exc, TLSError) and ssl_error is not None:
            return self._tls_failure(ssl_error)
        if isinstance(exc, MailboxBusy):
            return Failure(Step.LOGIN, Problem.BUSY, str(exc), self.transcript.last_reply())
        if isinstance(exc, AuthenticationError):
            return self._auth_failure(exc, chain)
        return (
            self._starttls_failure(exc, chain)
            if isinstance(exc, TLSError)
            else self._dialogue_failure(exc, chain)
        )

    def _auth_failure(self, exc: AuthenticationError, chain: list[BaseException]) -> Failure:
        smtp_auth = next((c for c in chain if isinstance(c, smtplib.SMTPAuthenticationError)), None)
        if self.protocol == "smtp" and smtp_auth is None:
            return Failure(Step.LOGIN, Problem.NO_LOGIN_METHOD, str(exc))
        said = (
            probe.reply_text(f"{smtp_auth.smtp_code} {probe.reply_text(smtp_auth.smtp_error)}")
            if smtp_auth is not None
            else self.transcript.last_reply()
        )
        return Failure(
            Step.LOGIN,
            Problem.AUTH_REFUSED,
            f"{self.where} refused the user name or password for {self.login}; check "
            "them (some providers need an app password).",
            said,
        )

    def _starttls_failure(self, exc: TLSError, chain: list[BaseException]) -> Failure:
        response = next((c for c in chain if isinstance(c, smtplib.SMTPResponseException)), None)
        if response is not None:
            said = probe.reply_text(f"{response.smtp_code} {probe.reply_text(response.smtp_error)}")
            return Failure(Step.STARTTLS, Problem.STARTTLS_REFUSED, str(exc), said)
        offered = self.protocol == "smtp" and self.transcript.sent("STARTTLS")
        problem = Problem.STARTTLS_REFUSED if offered else Problem.STARTTLS_NOT_OFFERED
        message = (
            f"{self.where} does not offer STARTTLS, so the connection cannot be secured and "
            "nothing was sent. Try security “tls” on its TLS port, or ask the provider."
            if problem is Problem.STARTTLS_NOT_OFFERED
            else str(exc)
        )
        return Failure(Step.STARTTLS, problem, message, self.transcript.last_reply())

    def _dialogue_failure(self, exc: MailError, chain: list[BaseException]) -> Failure:
        said = self.transcript.last_reply()
        command = self.transcript.last_command()
        if not self.transcript.received():
            timed_out = any(isinstance(c, TimeoutError) for c in chain)
            why = f"within {self.server.timeout:g} seconds" if timed_out else "before closing it"
            return Failure(
                Step.GREETING,
                Problem.NO_GREETING,
                f"{self.where} accepted the connection but sent no greeting {why}; "
                "is this the right port and security setting?",
            )
        step = self._step_of(command)
        refused = step is Step.GREETING and (
            (self.protocol == "pop" and said.startswith("-ERR"))
            or (self.protocol == "smtp" and not said[:3].startswith(("2", "3")))
        )
        if refused:
            return Failure(
                Step.GREETING,
                Problem.GREETING_REFUSED,
                f"{self.where} refused the session: {said or 'no reason given'}.",
                said,
            )
        lost = isinstance(exc, ConnectionFailed)
        return Failure(step, Problem.CONNECTION_LOST if lost else Problem.PROTOCOL, str(exc), said)

    def _step_of(self, command: str) -> Step:
        if command in ("", "CAPA", "EHLO", "HELO"):
            return Step.GREETING
        if command in ("STLS", "STARTTLS"):
            return Step.STARTTLS
        return Step.LOGIN

    # -- TLS ----------------------------------------------------------------------------
    def _tls_failure(self, error: ssl.SSLError) -> Failure:
        reason = str(error.reason or "")
        if reason in _NOT_TLS_REASONS:
            return Failure(
                Step.TLS,
                Problem.NOT_TLS,
                f"{self.where} does not speak TLS; it may be a clear-text port: try "
                "security “starttls”, or the provider's TLS port.",
            )
        if reason in _VERSION_REASONS:
            version = self._read_version()
            offered = f"only {version}" if version else "only an outdated TLS version"
            return Failure(
                Step.TLS,
                Problem.TLS_VERSION,
                f"{self.where} offers {offered}; PyMailGUI needs TLS 1.2 or newer, so "
                "the server must be updated (nothing was sent).",
                tls_version=version,
            )
        return Failure(
            Step.TLS,
            Problem.TLS_FAILED,
            f"A secure (TLS) connection with {self.where} could not be set up "
            f"({error.reason or error}); nothing was sent.",
        )

    def _handshake(self, context: ssl.SSLContext) -> probe.Handshake:
        return probe.handshake(
            self.server.host,
            self.port,
            protocol=self.protocol,
            security=self.server.security,
            timeout=self.server.timeout,
            context=context,
            task=self.task,
        )

    def _read_version(self) -> str:
        try:
            return self._handshake(probe.reading_context()).version
        except (ssl.SSLError, probe.ProbeFailed):
            return ""

    def describe_tls(self) -> list[str]:
        """After a good session: the TLS version and certificate, for the TLS step."""
        try:
            shake = self._handshake(self.server.tls_context())
        except (ssl.SSLError, probe.ProbeFailed, ConfigError):
            return []
        info = describe_certificate(shake.der)
        self._details[Step.TLS] = f"{shake.version}, {info.subject}, issued by {info.issuer}"
        if info.not_after is not None:
            left = info.not_after - datetime.datetime.now(datetime.UTC)
            if left < EXPIRY_WARNING:
                return [
                    f"The certificate of {self.server.host} expires on "
                    f"{info.not_after:%Y-%m-%d}; the server's administrator must renew it."
                ]
        return []

    # -- the checklist ------------------------------------------------------------------
    def results(self, failure: Failure | None) -> tuple[StepResult, ...]:
        steps = list(self._passed)
        if failure is not None and failure.step in (Step.DNS, Step.TCP):
            return (*steps, StepResult(failure.step, False, failure.message))
        greeting = next((t for d, t in self.transcript.entries if d == "S:"), "")
        details = {Step.GREETING: greeting, **self._details}
        if self.login:
            details.setdefault(Step.LOGIN, f"as {self.login}")
        sequence = _sequence(self.server.security)
        if failure is not None and failure.step not in sequence:
            return (*steps, StepResult(failure.step, False, failure.message))
        for step in sequence:
            if failure is not None and step is failure.step:
                steps.append(StepResult(step, False, failure.message))
                break
            steps.append(StepResult(step, True, details.get(step, "")))
        return tuple(steps)
