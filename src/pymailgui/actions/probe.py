"""The network probes of a connection test that send no credentials.

- :func:`resolve`: the DNS step, in a helper thread so a cancel or the timeout ends it
  (``getaddrinfo`` itself cannot be interrupted);
- :func:`connect`: the TCP step, each address in turn, closed at once;
- :func:`handshake`: one TLS handshake (after the protocol's STARTTLS preamble when
  asked) to read the certificate and TLS version the server presents. The connection
  is closed right after the handshake: no user name or password ever goes over it,
  whatever context (even a non-verifying one) was used;
- :class:`Transcript`: the redacted protocol lines of the real login, for the report.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from pymailgui.config.schema import Security
from pymailgui.config.secrets import redact
from pymailgui.pop.parse import quote_server_text
from pymailgui.smtp.client import address_literal
from pymailgui.smtp.client import protocol_log as smtp_protocol_log
from pymailgui.tasks import Task

#: Longest reply line read during a STARTTLS preamble, and most reply lines.
_MAX_LINE = 8192
_MAX_LINES = 100
#: Lines kept of a protocol transcript.
MAX_TRANSCRIPT = 200
_UNDONE = "the connection test was stopped"


class ProbeFailed(Exception):
    """The probe could not get as far as it should (the real session explains why)."""


# -- DNS and TCP ------------------------------------------------------------------------
def resolve(host: str, port: int, timeout: float, task: Task) -> list[tuple[int, tuple[str, int]]]:
    """``(family, sockaddr)`` of every address of ``host``; raises ``socket.gaierror``,
    ``UnicodeError`` for a name IDNA cannot encode, TimeoutError, or Cancelled."""
    labels = host.rstrip(".").lower().split(".")
    if labels[-1] == "invalid":
        # RFC 6761 §6.4: resolvers should answer names under .invalid negatively at
        # once, without asking the network.
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    result: list[list[tuple[int, tuple[str, int]]]] = []
    error: list[BaseException] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            result.append([(info[0], (str(info[4][0]), int(info[4][1]))) for info in infos])
        except (OSError, UnicodeError) as exc:
            error.append(exc)

    worker = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    worker.start()
    deadline = time.monotonic() + timeout
    while worker.is_alive() and time.monotonic() < deadline:
        worker.join(0.05)
        task.check(_UNDONE)
    if worker.is_alive():
        raise TimeoutError(f"no DNS answer for {host} within {timeout:g} seconds")
    if error:
        raise error[0]
    return _unique(result[0])


def _unique(
    addresses: list[tuple[int, tuple[str, int]]],
) -> list[tuple[int, tuple[str, int]]]:
    seen: set[str] = set()
    unique = []
    for family, sockaddr in addresses:
        if sockaddr[0] not in seen:
            seen.add(sockaddr[0])
            unique.append((family, sockaddr))
    return unique


def connect(
    addresses: list[tuple[int, tuple[str, int]]], timeout: float, task: Task
) -> tuple[str, int]:
    """Connect to the addresses in turn; the first that answers is returned (and the
    connection closed). Raises the last OSError when none does."""
    last: OSError = OSError("no address")
    for family, sockaddr in addresses:
        task.check(_UNDONE)
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            with task.interruptible(functools.partial(_shutdown, sock)):
                sock.connect(sockaddr)
            return sockaddr
        except OSError as exc:
            task.check(_UNDONE)
            last = exc
        finally:
            sock.close()
    raise last


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


# -- one TLS handshake ------------------------------------------------------------------
@dataclass(frozen=True)
class Handshake:
    der: bytes  # the server's certificate
    version: str  # e.g. "TLSv1.3"


def reading_context() -> ssl.SSLContext:
    """A context that accepts any certificate and old protocol versions.

    Used by :func:`handshake` alone, to *read* what a refused server presents (its
    certificate, its TLS version) so the user can see it; no credentials are ever sent
    over a connection made with it.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    with contextlib.suppress(ssl.SSLError):
        # OpenSSL 3 refuses TLS 1.0/1.1 at its default security level.
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def handshake(
    host: str,
    port: int,
    *,
    protocol: str,
    security: Security,
    timeout: float,
    context: ssl.SSLContext,
    task: Task,
) -> Handshake:
    """Connect, say STLS/STARTTLS when ``security`` asks, shake hands, and close.

    Raises ``ssl.SSLError`` from the handshake, ProbeFailed when the server did not
    get that far, Cancelled.
    """
    task.check(_UNDONE)
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise ProbeFailed(str(exc)) from exc
    try:
        with task.interruptible(lambda: _shutdown(sock)), task.stops(_UNDONE):
            if security is Security.STARTTLS:
                _preamble(sock, protocol)
            with context.wrap_socket(sock, server_hostname=host) as tls:
                der = tls.getpeercert(binary_form=True)
                version = tls.version() or ""
    except ssl.SSLError:
        raise
    except OSError as exc:
        raise ProbeFailed(str(exc)) from exc
    finally:
        sock.close()
    if not der:
        raise ProbeFailed("no certificate")
    return Handshake(der, version)


