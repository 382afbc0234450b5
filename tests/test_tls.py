"""Pinning one server certificate: trusted for its server alone, still fully checked.

Against the scripted POP3 and SMTP servers serving the ``bad_certificates``: a pinned
self-signed or unknown-CA certificate connects; another certificate of the same unknown
CA, a pinned certificate for another host name, and an expired pinned one do not.
"""

from __future__ import annotations

import datetime
import ssl
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pymailgui.config.schema import Security, ServerConfig
from pymailgui.devserver.smtpscripted import ScriptedSMTPServer
from pymailgui.errors import ConfigError, TLSError
from pymailgui.pop import POP3Client
from pymailgui.smtp.session import open_session as open_smtp
from pymailgui.tls import client_context, fingerprint, pem_of, read_pinned, trust_pinned
from tests.support.popserver import POP_PASSWORD, POP_USER, ScriptedMaker, config_for
from tests.support.tls import TLSFiles, make_tls_files


def der_of(files: TLSFiles) -> bytes:
    """The server's own (leaf) certificate, as a pin stores it."""
    first = files.cert_file.read_text().split("-----END CERTIFICATE-----")[0]
    return ssl.PEM_cert_to_DER_cert(first + "-----END CERTIFICATE-----\n")


def pin_file(tmp_path: Path, files: TLSFiles, name: str = "pin.pem") -> Path:
    path = tmp_path / name
    path.write_text(pem_of(der_of(files)), encoding="ascii")
    return path


def pop_connects(server_files: TLSFiles, pinned: Path, make: ScriptedMaker) -> None:
    server = make(implicit_tls=server_files.server_context())
    config = config_for(server, Security.TLS, pinned_certificate=str(pinned))
    with POP3Client.connect(config) as client:
        client.login(POP_USER, POP_PASSWORD)
        assert client.stat()[0] == 5


SMTPMaker = Callable[..., ScriptedSMTPServer]


@pytest.fixture
def smtp_with() -> Iterator[SMTPMaker]:
    servers: list[ScriptedSMTPServer] = []

    def make(files: TLSFiles, *, implicit: bool) -> ScriptedSMTPServer:
        server = ScriptedSMTPServer(tls_context=files.server_context(), implicit_tls=implicit)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def smtp_config(server: ScriptedSMTPServer, pinned: Path, *, implicit: bool) -> ServerConfig:
    return ServerConfig(
        host=server.host,
        port=server.port,
        security=Security.TLS if implicit else Security.STARTTLS,
        pinned_certificate=str(pinned),
        timeout=5.0,
    )


@pytest.mark.parametrize("kind", ["self-signed", "unknown-ca"])
def test_pinned_certificate_connects_pop(
    kind: str, bad_certificates: dict[str, TLSFiles], scripted_pop: ScriptedMaker, tmp_path: Path
) -> None:
    files = bad_certificates[kind]
    server = scripted_pop(implicit_tls=files.server_context())
    unpinned = config_for(server, Security.TLS)
    with pytest.raises(TLSError, match="not trusted"):
        POP3Client.connect(unpinned)
    pop_connects(files, pin_file(tmp_path, files), scripted_pop)


@pytest.mark.parametrize("implicit", [True, False], ids=["implicit", "starttls"])
@pytest.mark.parametrize("kind", ["self-signed", "unknown-ca"])
def test_pinned_certificate_connects_smtp(
    kind: str,
    implicit: bool,
    bad_certificates: dict[str, TLSFiles],
    smtp_with: SMTPMaker,
    tmp_path: Path,
) -> None:
    files = bad_certificates[kind]
    server = smtp_with(files, implicit=implicit)
    config = smtp_config(server, pin_file(tmp_path, files), implicit=implicit)
    with open_smtp(config, None) as client:
        assert client.tls_active
    with (
        pytest.raises(TLSError, match="could not be verified"),
        open_smtp(replace(config, pinned_certificate=""), None),
    ):
        pass


