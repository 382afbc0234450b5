"""An ``smtplib.SMTP`` that reads replies through its own bounded buffer and logs safely.

Why not plain ``smtplib``:
- its ``debuglevel`` output prints AUTH lines, i.e. the password in base64; this class
  logs every command and reply at DEBUG with AUTH secrets replaced by ``***``;
- its ``auth()`` encodes credentials as ASCII (a non-ASCII password raises
  UnicodeEncodeError), while RFC 4616 PLAIN is UTF-8; :meth:`authenticate` does it right;
- replies are read from a buffer this class owns, so after STARTTLS we *know* that
  nothing the server sent in clear text can be read as if it came over TLS (RFC 3207
  §4.2, and the 2021 "NO STARTTLS" study), and a reply has a size limit.
"""

from __future__ import annotations

import base64
import hmac
import logging
import smtplib
import socket
import ssl
from typing import Any

# RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; be generous but bounded.
MAX_REPLY_LINE = 8192
# A multi-line reply (EHLO) has a handful of lines; thousands mean a hostile server.
MAX_REPLY_LINES = 200
REDACTED = "***"

protocol_log = logging.getLogger("pymailgui.smtp.protocol")


def address_literal(sock: socket.socket) -> str:
    """The EHLO argument for our side of ``sock``: an address literal (RFC 5321 §4.1.3).

    Used when no local host name is configured: ``socket.getfqdn()`` (smtplib's
    default) may wait on DNS and reveals the machine's name.
    """
    host = str(sock.getsockname()[0])
    return f"[IPv6:{host}]" if ":" in host else f"[{host}]"


