"""Test connection against real local servers: each failure kind says which step and why.

Dovecot (good login, bad password), aiosmtpd (login, bad password), the scripted POP3
and SMTP servers serving the ``bad_certificates`` and an outdated TLS 1.1, a closed
port, a name under ``.invalid`` (RFC 2606/6761: never resolves, no network needed),
servers without STARTTLS or refusing it. A refused certificate is read over a separate
connection and no credential ever reaches such a server.
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.support.dovecot import DovecotServer
from tests.support.dovecot_mailbox import DovecotUser
from tests.support.popserver import POP_PASSWORD, POP_USER, ScriptedMaker, config_for
from tests.support.smtp import SMTPOptions, SMTPTestServer
from tests.support.tls import TLSFiles, make_tls_files

from pymailgui import paths
from pymailgui.actions import diagnose
from pymailgui.actions.diagnose import (
    CertificateProblem,
    ConnectionReport,
    Problem,
    ServerReport,
    Step,
    pin_certificate,
)
from pymailgui.config.schema import AccountConfig, Security, ServerConfig
from pymailgui.devserver.pop3server import ScriptedPOP3Server
from pymailgui.devserver.script import GREETING, Rule
from pymailgui.devserver.smtpscripted import ScriptedSMTPServer, SMTPScript
from pymailgui.errors import Cancelled, TLSError
from pymailgui.tasks import Task

CREDENTIAL_VERBS = {"USER", "PASS", "AUTH", "APOP"}


def account(pop: ServerConfig, smtp: ServerConfig | None = None) -> AccountConfig:
    return AccountConfig(name="test", address="alice@example.org", pop=pop, smtp=smtp)


def passwords(
    pop: str | None = POP_PASSWORD, smtp: str | None = "secret"
) -> Callable[[str], str | None]:
    return {"pop": pop, "smtp": smtp}.get


def steps(report: ServerReport) -> list[tuple[Step, bool]]:
    return [(s.step, s.ok) for s in report.steps]


def pop_verbs(server: ScriptedPOP3Server) -> set[str]:
    return {verb for log in server.sessions for verb in log.verbs}


def nothing_leaked(server: ScriptedPOP3Server) -> bool:
    return all(log.wire.leaked(POP_USER, POP_PASSWORD) == [] for log in server.sessions)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SMTPMaker = Callable[..., ScriptedSMTPServer]


@pytest.fixture
def smtp_with(tls_files: TLSFiles) -> Iterator[SMTPMaker]:
    servers: list[ScriptedSMTPServer] = []

    def make(
        files: TLSFiles | None = None,
        *,
        implicit: bool = False,
        script: SMTPScript | None = None,
        tls: bool = True,
    ) -> ScriptedSMTPServer:
        context = (files or tls_files).server_context() if tls else None
        server = ScriptedSMTPServer(script, tls_context=context, implicit_tls=implicit)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def smtp_config(server: ScriptedSMTPServer, **kw: object) -> ServerConfig:
    base = ServerConfig(host=server.host, port=server.port, security=Security.STARTTLS, timeout=5.0)
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def dovecot_pop(dovecot: DovecotServer, user: DovecotUser, security: Security) -> ServerConfig:
    port = dovecot.pop3s_port if security is Security.TLS else dovecot.pop3_port
    return ServerConfig(
        host="127.0.0.1",
        port=port,
        security=security,
        username=user.name,
        ca_file=str(dovecot.ca_file),
        timeout=10.0,
    )


# -- success --------------------------------------------------------------------------
@pytest.mark.dovecot
def test_dovecot_and_aiosmtpd_good_login(
    dovecot: DovecotServer,
    dovecot_user: DovecotUser,
    make_smtp_server: Callable[[SMTPOptions], SMTPTestServer],
) -> None:
    smtp = make_smtp_server(SMTPOptions(tls="starttls", auth=True))
    pop = dovecot_pop(dovecot, dovecot_user, Security.TLS)
    progress: list[str] = []
    task = Task("test", on_progress=lambda p: progress.append(str(p)))
    report = diagnose.test_account(
        account(pop, smtp.config()), passwords(dovecot_user.password, "secret"), task
    )
    assert report.ok, str(report)
    assert steps(report.pop) == [
        (Step.DNS, True),
        (Step.TCP, True),
        (Step.TLS, True),
        (Step.GREETING, True),
        (Step.LOGIN, True),
    ]
    details = {s.step: s.detail for s in report.pop.steps}
    assert details[Step.DNS] == "127.0.0.1"
    assert details[Step.GREETING].startswith("+OK Dovecot")
    assert details[Step.TLS].startswith("TLSv1.")
    assert details[Step.LOGIN] == f"as {dovecot_user.name}"
    assert [c for c, _ in report.pop.capabilities] == ["UIDL", "TOP", "PIPELINING"]
    assert report.smtp is not None
    assert [s.step for s in report.smtp.steps] == [
        Step.DNS, Step.TCP, Step.GREETING, Step.STARTTLS, Step.TLS, Step.LOGIN,
    ]  # fmt: skip
    assert set(report.smtp.capability("AUTH") or "") >= set("PLAIN")
    assert report.smtp.capability("SMTPUTF8") == ""
    assert report.smtp.capability("8BITMIME") == ""
    # The transcripts are redacted: no password in them.
    for server in report.servers:
        assert server.transcript
        assert not any(
            dovecot_user.password in line or "secret" in line for line in server.transcript
        )
    assert any("PASS ***" in line or "AUTH PLAIN ***" in line for line in report.pop.transcript)
    assert progress[-1] == "Connecting 2 of 2"
    assert "works" in str(report)


@pytest.mark.dovecot
def test_dovecot_bad_password(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    pop = dovecot_pop(dovecot, dovecot_user, Security.STARTTLS)
    report = diagnose.test_account(account(pop), passwords("wrong"))
    failure = report.pop.failure
    assert failure is not None
    assert (failure.step, failure.problem) == (Step.LOGIN, Problem.AUTH_REFUSED)
    assert failure.server_said == "-ERR [AUTH] Authentication failed."
    assert steps(report.pop)[-1] == (Step.LOGIN, False)
    assert all(ok for _, ok in steps(report.pop)[:-1])
    assert "wrong" not in "\n".join(report.pop.transcript)


def test_aiosmtpd_bad_password(
    scripted_pop: ScriptedMaker, make_smtp_server: Callable[[SMTPOptions], SMTPTestServer]
) -> None:
    smtp = make_smtp_server(SMTPOptions(tls="starttls", auth=True))
    report = diagnose.test_account(
        account(config_for(scripted_pop()), smtp.config()), passwords(smtp="not-it")
    )
    assert report.pop.ok
    assert report.smtp is not None and report.smtp.failure is not None
    failure = report.smtp.failure
    assert (failure.step, failure.problem) == (Step.LOGIN, Problem.AUTH_REFUSED)
    assert failure.server_said.startswith("535")
    assert not report.ok


# -- certificates ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "problem", "pinnable"),
    [
        ("self-signed", CertificateProblem.SELF_SIGNED, True),
        ("unknown-ca", CertificateProblem.UNKNOWN_CA, True),
        ("wrong-host", CertificateProblem.HOSTNAME_MISMATCH, False),
        ("expired", CertificateProblem.EXPIRED, False),
        ("not-yet-valid", CertificateProblem.NOT_YET_VALID, False),
    ],
)
@pytest.mark.parametrize("security", [Security.TLS, Security.STARTTLS])
def test_bad_certificates_pop(
    kind: str,
    problem: CertificateProblem,
    pinnable: bool,
    security: Security,
    bad_certificates: dict[str, TLSFiles],
    tls_files: TLSFiles,
    scripted_pop: ScriptedMaker,
) -> None:
    files = bad_certificates[kind]
    context = files.server_context()
    server = scripted_pop(
        **({"implicit_tls": context} if security is Security.TLS else {"stls": context})
    )
    pop = config_for(server, security, ca_file=str(tls_files.ca_file))
    report = diagnose.test_account(account(pop), passwords())
    failure = report.pop.failure
    assert failure is not None and failure.step is Step.TLS, str(report)
    assert failure.problem is Problem.CERTIFICATE
    check = failure.certificate
    assert check is not None
    assert check.problem is problem and check.pinnable is pinnable
    assert check.certificate is not None
    expected_names = (
        ("mail.example.org",) if kind == "wrong-host" else ("127.0.0.1", "::1", "localhost")
    )
    assert check.certificate.names == expected_names
    assert len(check.certificate.sha256.split(":")) == 32
    assert check.certificate.sha256 in failure.message or not pinnable
    if kind == "self-signed":
        assert check.certificate.subject == check.certificate.issuer == "CN=127.0.0.1"
    # Not a byte of the login reached the server, in clear or over the refused TLS.
    assert not CREDENTIAL_VERBS & pop_verbs(server)
    assert nothing_leaked(server)
    passed = [step for step, ok in steps(report.pop) if ok]
    assert Step.LOGIN not in passed and steps(report.pop)[-1] == (Step.TLS, False)


def test_a_self_signed_certificate_for_another_host_is_not_pinnable(
    scripted_pop: ScriptedMaker, tmp_path: Path
) -> None:
    from tests.support.tls import make_self_signed

    other = make_self_signed(tmp_path, ("mail.example.org",))
    server = scripted_pop(implicit_tls=other.server_context())
    report = diagnose.test_account(account(config_for(server, Security.TLS)), passwords())
    check = report.pop.failure.certificate if report.pop.failure else None
    assert check is not None
    assert check.problems == (CertificateProblem.SELF_SIGNED, CertificateProblem.HOSTNAME_MISMATCH)
    assert not check.pinnable


@pytest.mark.parametrize("implicit", [True, False], ids=["implicit", "starttls"])
def test_bad_certificate_smtp(
    implicit: bool,
    bad_certificates: dict[str, TLSFiles],
    smtp_with: SMTPMaker,
    scripted_pop: ScriptedMaker,
) -> None:
    script = SMTPScript(users={"alice@example.org": "secret"})
    server = smtp_with(bad_certificates["unknown-ca"], implicit=implicit, script=script)
    smtp = smtp_config(server, security=Security.TLS if implicit else Security.STARTTLS)
    report = diagnose.test_account(account(config_for(scripted_pop()), smtp), passwords())
    assert report.smtp is not None and report.smtp.failure is not None
    check = report.smtp.failure.certificate
    assert check is not None and check.problem is CertificateProblem.UNKNOWN_CA and check.pinnable
    for record in server.sessions:
        assert "AUTH" not in record.verbs()
        assert record.wire.leaked("alice@example.org", "secret") == []


def test_pin_then_connect_then_a_changed_certificate_fails_again(
    bad_certificates: dict[str, TLSFiles],
    scripted_pop: ScriptedMaker,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "home"))
    files = bad_certificates["unknown-ca"]
    server = scripted_pop(implicit_tls=files.server_context())
    pop = config_for(server, Security.TLS)
    first = diagnose.test_account(account(pop), passwords())
    check = first.pop.failure.certificate if first.pop.failure else None
    assert check is not None and check.pinnable and check.certificate is not None
    path = pin_certificate(pop, check.certificate.der)
    assert path.parent == paths.certificates_dir() and path.suffix == ".pem"
    assert path.stat().st_mode & 0o777 == 0o600
    pinned = dataclasses.replace(pop, pinned_certificate=str(path))
    assert diagnose.test_account(account(pinned), passwords()).ok

    # The server changes to another certificate of the same CA: refused, and said so.
    sibling = make_tls_files(tmp_path / "sibling", ca=files.ca)
    server.set_behavior(implicit_tls=sibling.server_context())
    again = diagnose.test_account(account(pinned), passwords())
    failure = again.pop.failure
    assert failure is not None and failure.certificate is not None
    assert failure.certificate.changed_since_pinned
    assert "not the one you pinned" in failure.message


def test_pin_certificate_refuses_what_is_not_a_valid_certificate(
    bad_certificates: dict[str, TLSFiles], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path))
    server = ServerConfig(host="127.0.0.1")
    from pymailgui.errors import ConfigError

    with pytest.raises(ConfigError):
        pin_certificate(server, b"not a certificate")
    expired = bad_certificates["expired"].cert_file.read_text()
    der = ssl.PEM_cert_to_DER_cert(
        expired.split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    )
    with pytest.raises(TLSError, match="expired"):
        pin_certificate(server, der)


def test_tls_1_1_is_too_old(tls_files: TLSFiles, scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(
        implicit_tls=tls_files.server_context(maximum_version=ssl.TLSVersion.TLSv1_1)
    )
    pop = config_for(server, Security.TLS, ca_file=str(tls_files.ca_file))
    failure = diagnose.test_account(account(pop), passwords()).pop.failure
    assert failure is not None
    assert (failure.step, failure.problem, failure.tls_version) == (
        Step.TLS, Problem.TLS_VERSION, "TLSv1.1",
    )  # fmt: skip
    assert "TLSv1.1" in failure.message and "TLS 1.2" in failure.message
    assert not CREDENTIAL_VERBS & pop_verbs(server)


def test_tls_on_a_clear_text_port(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop()
    failure = diagnose.test_account(
        account(config_for(server, Security.TLS)), passwords()
    ).pop.failure
    assert failure is not None and (failure.step, failure.problem) == (Step.TLS, Problem.NOT_TLS)


# -- DNS, TCP, greeting ---------------------------------------------------------------
def test_unresolvable_name() -> None:
    pop = ServerConfig(host="pop.example.invalid", timeout=5.0)
    report = diagnose.test_account(account(pop), passwords())
    assert report.pop.failure is not None
    assert report.pop.failure.problem is Problem.NAME_NOT_FOUND
    assert steps(report.pop) == [(Step.DNS, False)]
    assert "pop.example.invalid" in report.pop.failure.message


def test_closed_port() -> None:
    port = closed_port()
    pop = ServerConfig(host="127.0.0.1", port=port, security=Security.NONE, timeout=5.0)
    report = diagnose.test_account(account(pop), passwords())
    failure = report.pop.failure
    assert failure is not None and (failure.step, failure.problem) == (Step.TCP, Problem.REFUSED)
    assert steps(report.pop) == [(Step.DNS, True), (Step.TCP, False)]
    assert f"port {port}" in failure.message


def test_connect_timed_out() -> None:
    # A listener whose accept queue is full: Linux drops further SYNs, so the connect
    # times out exactly like a firewall that drops packets (without leaving loopback).
    with socket.socket() as listener, socket.socket() as queued:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = int(listener.getsockname()[1])
        queued.connect(("127.0.0.1", port))
        pop = ServerConfig(host="127.0.0.1", port=port, security=Security.NONE, timeout=0.5)
        failure = diagnose.test_account(account(pop), passwords()).pop.failure
    assert failure is not None
    assert (failure.step, failure.problem) == (Step.TCP, Problem.TIMED_OUT)
    assert "0.5 seconds" in failure.message


def test_no_greeting_within_the_timeout(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(greeting_delay=3.0)
    pop = config_for(server, timeout=0.5)
    failure = diagnose.test_account(account(pop), passwords()).pop.failure
    assert failure is not None
    assert (failure.step, failure.problem) == (Step.GREETING, Problem.NO_GREETING)
    assert "0.5 seconds" in failure.message


def test_greeting_refused(scripted_pop: ScriptedMaker, smtp_with: SMTPMaker) -> None:
    server = scripted_pop(None, Rule(GREETING, reply=b"-ERR go away\r\n"))
    failure = diagnose.test_account(account(config_for(server)), passwords()).pop.failure
    assert failure is not None
    assert (failure.step, failure.problem, failure.server_said) == (
        Step.GREETING, Problem.GREETING_REFUSED, "-ERR go away",
    )  # fmt: skip
    smtp_server = smtp_with(tls=False, script=SMTPScript(greeting=b"554 no service here\r\n"))
    smtp = smtp_config(smtp_server, security=Security.NONE)
    report = diagnose.test_account(account(config_for(scripted_pop()), smtp), passwords())
    assert report.smtp is not None and report.smtp.failure is not None
    assert report.smtp.failure.problem is Problem.GREETING_REFUSED
    assert report.smtp.failure.server_said == "554 no service here"


# -- STARTTLS ---------------------------------------------------------------------------
def test_starttls_not_offered(scripted_pop: ScriptedMaker, smtp_with: SMTPMaker) -> None:
    server = scripted_pop()  # no STLS
    failure = diagnose.test_account(
        account(config_for(server, Security.STARTTLS)), passwords()
    ).pop.failure
    assert failure is not None
    assert (failure.step, failure.problem) == (Step.STARTTLS, Problem.STARTTLS_NOT_OFFERED)
    assert not CREDENTIAL_VERBS & pop_verbs(server)
    smtp = smtp_config(smtp_with(tls=False))
    report = diagnose.test_account(account(config_for(scripted_pop()), smtp), passwords())
    assert report.smtp is not None and report.smtp.failure is not None
    assert report.smtp.failure.problem is Problem.STARTTLS_NOT_OFFERED


def test_starttls_refused(scripted_pop: ScriptedMaker, smtp_with: SMTPMaker) -> None:
    script = SMTPScript(rules=(Rule("STARTTLS", reply=b"454 4.7.0 TLS not available now\r\n"),))
    smtp = smtp_config(smtp_with(script=script))
    report = diagnose.test_account(account(config_for(scripted_pop()), smtp), passwords())
    assert report.smtp is not None and report.smtp.failure is not None
    failure = report.smtp.failure
    assert (failure.step, failure.problem) == (Step.STARTTLS, Problem.STARTTLS_REFUSED)
    assert failure.server_said == "454 4.7.0 TLS not available now"


# -- what the POP server offers, busy, no password, cancel ------------------------------
def test_capabilities_and_warnings(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(extra_capa=("EXPIRE 0", "LOGIN-DELAY 300"), uidl=False)
    report = diagnose.test_account(account(config_for(server)), passwords())
    assert report.pop.ok
    assert report.pop.capability("EXPIRE") == "0"
    assert report.pop.capability("LOGIN-DELAY") == "300"
    assert report.pop.capability("UIDL") is None
    text = " ".join(report.pop.warnings)
    assert "EXPIRE 0" in text and "300 seconds" in text and "UIDL" in text
    assert "not encrypted" in text  # security "none"


def test_mailbox_busy(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(login_delay=True)
    failure = diagnose.test_account(account(config_for(server)), passwords()).pop.failure
    assert failure is not None and (failure.step, failure.problem) == (Step.LOGIN, Problem.BUSY)


def test_no_password_tests_everything_but_the_login(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop()
    report = diagnose.test_account(account(config_for(server)), passwords(pop=None))
    failure = report.pop.failure
    assert failure is not None and failure.problem is Problem.LOGIN_NOT_TRIED
    assert steps(report.pop) == [
        (Step.DNS, True), (Step.TCP, True), (Step.GREETING, True), (Step.LOGIN, False),
    ]  # fmt: skip
    assert not CREDENTIAL_VERBS & pop_verbs(server)


def test_smtp_that_offers_no_login(
    scripted_pop: ScriptedMaker, smtp_with: SMTPMaker, tls_files: TLSFiles
) -> None:
    # The script has no users, so the server offers no AUTH at all.
    smtp = smtp_config(smtp_with(), username="alice", ca_file=str(tls_files.ca_file))
    report = diagnose.test_account(account(config_for(scripted_pop()), smtp), passwords())
    assert report.smtp is not None and report.smtp.failure is not None
    failure = report.smtp.failure
    assert (failure.step, failure.problem) == (Step.LOGIN, Problem.NO_LOGIN_METHOD)


def test_smtp_without_login(scripted_pop: ScriptedMaker, smtp_with: SMTPMaker) -> None:
    smtp = smtp_config(smtp_with(tls=False), security=Security.NONE, auth="none")
    report = diagnose.test_account(account(config_for(scripted_pop()), smtp), passwords(smtp=None))
    assert report.ok, str(report)


def test_cancel_stops_the_test(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(greeting_delay=5.0)
    task = Task("test")
    threading.Timer(0.3, task.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        diagnose.test_account(account(config_for(server, timeout=10.0)), passwords(), task)
    assert time.monotonic() - started < 3.0


def test_report_text() -> None:
    report = diagnose.test_account(account(ServerConfig(host="x.invalid")), passwords())
    assert isinstance(report, ConnectionReport) and not report.ok
    assert str(report).startswith("POP3 x.invalid port 995 (tls): failed at finding the server")


def test_the_smtp_transcript_reaches_no_other_log_handler(
    scripted_pop: ScriptedMaker, smtp_with: SMTPMaker
) -> None:
    seen: list[logging.LogRecord] = []

    class Recorder(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    protocol_log = logging.getLogger("pymailgui.smtp.protocol")
    before = protocol_log.level
    recorder = Recorder(logging.DEBUG)
    logging.getLogger("pymailgui").addHandler(recorder)
    try:
        smtp = smtp_config(smtp_with(tls=False), security=Security.NONE, auth="none")
        report = diagnose.test_account(account(config_for(scripted_pop()), smtp), passwords())
    finally:
        logging.getLogger("pymailgui").removeHandler(recorder)
    assert report.smtp is not None and report.smtp.ok
    assert any(line.startswith("S: 220") for line in report.smtp.transcript)
    assert [r for r in seen if r.name == "pymailgui.smtp.protocol"] == []
    assert protocol_log.level == before
