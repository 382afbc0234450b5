"""TLS on POP3: implicit TLS, STLS, certificate checks, no cleartext fallback."""

from __future__ import annotations

import logging
import ssl
from pathlib import Path

import pytest

from pymailgui.config.schema import Security
from pymailgui.errors import TLSError
from pymailgui.pop import POP3Client, Transport
from tests.pop.popserver_script import ScriptedPOP3Server, ServerMaker, config_for
from tests.support.tls import TLSFiles, make_tls_files

CREDENTIAL_VERBS = {b"USER", b"PASS", b"AUTH", b"APOP"}


def verbs(server: ScriptedPOP3Server) -> list[bytes]:
    return [r.line.split(b" ")[0] for r in server.commands()]


def tls_client(server: ScriptedPOP3Server, security: Security, ca: Path | None) -> POP3Client:
    config = config_for(server, security, ca_file=str(ca) if ca else "")
    return POP3Client.connect(config)


def test_implicit_tls_with_trusted_ca(scripted_pop: ServerMaker, tls_files: TLSFiles) -> None:
    server = scripted_pop(implicit_tls=tls_files.server_context())
    with tls_client(server, Security.TLS, tls_files.ca_file) as client:
        client.login("alice", "s3cret-pa55")
        assert client.stat()[0] == 5


def test_implicit_tls_untrusted_certificate(
    scripted_pop: ServerMaker, tls_files: TLSFiles, untrusted_tls_files: TLSFiles
) -> None:
    server = scripted_pop(implicit_tls=untrusted_tls_files.server_context())
    with pytest.raises(TLSError, match=r"^The certificate of 127\.0\.0\.1 is not trusted: "):
        tls_client(server, Security.TLS, tls_files.ca_file)
    # Without the extra CA the system store does not know the test CA either.
    with pytest.raises(TLSError, match="not trusted"):
        tls_client(server, Security.TLS, None)
    assert server.commands() == []


def test_certificate_for_another_name_is_refused(scripted_pop: ServerMaker, tmp_path: Path) -> None:
    other = make_tls_files(tmp_path, names=("mail.example.org",))
    server = scripted_pop(implicit_tls=other.server_context())
    with pytest.raises(TLSError, match=r"not trusted: .*(mismatch|match)"):
        tls_client(server, Security.TLS, other.ca_file)


def test_starttls_upgrades_and_rereads_capabilities(
    scripted_pop: ServerMaker, tls_files: TLSFiles
) -> None:
    server = scripted_pop(stls_context=tls_files.server_context())
    with tls_client(server, Security.STARTTLS, tls_files.ca_file) as client:
        assert not client.capabilities.stls  # the CAPA seen is the one after TLS
        client.login("alice", "s3cret-pa55")
        assert client.stat()[0] == 5
    assert verbs(server)[:4] == [b"CAPA", b"STLS", b"CAPA", b"AUTH"]


def test_starttls_discards_answers_injected_before_the_handshake(
    scripted_pop: ServerMaker, tls_files: TLSFiles, caplog: pytest.LogCaptureFixture
) -> None:
    injected = b"+OK injected\r\nSASL INJECTED\r\n.\r\n+OK fake login\r\n"
    server = scripted_pop(stls_context=tls_files.server_context(), stls_inject=injected)
    logger = logging.getLogger("test.pop.tls")
    caplog.set_level(logging.DEBUG, logger="test.pop.tls")
    config = config_for(server, Security.STARTTLS, ca_file=str(tls_files.ca_file))
    with POP3Client.connect(config, protocol_log=logger) as client:
        assert client.capabilities.sasl == frozenset({"PLAIN"})
        assert "INJECTED" not in client.capabilities.raw.get("SASL", ())
        client.login("alice", "s3cret-pa55")
        assert client.stat()[0] == 5
    assert f"discarded {len(injected)} bytes sent in clear before TLS" in caplog.text


def test_starttls_refused_never_falls_back(scripted_pop: ServerMaker, tls_files: TLSFiles) -> None:
    server = scripted_pop()  # no STLS at all
    with pytest.raises(TLSError, match="does not offer STARTTLS"):
        tls_client(server, Security.STARTTLS, tls_files.ca_file)
    assert not CREDENTIAL_VERBS & set(verbs(server))
    assert verbs(server) == [b"CAPA", b"STLS"]


def test_starttls_tried_even_when_capa_forgets_it(
    scripted_pop: ServerMaker, tls_files: TLSFiles
) -> None:
    server = scripted_pop(stls_context=tls_files.server_context(), stls_offered=False)
    with tls_client(server, Security.STARTTLS, tls_files.ca_file) as client:
        client.login("alice", "s3cret-pa55")


def test_starttls_with_untrusted_certificate(
    scripted_pop: ServerMaker, tls_files: TLSFiles, untrusted_tls_files: TLSFiles
) -> None:
    server = scripted_pop(stls_context=untrusted_tls_files.server_context())
    with pytest.raises(TLSError, match="not trusted"):
        tls_client(server, Security.STARTTLS, tls_files.ca_file)
    assert not CREDENTIAL_VERBS & set(verbs(server))


def test_login_refuses_a_cleartext_transport_when_tls_was_asked(
    scripted_pop: ServerMaker, tls_files: TLSFiles
) -> None:
    """A transport factory that ignores the TLS context must not leak the password."""

    def plain_factory(
        host: str, port: int, *, timeout: float, ssl_context: ssl.SSLContext | None
    ) -> Transport:
        return Transport.open(host, port, timeout=timeout, ssl_context=None)

    server = scripted_pop()
    config = config_for(server, Security.TLS, ca_file=str(tls_files.ca_file))
    client = POP3Client.connect(config, transport_factory=plain_factory)
    with pytest.raises(TLSError, match="not encrypted"):
        client.login("alice", "s3cret-pa55")
    assert client.closed
    assert not CREDENTIAL_VERBS & set(verbs(server))
