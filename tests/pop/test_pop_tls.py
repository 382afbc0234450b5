"""TLS on POP3: implicit TLS, STLS, certificate checks, no cleartext fallback."""

from __future__ import annotations

import logging
import ssl
from pathlib import Path

import pytest

from pymailgui.config.schema import Security
from pymailgui.devserver import ScriptedPOP3Server
from pymailgui.devserver.script import Rule, edit_lines
from pymailgui.errors import TLSError
from pymailgui.pop import POP3Client, Transport
from tests.support.popserver import POP_PASSWORD, POP_USER, ScriptedMaker, config_for, verbs
from tests.support.tls import TLSFiles, make_tls_files

CREDENTIAL_VERBS = {"USER", "PASS", "AUTH", "APOP"}


def nothing_in_clear(server: ScriptedPOP3Server) -> bool:
    """No byte of the password (plain or base64) reached the server outside TLS."""
    return all(log.wire.leaked(POP_USER, POP_PASSWORD) == [] for log in server.sessions)


def tls_client(server: ScriptedPOP3Server, security: Security, ca: Path | None) -> POP3Client:
    config = config_for(server, security, ca_file=str(ca) if ca else "")
    return POP3Client.connect(config)


def test_implicit_tls_with_trusted_ca(scripted_pop: ScriptedMaker, tls_files: TLSFiles) -> None:
    server = scripted_pop(implicit_tls=tls_files.server_context())
    with tls_client(server, Security.TLS, tls_files.ca_file) as client:
        client.login(POP_USER, POP_PASSWORD)
        assert client.stat()[0] == 5


def test_implicit_tls_untrusted_certificate(
    scripted_pop: ScriptedMaker, tls_files: TLSFiles, untrusted_tls_files: TLSFiles
) -> None:
    server = scripted_pop(implicit_tls=untrusted_tls_files.server_context())
    with pytest.raises(TLSError, match=r"^The certificate of 127\.0\.0\.1 is not trusted: "):
        tls_client(server, Security.TLS, tls_files.ca_file)
    # Without the extra CA the system store does not know the test CA either.
    with pytest.raises(TLSError, match="not trusted"):
        tls_client(server, Security.TLS, None)
    assert verbs(server) == []


def test_certificate_for_another_name_is_refused(
    scripted_pop: ScriptedMaker, tmp_path: Path
) -> None:
    other = make_tls_files(tmp_path, names=("mail.example.org",))
    server = scripted_pop(implicit_tls=other.server_context())
    with pytest.raises(TLSError, match=r"not trusted: .*(mismatch|match)"):
        tls_client(server, Security.TLS, other.ca_file)


def test_starttls_upgrades_and_rereads_capabilities(
    scripted_pop: ScriptedMaker, tls_files: TLSFiles
) -> None:
    server = scripted_pop(stls=tls_files.server_context())
    with tls_client(server, Security.STARTTLS, tls_files.ca_file) as client:
        assert not client.capabilities.stls  # the CAPA seen is the one after TLS
        client.login(POP_USER, POP_PASSWORD)
        assert client.stat()[0] == 5
    assert verbs(server)[:4] == ["CAPA", "STLS", "CAPA", "AUTH"]
    assert nothing_in_clear(server)


def test_starttls_discards_answers_injected_before_the_handshake(
    scripted_pop: ScriptedMaker, tls_files: TLSFiles, caplog: pytest.LogCaptureFixture
) -> None:
    injected = b"+OK injected\r\nSASL INJECTED\r\n.\r\n+OK fake login\r\n"
    server = scripted_pop(None, Rule("STLS", after=injected), stls=tls_files.server_context())
    logger = logging.getLogger("test.pop.tls")
    caplog.set_level(logging.DEBUG, logger="test.pop.tls")
    config = config_for(server, Security.STARTTLS, ca_file=str(tls_files.ca_file))
    with POP3Client.connect(config, protocol_log=logger) as client:
        assert client.capabilities.sasl == frozenset({"PLAIN"})
        assert "INJECTED" not in client.capabilities.raw.get("SASL", ())
        client.login(POP_USER, POP_PASSWORD)
        assert client.stat()[0] == 5
    assert f"discarded {len(injected)} bytes sent in clear before TLS" in caplog.text
    assert nothing_in_clear(server)


def test_starttls_refused_never_falls_back(
    scripted_pop: ScriptedMaker, tls_files: TLSFiles
) -> None:
    server = scripted_pop()  # no STLS at all
    with pytest.raises(TLSError, match="does not offer STARTTLS"):
        tls_client(server, Security.STARTTLS, tls_files.ca_file)
    assert not CREDENTIAL_VERBS & set(verbs(server))
    assert verbs(server) == ["CAPA", "STLS"]
    assert nothing_in_clear(server)


def test_starttls_tried_even_when_capa_forgets_it(
    scripted_pop: ScriptedMaker, tls_files: TLSFiles
) -> None:
    server = scripted_pop(
        None, Rule("CAPA", reply=edit_lines(drop=["STLS"])), stls=tls_files.server_context()
    )
    with tls_client(server, Security.STARTTLS, tls_files.ca_file) as client:
        client.login(POP_USER, POP_PASSWORD)


def test_starttls_with_untrusted_certificate(
    scripted_pop: ScriptedMaker, tls_files: TLSFiles, untrusted_tls_files: TLSFiles
) -> None:
    server = scripted_pop(stls=untrusted_tls_files.server_context())
    with pytest.raises(TLSError, match="not trusted"):
        tls_client(server, Security.STARTTLS, tls_files.ca_file)
    assert not CREDENTIAL_VERBS & set(verbs(server))
    assert nothing_in_clear(server)


def test_login_refuses_a_cleartext_transport_when_tls_was_asked(
    scripted_pop: ScriptedMaker, tls_files: TLSFiles
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
        client.login(POP_USER, POP_PASSWORD)
    assert client.closed
    assert not CREDENTIAL_VERBS & set(verbs(server))
    assert nothing_in_clear(server)
