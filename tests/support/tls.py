"""Test certificates: a private CA and a server certificate for the loopback names.

``trustme`` makes them in memory; the fixtures write PEM files so servers (Dovecot,
the scripted servers, aiosmtpd) and clients (``ca_file``) can use them.

``bad_certificates`` holds one server certificate per way a certificate can be wrong
(self-signed, unknown CA, wrong host name, expired, not yet valid); a client given
``tls_files.ca_file`` must refuse every one of them. Nothing comes from the network.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOOPBACK_NAMES = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class TLSFiles:
    """PEM files of one CA and a server certificate it issued."""

    ca_file: Path  # trust anchor for clients (``ca_file`` in the config)
    cert_file: Path  # server certificate chain
    key_file: Path  # server private key
    ca: trustme.CA | None  # None for a self-signed certificate

    def server_context(
        self, *, maximum_version: ssl.TLSVersion = ssl.TLSVersion.MAXIMUM_SUPPORTED
    ) -> ssl.SSLContext:
        """A server context; ``maximum_version`` below TLS 1.2 makes an outdated server."""
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(self.cert_file), str(self.key_file))
        if maximum_version < ssl.TLSVersion.TLSv1_2:
            # OpenSSL 3 refuses TLS 1.0/1.1 at its default security level, on both sides.
            ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            # An outdated server is the point here; Python warns that TLS 1.1 is.
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.maximum_version = maximum_version
        return ctx

    def client_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.ca_file))
        return ctx


def make_tls_files(
    directory: Path,
    names: tuple[str, ...] = LOOPBACK_NAMES,
    *,
    ca: trustme.CA | None = None,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> TLSFiles:
    """A server certificate for ``names`` issued by ``ca`` (default: a new CA)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = ca or trustme.CA()
    cert = ca.issue_cert(*names, not_before=not_before, not_after=not_after)
    ca_file = directory / "ca.pem"
    cert_file = directory / "server-chain.pem"
    key_file = directory / "server-key.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    cert.private_key_pem.write_to_path(str(key_file))
    with cert_file.open("wb") as f:
        for blob in cert.cert_chain_pems:
            f.write(blob.bytes())
    key_file.chmod(0o600)
    return TLSFiles(ca_file=ca_file, cert_file=cert_file, key_file=key_file, ca=ca)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    """A CA trusted by the tests and a server certificate for 127.0.0.1, ::1, localhost."""
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def untrusted_tls_files(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    """A second, unrelated CA: a server using it must be refused by clients."""
    return make_tls_files(tmp_path_factory.mktemp("tls-untrusted"))


def make_self_signed(directory: Path, names: tuple[str, ...] = LOOPBACK_NAMES) -> TLSFiles:
    """A certificate that signs itself (``ca_file`` is the certificate itself)."""
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    alt: list[x509.GeneralName] = []
    for entry in names:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(entry)))
        except ValueError:
            alt.append(x509.DNSName(entry))
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "self-signed.pem", directory / "self-signed-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    return TLSFiles(ca_file=cert_file, cert_file=cert_file, key_file=key_file, ca=None)


#: The ways a server certificate can be wrong, as ``bad_certificates`` keys.
BAD_CERTIFICATES = ("self-signed", "unknown-ca", "wrong-host", "expired", "not-yet-valid")


@pytest.fixture(scope="session")
def bad_certificates(
    tmp_path_factory: pytest.TempPathFactory, tls_files: TLSFiles
) -> dict[str, TLSFiles]:
    """One server certificate per entry of :data:`BAD_CERTIFICATES`.

    The wrong-host, expired and not-yet-valid ones are issued by the *trusted* test CA
    (``tls_files.ca``), so only the one fault makes a client refuse them.
    """
    base = tmp_path_factory.mktemp("bad-certs")
    now = datetime.datetime.now(datetime.UTC)
    day = datetime.timedelta(days=1)
    return {
        "self-signed": make_self_signed(base / "self-signed"),
        "unknown-ca": make_tls_files(base / "unknown-ca"),
        "wrong-host": make_tls_files(base / "wrong-host", ("mail.example.org",), ca=tls_files.ca),
        "expired": make_tls_files(
            base / "expired", ca=tls_files.ca, not_before=now - 30 * day, not_after=now - day
        ),
        "not-yet-valid": make_tls_files(
            base / "not-yet-valid", ca=tls_files.ca, not_before=now + day, not_after=now + 30 * day
        ),
    }
