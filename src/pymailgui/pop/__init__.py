"""The POP3 protocol layer: transport, pure parsing, protocol log and the client."""

from __future__ import annotations

from pymailgui.pop.client import CommandNotSupported, POP3Client
from pymailgui.pop.connect import open_session
from pymailgui.pop.log import ProtocolLog, redact
from pymailgui.pop.parse import (
    Capabilities,
    Status,
    UidlListing,
    dot_stuff,
    dot_unstuff,
    parse_capabilities,
    parse_scan_line,
    parse_scan_listing,
    parse_stat,
    parse_status,
    parse_uidl_answer,
    parse_uidl_line,
    parse_uidl_listing,
    read_uidl_listing,
    unstuff_lines,
    validate_uid,
)
from pymailgui.pop.transport import (
    MAX_LINE,
    MAX_RESPONSE,
    Transport,
    TransportFactory,
    make_tls_context,
)

__all__ = [
    "MAX_LINE",
    "MAX_RESPONSE",
    "Capabilities",
    "CommandNotSupported",
    "POP3Client",
    "ProtocolLog",
    "Status",
    "Transport",
    "TransportFactory",
    "UidlListing",
    "dot_stuff",
    "dot_unstuff",
    "make_tls_context",
    "open_session",
    "parse_capabilities",
    "parse_scan_line",
    "parse_scan_listing",
    "parse_stat",
    "parse_status",
    "parse_uidl_answer",
    "parse_uidl_line",
    "parse_uidl_listing",
    "read_uidl_listing",
    "redact",
    "unstuff_lines",
    "validate_uid",
]
