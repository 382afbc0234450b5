"""Pinning one server certificate: trusted for its server alone, still fully checked.

Against the scripted POP3 and SMTP servers serving the ``bad_certificates``: a pinned
self-signed or unknown-CA certificate connects; another certificate of the same unknown
CA, a pinned certificate for another host name, and an expired pinned one do not.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from pymailgui.config.schema import Security, ServerConfig
from pymailgui.devserver.smtpscripted import ScriptedSMTPServer
from pymailgui.errors import ConfigError, TLSError
from pymailgui.pop import POP3Client
from pymailgui.smtp.session import open_session as open_smtp
from pymailgui.tls import (
    client_context,
    describe_certificate,
    fingerprint,
    pem_of,
    read_pinned,
    trust_pinned,
)
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


def smtp_server(files: TLSFiles, *, implicit: bool) -> ScriptedSMTPServer:
    """A scripted SMTP server with ``files``' certificate; ``with`` starts and stops it."""
    return ScriptedSMTPServer(tls_context=files.server_context(), implicit_tls=implicit)


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
    tmp_path: Path,
) -> None:
    files = bad_certificates[kind]
    with smtp_server(files, implicit=implicit) as server:
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
    bad_certificates: dict[str, TLSFiles], tmp_path: Path
) -> None:
    pinned_files = bad_certificates["unknown-ca"]
    sibling = make_tls_files(tmp_path / "sibling", ca=pinned_files.ca)
    with smtp_server(sibling, implicit=True) as server:
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
    der = der_of(tls_files)
    expected = x509.load_der_x509_certificate(der).fingerprint(hashes.SHA256()).hex().upper()
    assert fingerprint(der).replace(":", "") == expected
    assert len(fingerprint(der).split(":")) == 32


# -- describe_certificate: the DER reader, against cryptography's ------------------------
_ATTRS = {
    "CN": NameOID.COMMON_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "L": NameOID.LOCALITY_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
}
# Values whose RFC 4514 form cryptography and we write alike (no escapes needed).
_plain_value = st.text(
    st.characters(
        min_codepoint=0x21,
        max_codepoint=0x2FF,
        exclude_categories=("Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp", "Zs"),
        exclude_characters=',+"\\<>;=#',
    ),
    min_size=1,
    max_size=20,
)
_dns = st.from_regex(r"\A[a-z][a-z0-9-]{0,10}(\.[a-z][a-z0-9-]{0,10}){1,3}\Z")


@st.composite
def certificates(draw: st.DrawFn) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    attrs = draw(st.lists(st.sampled_from(sorted(_ATTRS)), min_size=1, max_size=4, unique=True))
    subject = x509.Name([x509.NameAttribute(_ATTRS[a], draw(_plain_value)) for a in attrs])
    issuer = (
        subject
        if draw(st.booleans())
        else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, draw(_plain_value))])
    )
    start = draw(
        st.datetimes(datetime.datetime(1970, 1, 1), datetime.datetime(2200, 1, 1))
    ).replace(microsecond=0, tzinfo=datetime.UTC)
    days = draw(st.integers(1, 40000))
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(draw(st.integers(1, 2**159 - 1)))
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
    )
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in draw(st.lists(_dns, max_size=4))]
    names += [
        x509.IPAddress(ipaddress.ip_address(a))
        for a in draw(st.lists(st.ip_addresses(), max_size=2))
    ]
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@settings(max_examples=60, deadline=None)
@given(certificates())
def test_describe_certificate_agrees_with_cryptography(der: bytes) -> None:
    cert = x509.load_der_x509_certificate(der)
    info = describe_certificate(der)
    assert info.subject == cert.subject.rfc4514_string()
    assert info.issuer == cert.issuer.rfc4514_string()
    assert info.not_before == cert.not_valid_before_utc
    assert info.not_after == cert.not_valid_after_utc
    assert info.serial == format(cert.serial_number, "x")
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        expected = [str(n.value) for n in san]
    except x509.ExtensionNotFound:
        expected = []
    assert list(info.names) == expected
    assert info.sha256 == fingerprint(der)
    assert info.self_issued == (cert.subject == cert.issuer)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_describe_certificate_never_raises_on_damaged_der(
    data: st.DataObject, tls_files: TLSFiles
) -> None:
    der = bytearray(der_of(tls_files))
    for _ in range(data.draw(st.integers(1, 8))):
        der[data.draw(st.integers(0, len(der) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(der)))
    info = describe_certificate(bytes(der[:cut]))
    assert isinstance(info.subject, str) and info.sha256
    assert all(ch.isprintable() for ch in info.subject + info.issuer + "".join(info.names))


def test_describe_certificate_of_garbage() -> None:
    info = describe_certificate(b"\x00\x01junk")
    assert info.subject == info.issuer == "(unreadable)"
    assert not info.self_issued and not info.valid_at(datetime.datetime.now(datetime.UTC))
