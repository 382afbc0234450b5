"""The one way PyMailGUI builds a TLS client context (POP3 and SMTP alike).

Besides the system's trust store (and an optional extra CA file), a server may have
one *pinned* certificate: the exact certificate the user accepted for that server
after a "Test connection" found its CA unknown. The pin is an extra trust anchor
with ``VERIFY_X509_PARTIAL_CHAIN``, so OpenSSL still checks the host name, the
validity dates and the signature; a server that presents any other certificate (even
one from the same unknown CA) is refused again.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


# -- what a certificate says, for showing it to the user ---------------------------------
# Python's ssl module decodes a peer certificate only after a successful verification;
# the certificate of a failed one is available as DER bytes alone. This is a small
# reader of the X.509 fields worth showing (RFC 5280 §4.1), written to never raise on
# hostile input: what it cannot read is shown as unreadable.

_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.5": "serialNumber",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.9": "STREET",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "0.9.2342.19200300.100.1.1": "UID",
    "0.9.2342.19200300.100.1.25": "DC",
    "1.2.840.113549.1.9.1": "emailAddress",
}
_SAN_OID = "2.5.29.17"
_UNREADABLE = "(unreadable)"
_MAX_SHOWN = 200  # characters of one name shown at most


@dataclass(frozen=True)
class CertificateInfo:
    """The fields of a server certificate a user can check, and its SHA-256 fingerprint."""

    subject: str  # RFC 4514 order, e.g. "CN=mail.example.com,O=Example"
    issuer: str
    not_before: datetime.datetime | None  # UTC
    not_after: datetime.datetime | None
    names: tuple[str, ...]  # subjectAltName DNS names and IP addresses
    serial: str  # hexadecimal
    sha256: str  # colon-separated hexadecimal, as browsers show it
    der: bytes = field(repr=False, default=b"")

    @property
    def self_issued(self) -> bool:
        return self.subject == self.issuer and self.subject != _UNREADABLE

    def valid_at(self, when: datetime.datetime) -> bool:
        if self.not_before is None or self.not_after is None:
            return False
        return self.not_before <= when <= self.not_after


class _Bad(Exception):
    """Malformed DER."""


def describe_certificate(der: bytes) -> CertificateInfo:
    """What ``der`` says; fields that cannot be read are "(unreadable)" or None."""
    empty = CertificateInfo(_UNREADABLE, _UNREADABLE, None, None, (), "", fingerprint(der), der)
    try:
        cert = _children(der, *_tlv(der, 0, 0x30))
        tbs = _children(der, *_expect(cert, 0, 0x30))
    except _Bad:
        return empty
    if tbs and tbs[0][0] == 0xA0:  # [0] EXPLICIT version
        tbs = tbs[1:]
    fields: dict[str, Any] = {}
    readers = (
        ("serial", 0, lambda s, e: der[s:e].hex().lstrip("0") or "0"),
        ("issuer", 2, lambda s, e: _name(der, s, e)),
        ("validity", 3, lambda s, e: _validity(der, s, e)),
        ("subject", 4, lambda s, e: _name(der, s, e)),
    )
    for key, index, read in readers:
        try:
            _tag, start, end = tbs[index]
            fields[key] = read(start, end)
        except (_Bad, IndexError, ValueError):
            pass
    not_before, not_after = fields.get("validity", (None, None))
    return CertificateInfo(
        subject=fields.get("subject", _UNREADABLE),
        issuer=fields.get("issuer", _UNREADABLE),
        not_before=not_before,
        not_after=not_after,
        names=_alt_names(der, tbs),
        serial=fields.get("serial", ""),
        sha256=fingerprint(der),
        der=der,
    )


def _tlv(
    data: bytes, pos: int, tag: int | None = None, limit: int | None = None
) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at ``pos``, within ``limit``."""
    limit = len(data) if limit is None else limit
    if pos + 2 > limit:
        raise _Bad
    got, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if not 1 <= count <= 4 or pos + count > limit:
            raise _Bad
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > limit or (tag is not None and got != tag):
        raise _Bad
    return got, pos, pos + length


def _children(data: bytes, _tag: int, start: int, end: int) -> list[tuple[int, int, int]]:
    items = []
    while start < end:
        item = _tlv(data, start, limit=end)
        items.append(item)
        start = item[2]
    return items


def _expect(items: list[tuple[int, int, int]], index: int, tag: int) -> tuple[int, int, int]:
    if index >= len(items) or items[index][0] != tag:
        raise _Bad
    return items[index]


def _oid(raw: bytes) -> str:
    if not raw:
        raise _Bad
    parts = [min(raw[0] // 40, 2), raw[0] - 40 * min(raw[0] // 40, 2)]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(map(str, parts))


def _string(tag: int, raw: bytes) -> str:
    codec = {0x1E: "utf-16-be", 0x1C: "utf-32-be", 0x14: "latin-1"}.get(tag, "utf-8")
    text = raw.decode(codec, "replace")
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)[:_MAX_SHOWN]


def _name(data: bytes, start: int, end: int) -> str:
    rdns = []
    for rdn in _children(data, 0x30, start, end):
        parts = []
        for attr in _children(data, *rdn):
            oid_item, value_item = _children(data, *attr)[:2]
            oid = _oid(data[oid_item[1] : oid_item[2]])
            value = _string(value_item[0], data[value_item[1] : value_item[2]])
            parts.append(f"{_NAMES.get(oid, oid)}={_escape(value)}")
        rdns.append("+".join(parts))
    return ",".join(reversed(rdns))  # RFC 4514 §2.1: the last RDN first


def _escape(value: str) -> str:
    # RFC 4514 §2.4, enough to read a value back unambiguously.
    escaped = "".join("\\" + ch if ch in ',+"\\<>;=' else ch for ch in value)
    if escaped[:1] in (" ", "#"):
        escaped = "\\" + escaped
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "\\ "
    return escaped


def _validity(data: bytes, start: int, end: int) -> tuple[datetime.datetime, datetime.datetime]:
    first, second = _children(data, 0x30, start, end)[:2]
    return _time(first[0], data[first[1] : first[2]]), _time(second[0], data[second[1] : second[2]])


def _time(tag: int, raw: bytes) -> datetime.datetime:
    text = raw.decode("ascii")
    if tag == 0x17:  # UTCTime: YYMMDDHHMMSSZ, 50..99 are 19xx (RFC 5280 §4.1.2.5.1)
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    elif tag != 0x18:  # GeneralizedTime: YYYYMMDDHHMMSSZ
        raise _Bad
    if not text.endswith("Z") or len(text) != 15:
        raise _Bad
    return datetime.datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=datetime.UTC)


def _alt_names(data: bytes, tbs: list[tuple[int, int, int]]) -> tuple[str, ...]:
    names: list[str] = []
    try:
        extensions = next((item for item in tbs if item[0] == 0xA3), None)
        if extensions is None:
            return ()
        (seq,) = _children(data, *extensions)[:1]
        for ext in _children(data, *seq):
            parts = _children(data, *ext)
            if _oid(data[parts[0][1] : parts[0][2]]) != _SAN_OID:
                continue
            value = parts[-1]  # extnValue OCTET STRING holding GeneralNames
            general = _tlv(data, value[1], 0x30, limit=value[2])
            for tag, s, e in _children(data, *general):
                if tag == 0x82:  # dNSName
                    names.append(_string(0x16, data[s:e]))
                elif tag == 0x87 and e - s in (4, 16):  # iPAddress
                    names.append(str(ipaddress.ip_address(data[s:e])))
    except (_Bad, ValueError, IndexError):
        pass
    return tuple(names[:100])