def _preamble(sock: socket.socket, protocol: str) -> None:
    """The clear-text exchange before the handshake: RFC 2595 §4 (POP3 STLS) or
    RFC 3207 §4 (SMTP STARTTLS). Nothing else is ever sent in clear."""
    reader = _Lines(sock)
    if protocol == "pop":
        if not reader.line().startswith(b"+OK"):
            raise ProbeFailed("no POP3 greeting")
        sock.sendall(b"STLS\r\n")
        if not reader.line().startswith(b"+OK") or reader.pending:
            raise ProbeFailed("STLS refused")
        return
    if reader.reply() != 220:
        raise ProbeFailed("no SMTP greeting")
    sock.sendall(f"EHLO {address_literal(sock)}\r\n".encode("ascii"))
    if reader.reply() != 250:
        raise ProbeFailed("EHLO refused")
    sock.sendall(b"STARTTLS\r\n")
    if reader.reply() != 220:
        raise ProbeFailed("STARTTLS refused")


class _Lines:
    """Reads CRLF lines off a raw socket, never past the last line asked for.

    The server sends nothing between its "go ahead" and our ClientHello, so whatever
    follows a line in one recv() would be an attacker's injection; it is refused.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""

    @property
    def pending(self) -> bool:
        return bool(self._buffer)

    def line(self) -> bytes:
        while b"\n" not in self._buffer:
            if len(self._buffer) > _MAX_LINE:
                raise ProbeFailed("line too long")
            chunk = self._sock.recv(4096)
            if not chunk:
                raise ProbeFailed("connection closed")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.rstrip(b"\r")

    def reply(self) -> int:
        for _ in range(_MAX_LINES):
            line = self.line()
            if line[3:4] != b"-":
                if self.pending:
                    raise ProbeFailed("data after the reply")
                return int(line[:3]) if line[:3].isdigit() else -1
        raise ProbeFailed("reply too long")


# -- the transcript of the real login ---------------------------------------------------
class Transcript:
    """Collects the redacted protocol lines one thread's session logs.

    Entries are ``(direction, text)``: "C:" a command we sent (credentials already
    redacted by the clients), "S:" a server line, "--" a note of the client.
    """

    def __init__(self, host: str = "") -> None:
        self.entries: list[tuple[str, str]] = []
        self._thread = threading.get_ident()
        self._prefix = f"{host} " if host else ""  # the POP log starts lines with the host

    def add(self, record: logging.LogRecord) -> None:
        if record.thread != self._thread or len(self.entries) >= MAX_TRANSCRIPT:
            return
        message = redact(record.getMessage())
        if self._prefix and message.startswith(self._prefix):
            message = message[len(self._prefix) :]
        direction, _, text = message.partition(" ")
        self.entries.append((direction, quote_server_text(text)))

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(f"{direction} {text}" for direction, text in self.entries)

    def last_reply(self) -> str:
        """The last line the server sent, quoted safely."""
        return next((text for d, text in reversed(self.entries) if d == "S:"), "")

    def last_command(self) -> str:
        """The verb of the last command sent (upper case), "" if none."""
        return next(
            (text.split(" ", 1)[0].upper() for d, text in reversed(self.entries) if d == "C:"),
            "",
        )

    def sent(self, verb: str) -> bool:
        return any(d == "C:" and text.upper().startswith(verb) for d, text in self.entries)

    def received(self) -> bool:
        return any(d == "S:" for d, _ in self.entries)

    @contextlib.contextmanager
    def pop_logger(self) -> Iterator[logging.Logger]:
        """A logger for ``pop.open_session`` whose lines come here and nowhere else."""
        logger = logging.Logger("pymailgui.diagnose.pop", logging.DEBUG)  # not registered
        handler = _Handler(self)
        logger.addHandler(handler)
        try:
            yield logger
        finally:
            logger.removeHandler(handler)

    @contextlib.contextmanager
    def smtp(self) -> Iterator[None]:
        """Collect this thread's lines of the SMTP protocol log while inside."""
        with _smtp_capture.collecting(self):
            yield


class _Handler(logging.Handler):
    def __init__(self, transcript: Transcript) -> None:
        super().__init__(logging.DEBUG)
        self._transcript = transcript

    def emit(self, record: logging.LogRecord) -> None:
        self._transcript.add(record)


class _SMTPCapture(logging.Filter):
    """Turns the shared SMTP protocol log on for the capturing threads only.

    The log's level is lowered to DEBUG while any test runs; this filter, on the
    logger itself, hands each record to its thread's transcript and lets through only
    records the logger would have let through anyway, so no other handler (a console,
    a file) ever sees lines it did not ask for.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._active: dict[int, Transcript] = {}
        self._saved_level = logging.NOTSET
        self._threshold = logging.WARNING

    @contextlib.contextmanager
    def collecting(self, transcript: Transcript) -> Iterator[None]:
        ident = threading.get_ident()
        with self._lock:
            if not self._active:
                self._saved_level = smtp_protocol_log.level
                self._threshold = smtp_protocol_log.getEffectiveLevel()
                smtp_protocol_log.addFilter(self)
                smtp_protocol_log.setLevel(logging.DEBUG)
            self._active[ident] = transcript
        try:
            yield
        finally:
            with self._lock:
                self._active.pop(ident, None)
                if not self._active:
                    smtp_protocol_log.setLevel(self._saved_level)
                    smtp_protocol_log.removeFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        transcript = self._active.get(record.thread or 0)
        if transcript is not None:
            transcript.add(record)
        return record.levelno >= self._threshold


_smtp_capture = _SMTPCapture()


def reply_text(reply: bytes | str) -> str:
    """An SMTP reply text, made safe to show."""
    return quote_server_text(reply if isinstance(reply, str) else reply.decode("utf-8", "replace"))
