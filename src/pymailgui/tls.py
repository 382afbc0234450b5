"""The one way PyMailGUI builds a TLS client context (POP3 and SMTP alike)."""

from __future__ import annotations

import ssl
from pathlib import Path

from pymailgui.errors import ConfigError


def client_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """The system's trust store plus ``ca_file``, certificate and host name checked.

    ``ssl.create_default_context()`` turns on CERT_REQUIRED and check_hostname; stdlib
    poplib and smtplib do neither unless handed such a context (POP-NOTES). The CA file
    is *added* with load_verify_locations: ``create_default_context(cafile=...)`` would
    replace the system store. An IP-address host is matched against the IP SANs.
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
    return context
