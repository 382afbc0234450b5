"""The one way PyMailGUI builds a TLS client context (POP3 and SMTP alike).

Besides the system's trust store (and an optional extra CA file), a server may have
one *pinned* certificate: the exact certificate the user accepted for that server
after a "Test connection" found its CA unknown. The pin is an extra trust anchor
with ``VERIFY_X509_PARTIAL_CHAIN``, so OpenSSL still checks the host name, the
validity dates and the signature; a server that presents any other certificate (even
one from the same unknown CA) is refused again.
"""

from __future__ import annotations

import hashlib
import ssl
from pathlib import Path

from pymailgui.errors import ConfigError

_PEM_BEGIN = "-----BEGIN CERTIFICATE-----"


def client_context(ca_file: Path | None = None, *, pinned: Path | None = None) -> ssl.SSLContext:
    """The system's trust store plus ``ca_file`` and ``pinned``, certificate and host
    name checked.

    ``ssl.create_default_context()`` turns on CERT_REQUIRED and check_hostname; stdlib
    poplib and smtplib do neither unless handed such a context (POP-NOTES). The CA file
    is *added* with load_verify_locations: ``create_default_context(cafile=...)`` would
    replace the system store. An IP-address host is matched against the IP SANs.
    ``pinned`` is a PEM file holding exactly one server certificate (see
    :func:`trust_pinned`).
    """
    context = ssl.create_default_context()
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except (OSError, ssl.SSLError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise ConfigError(
                f"The CA file {ca_file} cannot be used as PEM certificates: {reason}; "
                "fix ca_file in the config."
            ) from exc
    if pinned is not None:
        trust_pinned(context, read_pinned(pinned))
    return context


def trust_pinned(context: ssl.SSLContext, der: bytes) -> None:
    """Make the server certificate ``der`` a trust anchor of ``context``.

    Without VERIFY_X509_PARTIAL_CHAIN OpenSSL accepts only a self-signed root as an
    anchor, so a pinned leaf from an unknown CA would still fail (Python 3.13 sets the
    flag by default; 3.11 does not). Only the pinned certificate itself becomes
    trusted: its issuer does not, so another certificate of that CA is refused.
    """
    try:
        context.load_verify_locations(cadata=der)
    except ssl.SSLError as exc:
        raise ConfigError(f"The pinned certificate cannot be used: {exc.reason or exc}.") from exc
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN


def read_pinned(path: Path) -> bytes:
    """The DER bytes of the one certificate in the PEM file ``path`` (ConfigError else)."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ConfigError(
            f"The pinned certificate {path} cannot be read: {reason}; "
            "test the connection again to pin it anew."
        ) from exc
    if text.count(_PEM_BEGIN) != 1:
        raise ConfigError(
            f"The pinned certificate {path} must hold exactly one PEM certificate; "
            "test the connection again to pin it anew."
        )
    try:
        return ssl.PEM_cert_to_DER_cert(text.strip())
    except ValueError as exc:
        raise ConfigError(f"The pinned certificate {path} is not a PEM certificate.") from exc


def pem_of(der: bytes) -> str:
    """The PEM text of one DER certificate."""
    return ssl.DER_cert_to_PEM_cert(der)


def fingerprint(der: bytes) -> str:
    """The SHA-256 fingerprint as browsers and ``openssl x509 -fingerprint`` show it."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
