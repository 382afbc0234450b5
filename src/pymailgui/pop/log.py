"""The POP3 protocol log: every line sent and received, credentials redacted.

Lines go to a caller-supplied logger at DEBUG. Passwords never reach it: ``PASS`` and
``AUTH <mechanism> <initial response>`` are cut to ``***``, and so is any line the
client marks secret (a SASL response sent after a "+ " continuation). Message bodies
are logged as their size only: mail is private and can be huge.
"""

from __future__ import annotations

import logging
import re

from pymailgui.pop.parse import quote_server_text

REDACTED = "***"

# RFC 1939 §7 PASS carries the password as the rest of the line; RFC 5034 §4 AUTH
# carries the SASL initial response (base64 of authzid NUL authcid NUL password).
_PASS_RE = re.compile(r"^(PASS)(?:\s.*)?$", re.IGNORECASE | re.DOTALL)
_AUTH_RE = re.compile(r"^(AUTH\s+\S+)\s+\S.*$", re.IGNORECASE | re.DOTALL)
_APOP_RE = re.compile(r"^(APOP\s+\S+)\s+.*$", re.IGNORECASE | re.DOTALL)


def redact(command: str) -> str:
    """A command line safe to log: secrets replaced by ``***``."""
    for pattern in (_PASS_RE, _AUTH_RE, _APOP_RE):
        match = pattern.match(command)
        if match:
            return f"{match.group(1)} {REDACTED}"
    return command


class ProtocolLog:
    """Writes one session's dialogue to ``logger`` (or nowhere when it is None)."""

    def __init__(self, logger: logging.Logger | None, host: str) -> None:
        self._logger = logger
        self._host = host

    @property
    def enabled(self) -> bool:
        return self._logger is not None and self._logger.isEnabledFor(logging.DEBUG)

    def sent(self, line: bytes, *, secret: bool = False) -> None:
        """A command line we sent (without CRLF); ``secret`` hides all of it."""
        if not self.enabled:
            return
        text = REDACTED if secret else redact(line.decode("utf-8", "replace"))
        self._emit("C:", text)

    def received(self, line: bytes) -> None:
        """A status or listing line the server sent."""
        if self.enabled:
            self._emit("S:", quote_server_text(line))

    def body(self, nbytes: int, nlines: int) -> None:
        """A multi-line body that is not shown: only its size."""
        if self.enabled:
            self._emit("S:", f"<{nbytes} bytes, {nlines} lines>")

    def note(self, text: str) -> None:
        """Something the client did that is not a protocol line (TLS started, ...)."""
        if self.enabled:
            self._emit("--", text)

    def _emit(self, direction: str, text: str) -> None:
        assert self._logger is not None
        self._logger.debug("%s %s %s", self._host, direction, text)