def test_another_certificate_of_the_same_unknown_ca_is_refused(
    bad_certificates: dict[str, TLSFiles], scripted_pop: ScriptedMaker, tmp_path: Path
) -> None:
    pinned_files = bad_certificates["unknown-ca"]
    sibling = make_tls_files(tmp_path / "sibling", ca=pinned_files.ca)
    server = scripted_pop(implicit_tls=sibling.server_context())
    pinned = pin_file(tmp_path, pinned_files)
    config = config_for(server, Security.TLS, pinned_certificate=str(pinned))
    with pytest.raises(TLSError, match="not trusted"):
        POP3Client.connect(config)


def test_another_certificate_of_the_same_unknown_ca_is_refused_smtp(
    bad_certificates: dict[str, TLSFiles], smtp_with: SMTPMaker, tmp_path: Path
) -> None:
    pinned_files = bad_certificates["unknown-ca"]
    sibling = make_tls_files(tmp_path / "sibling", ca=pinned_files.ca)
    server = smtp_with(sibling, implicit=True)
    config = smtp_config(server, pin_file(tmp_path, pinned_files), implicit=True)
    with pytest.raises(TLSError, match="could not be verified"), open_smtp(config, None):
        pass


def test_pinned_certificate_for_another_host_is_refused(
    scripted_pop: ScriptedMaker, tmp_path: Path
) -> None:
    other = make_tls_files(tmp_path / "other", ("mail.example.org",))
    server = scripted_pop(implicit_tls=other.server_context())
    config = config_for(server, Security.TLS, pinned_certificate=str(pin_file(tmp_path, other)))
    with pytest.raises(TLSError, match=r"(?i)mismatch"):
        POP3Client.connect(config)


def test_pinned_expired_certificate_is_refused(scripted_pop: ScriptedMaker, tmp_path: Path) -> None:
    now = datetime.datetime.now(datetime.UTC)
    day = datetime.timedelta(days=1)
    expired = make_tls_files(tmp_path / "old", not_before=now - 30 * day, not_after=now - day)
    server = scripted_pop(implicit_tls=expired.server_context())
    config = config_for(server, Security.TLS, pinned_certificate=str(pin_file(tmp_path, expired)))
    with pytest.raises(TLSError, match="expired"):
        POP3Client.connect(config)


def test_a_pin_does_not_replace_the_system_store(tls_files: TLSFiles, tmp_path: Path) -> None:
    pinned = pin_file(tmp_path, tls_files)
    context = client_context(tls_files.ca_file, pinned=pinned)
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert context.verify_flags & ssl.VERIFY_X509_PARTIAL_CHAIN
    # The test CA and the pinned leaf are both anchors now.
    assert context.cert_store_stats()["x509_ca"] >= 1
    plain = client_context(tls_files.ca_file)
    assert not plain.verify_flags & ssl.VERIFY_X509_PARTIAL_CHAIN


def test_pin_file_must_hold_exactly_one_certificate(tls_files: TLSFiles, tmp_path: Path) -> None:
    two = tmp_path / "two.pem"
    two.write_text(tls_files.cert_file.read_text() + tls_files.ca_file.read_text())
    with pytest.raises(ConfigError, match="exactly one"):
        read_pinned(two)
    with pytest.raises(ConfigError, match="cannot be read"):
        read_pinned(tmp_path / "missing.pem")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
    with pytest.raises(ConfigError):
        trust_pinned(ssl.create_default_context(), read_pinned(garbage))


def test_fingerprint_is_sha256_in_colon_hex(tls_files: TLSFiles) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    der = der_of(tls_files)
    expected = x509.load_der_x509_certificate(der).fingerprint(hashes.SHA256()).hex().upper()
    assert fingerprint(der).replace(":", "") == expected
    assert len(fingerprint(der).split(":")) == 32
