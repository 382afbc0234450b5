"""A refused server certificate: what it says, and whether pinning it would help.

The certificate is read over a connection of its own (a handshake that verifies
nothing, closed at once, see :func:`pymailgui.actions.probe.handshake`); whether a
pin would make the real connection pass is asked of OpenSSL itself, by one more
handshake with the certificate pinned (:func:`pymailgui.tls.trust_pinned`) - so host
name, validity and signature are judged exactly as they will be once pinned.
"""

from __future__ import annotations

import enum
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pymailgui.actions import probe
from pymailgui.config.schema import ServerConfig
from pymailgui.errors import ConfigError
from pymailgui.tls import CertificateInfo, describe_certificate, read_pinned, trust_pinned

#: ``handshake(context)``: one handshake with the server under test.
Shake = Callable[[ssl.SSLContext], probe.Handshake]


class CertificateProblem(enum.Enum):
    """Why OpenSSL refused a certificate."""

    HOSTNAME_MISMATCH = "hostname-mismatch"
    UNKNOWN_CA = "unknown-ca"
    SELF_SIGNED = "self-signed"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    OTHER = "other"


# OpenSSL's X509_V_ERR_* codes (x509_vfy.h).
_VERIFY_CODES = {
    2: CertificateProblem.UNKNOWN_CA,  # unable to get issuer certificate
    9: CertificateProblem.NOT_YET_VALID,
    10: CertificateProblem.EXPIRED,
    18: CertificateProblem.SELF_SIGNED,  # depth zero self-signed
    19: CertificateProblem.UNKNOWN_CA,  # self-signed (untrusted) root in the chain
    20: CertificateProblem.UNKNOWN_CA,  # unable to get local issuer certificate
    21: CertificateProblem.UNKNOWN_CA,  # unable to verify the first certificate
    62: CertificateProblem.HOSTNAME_MISMATCH,
    64: CertificateProblem.HOSTNAME_MISMATCH,  # IP address mismatch
}
PINNABLE = {CertificateProblem.UNKNOWN_CA, CertificateProblem.SELF_SIGNED}


@dataclass(frozen=True)
class CertificateCheck:
    """A refused server certificate, what it says, and whether pinning it would help."""

    #: What the handshake said first, then what a pinned copy would still meet.
    problems: tuple[CertificateProblem, ...]
    verify_message: str  # OpenSSL's words, e.g. "self-signed certificate"
    certificate: CertificateInfo | None  # None when it could not be read
    #: Pinning this exact certificate makes the connection pass (host name, dates and
    #: signature checked by OpenSSL with the pin as the only extra anchor).
    pinnable: bool = False
    #: A certificate was pinned for this server and the server now shows another one.
    changed_since_pinned: bool = False

    @property
    def problem(self) -> CertificateProblem:
        return self.problems[0]


def examine(
    error: ssl.SSLCertVerificationError, server: ServerConfig, shake: Shake
) -> CertificateCheck:
    """The check of the certificate whose verification raised ``error``."""
    problem = _VERIFY_CODES.get(error.verify_code, CertificateProblem.OTHER)
    message = str(error.verify_message or error.reason or error)
    info: CertificateInfo | None = None
    try:
        info = describe_certificate(shake(probe.reading_context()).der)
    except (ssl.SSLError, probe.ProbeFailed):
        pass
    problems: tuple[CertificateProblem, ...] = (problem,)
    pinnable = False
    if info is not None and problem in PINNABLE:
        pinnable, blocker = _try_pin(server, info.der, shake)
        if blocker is not None and blocker not in problems:
            problems += (blocker,)
    pinned = server.pinned_path()
    changed = pinned is not None and info is not None and _pinned_der(pinned) != info.der
    return CertificateCheck(problems, message, info, pinnable, changed)


def _try_pin(
    server: ServerConfig, der: bytes, shake: Shake
) -> tuple[bool, CertificateProblem | None]:
    """Would the connection pass with ``der`` pinned? (and if not, what blocks it)."""
    try:
        context = server.tls_context()
        trust_pinned(context, der)
        shake(context)
    except ssl.SSLCertVerificationError as exc:
        return False, _VERIFY_CODES.get(exc.verify_code, CertificateProblem.OTHER)
    except (ssl.SSLError, probe.ProbeFailed, ConfigError):
        return False, None
    return True, None


def _pinned_der(path: Path) -> bytes:
    try:
        return read_pinned(path)
    except ConfigError:
        return b""


def certificate_sentence(host: str, check: CertificateCheck) -> str:
    """One sentence for the user: what is wrong, the fingerprint, what to do."""
    info = check.certificate
    problem = check.problem
    if check.changed_since_pinned:
        lead = (
            f"The certificate of {host} is not the one you pinned: the server changed "
            "it, or someone is intercepting the connection. "
        )
    else:
        lead = ""
    if info is None:
        return f"{lead}The certificate of {host} is not trusted ({check.verify_message})."
    if problem is CertificateProblem.HOSTNAME_MISMATCH:
        names = ", ".join(info.names) or info.subject
        body = (
            f"The certificate of {host} is made out to other names ({names}); check the "
            "server name. A certificate for another name cannot be accepted."
        )
    elif problem is CertificateProblem.EXPIRED:
        when = f" on {info.not_after:%Y-%m-%d}" if info.not_after else ""
        body = f"The certificate of {host} expired{when}; the server's administrator must renew it."
    elif problem is CertificateProblem.NOT_YET_VALID:
        when = f" from {info.not_before:%Y-%m-%d}" if info.not_before else " later"
        body = f"The certificate of {host} is valid only{when}; check this computer's clock."
    elif problem in PINNABLE:
        who = (
            "signed by itself"
            if problem is CertificateProblem.SELF_SIGNED
            else (f"issued by {info.issuer}, an authority this computer does not trust")
        )
        body = f"The certificate of {host} is {who} (SHA-256 {info.sha256})."
        if check.pinnable:
            body += " If you know this is your server's certificate, you may pin it."
    else:
        body = f"The certificate of {host} is not trusted ({check.verify_message})."
    return lead + body
