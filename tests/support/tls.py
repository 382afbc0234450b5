"""Test certificates: a private CA and a server certificate for the loopback names.

``trustme`` makes them in memory; the fixtures write PEM files so servers (Dovecot,
the scripted servers, aiosmtpd) and clients (``ca_file``) can use them.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

LOOPBACK_NAMES = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class TLSFiles:
    """PEM files of one CA and a server certificate it issued."""

    ca_file: Path  # trust anchor for clients (``ca_file`` in the config)
    cert_file: Path  # server certificate chain
    key_file: Path  # server private key
    ca: trustme.CA

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(self.cert_file), str(self.key_file))
        return ctx

    def client_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.ca_file))
        return ctx


def make_tls_files(directory: Path, names: tuple[str, ...] = LOOPBACK_NAMES) -> TLSFiles:
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    cert = ca.issue_cert(*names)
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