class SMTPClient(smtplib.SMTP):
    """One SMTP connection; built unconnected, then :meth:`open` connects it.

    ``implicit_tls``: a context to wrap the socket in before the greeting (port 465,
    RFC 8314 §3.3); None for a clear-text start (plain or STARTTLS).
    """

    def __init__(
        self,
        *,
        timeout: float,
        local_hostname: str | None,
        implicit_tls: ssl.SSLContext | None = None,
    ) -> None:
        if not timeout > 0:
            raise ValueError("an SMTP timeout must be a positive number of seconds")
        self._implicit_tls = implicit_tls
        self._inbuf = bytearray()
        self._secret = False  # the next sent line is a SASL secret
        self._auth_redacting = False  # inside an AUTH exchange: redact what we send
        self._explicit_hostname = local_hostname
        self.tls_active = implicit_tls is not None
        self.discarded_before_tls = 0  # bytes thrown away at STARTTLS (for tests/logs)
        # A placeholder name keeps smtplib from calling socket.getfqdn(); see open().
        super().__init__(local_hostname=local_hostname or "localhost", timeout=timeout)

    # -- connection -------------------------------------------------------------------

    def open(self, host: str, port: int) -> tuple[int, bytes]:
        """Connect and read the greeting; the greeting's (code, text) is returned."""
        self._host = host  # smtplib uses it as the TLS server_hostname
        code, text = self.connect(host, port)
        if self._explicit_hostname is None and self.sock is not None:
            self.local_hostname = address_literal(self.sock)
        return code, text

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        # smtplib's own version is socket.create_connection; typeshed does not list it.
        sock = socket.create_connection((host, port), timeout, self.source_address)
        if self._implicit_tls is None:
            return sock
        # On a failed handshake SSLSocket closes the descriptor it took over.
        return self._implicit_tls.wrap_socket(sock, server_hostname=host)

    def starttls(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        result: tuple[int, bytes] = super().starttls(*args, **kwargs)
        # RFC 3207 §4.2: forget everything learned before TLS. Bytes that arrived in
        # clear text after "220 Ready to start TLS" (injected by a man in the middle)
        # must never be read as a reply to a command sent over TLS.
        if self._inbuf:
            self.discarded_before_tls = len(self._inbuf)
            protocol_log.warning(
                "discarded %d bytes the server sent in clear text before TLS started",
                len(self._inbuf),
            )
            self._inbuf.clear()
        self.tls_active = True
        return result

    def close(self) -> None:
        self._inbuf.clear()
        super().close()

    def interrupt(self) -> None:
        """From another thread: make a blocked read or write fail now (a cancel)."""
        sock = self.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def set_reply_timeout(self, seconds: float) -> None:
        if self.sock is not None and seconds > 0:
            self.sock.settimeout(seconds)

    # -- sending and logging ----------------------------------------------------------

    def send(self, s: str | bytes) -> None:  # type: ignore[override]
        if isinstance(s, bytes):
            # Only DATA content is sent as bytes: log its size, never the mail itself.
            protocol_log.debug("C: <message data, %d bytes>", len(s))
        elif protocol_log.isEnabledFor(logging.DEBUG):
            protocol_log.debug("C: %s", self._loggable(s.rstrip("\r\n")))
        super().send(s)

    def _loggable(self, line: str) -> str:
        if self._secret or self._auth_redacting:
            return REDACTED
        verb, _, rest = line.partition(" ")
        if verb.upper() == "AUTH":
            self._auth_redacting = True
            mechanism, _, initial = rest.partition(" ")
            return f"AUTH {mechanism} {REDACTED}" if initial else f"AUTH {mechanism}"
        return line

    def getreply(self) -> tuple[int, bytes]:
        lines: list[bytes] = []
        code = -1
        while True:
            line = self._readline()
            protocol_log.debug("S: %s", line.rstrip(b"\r\n").decode("utf-8", "replace"))
            lines.append(line[4:].strip(b" \t\r\n"))
            try:
                code = int(line[:3])
            except ValueError:
                code = -1
                break
            if line[3:4] != b"-":
                break
            if len(lines) >= MAX_REPLY_LINES:
                self.close()
                raise smtplib.SMTPResponseException(500, b"Reply has too many lines.")
        if code != 334:
            self._auth_redacting = False
        return code, b"\n".join(lines)

    def _readline(self) -> bytes:
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        while True:
            end = self._inbuf.find(b"\n")
            if 0 <= end <= MAX_REPLY_LINE:
                line = bytes(self._inbuf[: end + 1])
                del self._inbuf[: end + 1]
                return line
            if end > MAX_REPLY_LINE or len(self._inbuf) > MAX_REPLY_LINE:
                self.close()
                raise smtplib.SMTPResponseException(500, b"Line too long.")
            try:
                chunk = self.sock.recv(4096)
            except OSError as exc:
                self.close()
                raise smtplib.SMTPServerDisconnected(
                    f"Connection unexpectedly closed: {exc}"
                ) from exc
            if not chunk:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            self._inbuf += chunk

    # -- authentication ---------------------------------------------------------------

    def authenticate(self, user: str, password: str) -> tuple[int, bytes]:
        """Log in with the best offered SASL mechanism; returns the final (code, text).

        PLAIN first (RFC 4616, UTF-8, safe under TLS), then LOGIN, then CRAM-MD5 (it
        needs the server to store clear passwords and uses MD5: last resort only).
        Raises ``smtplib.SMTPNotSupportedError`` when no usable mechanism is offered.
        """
        offered = set(self.esmtp_features.get("auth", "").upper().split())
        if "PLAIN" in offered:
            secret = f"\0{user}\0{password}"
            code, text = self.docmd("AUTH", "PLAIN " + _b64(secret))
            if code == 334:  # the server ignored the initial response; send it again
                code, text = self._secret_line(_b64(secret))
        elif "LOGIN" in offered:
            code, text = self.docmd("AUTH", "LOGIN")
            if code == 334:
                code, text = self._secret_line(_b64(user))
            if code == 334:
                code, text = self._secret_line(_b64(password))
        elif "CRAM-MD5" in offered:
            code, text = self.docmd("AUTH", "CRAM-MD5")
            if code == 334:
                challenge = base64.b64decode(text, validate=False)
                digest = hmac.new(password.encode("utf-8"), challenge, "md5").hexdigest()
                code, text = self._secret_line(_b64(f"{user} {digest}"))
        else:
            raise smtplib.SMTPNotSupportedError("no supported AUTH mechanism")
        if code == 334:  # still asking: cancel the exchange (RFC 4954 §4)
            code, text = self._secret_line("*")
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, text)
        return code, text

    def _secret_line(self, line: str) -> tuple[int, bytes]:
        self._secret = True
        try:
            self.send(line + "\r\n")
        finally:
            self._secret = False
        return self.getreply()


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")
