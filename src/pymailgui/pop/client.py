"""POP3Client: a small typed POP3 client (RFC 1939, 2449, 2595, 5034, 8314).

The client sends commands and turns answers into Python values; framing and sockets are
the transport's job, decoding bytes is :mod:`pymailgui.pop.parse`'s. It never sends a
credential in clear when TLS was asked for, never falls back from STLS to plain, and a
session that ends any way but an acknowledged QUIT commits nothing (RFC 1939 §6).
"""

from __future__ import annotations

import logging
import re
import ssl
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import TypeVar

from pymailgui.config.schema import Security, ServerConfig
from pymailgui.errors import (
    ConfigError,
    ConnectionFailed,
    MailError,
    ProtocolError,
    TLSError,
)
from pymailgui.pop.auth import login_error, login_sasl_plain, login_user_pass
from pymailgui.pop.log import ProtocolLog
from pymailgui.pop.parse import (
    Capabilities,
    Status,
    parse_capabilities,
    parse_scan_line,
    parse_scan_listing,
    parse_stat,
    parse_uidl_answer,
    quote_server_text,
    read_uidl_listing,
)
from pymailgui.pop.session import WINDOW_BYTES, WINDOW_COMMAND_BYTES, Session, Window
from pymailgui.pop.transport import Transport, TransportFactory
from pymailgui.tasks import Task, ensure

T = TypeVar("T")

#: Cap of a CAPA answer and of a LIST/UIDL answer.
MAX_CAPA_BYTES = 64 * 1024
MAX_LISTING_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_MESSAGE_BYTES = 100 * 1024 * 1024


class CommandNotSupported(ProtocolError):
    """The server does not implement an optional command (TOP); the caller falls back."""


class POP3Client:
    """One POP3 session. Use :meth:`connect`, then :meth:`login`, then commands.

    As a context manager a normal exit sends QUIT (committing deletions) and an
    exception exits through :meth:`abort` (committing nothing).
    """

    def __init__(
        self,
        transport: Transport,
        server: ServerConfig,
        *,
        protocol_log: logging.Logger | None = None,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        self._transport = transport
        self._server = server
        self._log = ProtocolLog(protocol_log, server.host)
        self._session = Session(transport, self._log)
        self.max_message_bytes = max_message_bytes
        self.capabilities = Capabilities()
        self.greeting: Status | None = None
        #: True: TOP works; False: it does not (fetch with RETR); None: not known yet.
        self.supports_top: bool | None = None
        #: True after a good UIDL (or announced in CAPA); False after UIDL -ERR.
        self.supports_uidl: bool | None = None
        #: Messages of the last UIDL listing without a usable id: number -> reason.
        self.uidl_problems: dict[int, str] = {}
        self.authenticated = False
        # Sizes this session's LIST answers gave: what a pipelined RETR expects.
        self._sizes: dict[int, int] = {}
        #: The pipelining window's budgets (see :class:`~pymailgui.pop.session.Window`).
        self.window_bytes = WINDOW_BYTES
        self.window_command_bytes = WINDOW_COMMAND_BYTES

    # -- session setup ---------------------------------------------------------------

    @classmethod
    def connect(
        cls,
        server: ServerConfig,
        *,
        protocol_log: logging.Logger | None = None,
        transport_factory: TransportFactory | None = None,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
        task: Task | None = None,
    ) -> POP3Client:
        """Connect, read the greeting, learn CAPA and, for STARTTLS, upgrade with STLS.

        A cancel of ``task`` interrupts the greeting, CAPA and TLS exchanges (the TCP
        connect itself is bounded by the timeout).
        """
        factory: TransportFactory = transport_factory or Transport.open
        security = Security(server.security)
        context = server.tls_context() if security is not Security.NONE else None
        transport = factory(
            server.host,
            server.effective_port("pop"),
            timeout=server.timeout,
            ssl_context=context if security is Security.TLS else None,
        )
        client = cls(
            transport, server, protocol_log=protocol_log, max_message_bytes=max_message_bytes
        )
        try:
            with ensure(task).interruptible(transport.interrupt):
                client._start(context if security is Security.STARTTLS else None)
        except BaseException:
            client.abort()
            raise
        return client

    def _start(self, stls_context: ssl.SSLContext | None) -> None:
        self._log.note(f"connected ({'TLS' if self._transport.is_tls else 'plain'})")
        greeting = self._session.read_status()
        if not greeting.ok:
            raise self._refusal(greeting, "refused the connection")
        self.greeting = greeting
        self._capa()
        if stls_context is not None:
            self._stls(stls_context)

    def _stls(self, context: ssl.SSLContext) -> None:
        # RFC 2595 §4. STLS is tried even when CAPA did not list it (some servers forget);
        # a refusal is an error, never a reason to go on in clear.
        host = self._server.host
        try:
            status = self._session.command(b"STLS")
        except ProtocolError as exc:  # "* OK", garbage: a TLS failure, said as one
            raise TLSError(
                f"The server {host} did not answer STLS as POP3 says, so the connection "
                f"cannot be secured; nothing was sent in clear ({str(exc).rstrip('.')})."
            ) from exc
        if not status.ok:
            self.abort()
            raise TLSError(
                f"The server {host} does not offer STARTTLS (STLS), so the "
                "connection cannot be secured; nothing was sent in clear "
                f"(server said: {quote_server_text(status.text) or 'nothing'})."
            )
        try:
            discarded = self._transport.starttls(context, host)
        except TLSError as exc:
            raise exc.with_note("Nothing was sent in clear.") from exc
        except ConnectionFailed as exc:  # the server hung up during the handshake
            raise TLSError(
                f"A secure (TLS) connection with {host} could not be set up: "
                f"{str(exc).rstrip('.')}; nothing was sent in clear."
            ) from exc
        if discarded:
            self._log.note(f"discarded {discarded} bytes sent in clear before TLS")
        self._log.note("TLS started")
        # RFC 2595 §4: the capabilities seen before TLS may have been forged.
        self._capa()

    def _capa(self) -> None:
        status = self._session.command(b"CAPA")
        if not status.ok:  # RFC 1939-only servers have no CAPA: assume nothing
            self.capabilities = Capabilities()
        else:
            lines = self._session.read_lines(MAX_CAPA_BYTES)
            for line in lines:
                self._log.received(line)
            self.capabilities = parse_capabilities(lines)
        self.supports_top = True if self.capabilities.top else None
        self.supports_uidl = True if self.capabilities.uidl else None

    def login(self, username: str, password: str) -> None:
        """Log in with SASL PLAIN or USER/PASS, as ``server.auth`` says.

        "auto" uses SASL PLAIN (RFC 5034, RFC 4616) when CAPA lists it, else USER/PASS.
        """
        security = Security(self._server.security)
        if security is not Security.NONE and not self._transport.is_tls:
            # Defence in depth: a custom transport must not make us leak the password.
            self.abort()
            raise TLSError(
                f"The connection to {self._server.host} is not encrypted; "
                "the password was not sent."
            )
        for value in (username, password):
            if "\r" in value or "\n" in value or "\0" in value:
                raise ConfigError("The user name or password contains a line break or NUL.")
        method = self._server.auth.lower()
        if method == "auto":
            method = "plain" if "PLAIN" in self.capabilities.sasl else "user"
        if method == "plain":
            login_sasl_plain(self._session, self._server.host, username, password)
        elif method == "user":
            login_user_pass(self._session, self._server.host, username, password)
        else:
            raise ConfigError(
                f'Unknown login method {self._server.auth!r}: use "auto", "plain" or "user".'
            )
        self.authenticated = True
        # RFC 2449 §5: capabilities may change after login, but those announced before
        # it stay. PIPELINING is the only one that changes what we send (TOP and UIDL
        # are learned by trying), so a second CAPA, a round trip, is needed only when
        # it was not announced yet.
        if self.capabilities.known and not self.capabilities.pipelining:
            self._capa()

    def _refusal(self, status: Status, what: str) -> MailError:
        if status.busy:
            return login_error(status, self._server.host)
        return ProtocolError(
            f"The server {self._server.host} {what} "
            f"(server said: {quote_server_text(status.text) or 'nothing'})."
        )

    # -- commands ----------------------------------------------------------------------

    def stat(self) -> tuple[int, int]:
        """Number of messages and their total size in octets (RFC 1939 §5)."""
        return parse_stat(self._ok(b"STAT").text)

    def list_sizes(self) -> dict[int, int]:
        """Message number -> size in octets for every message (deleted ones excluded)."""
        self._ok(b"LIST")
        sizes = parse_scan_listing(self._session.read_lines(MAX_LISTING_BYTES))
        self._sizes = dict(sizes)
        return sizes

    def list_one(self, num: int) -> int | None:
        """Size of message ``num``, or None when there is no such message."""
        status = self._session.command(b"LIST %d" % _positive(num))
        if not status.ok:
            return None
        got, size = parse_scan_line(status.text)
        self._check_number(num, got, "LIST")
        self._sizes[num] = size
        return size

    def uidl_all(self) -> dict[int, str] | None:
        """Message number -> unique id, or None when the server has no UIDL.

        Only valid ids that no other message shares are returned; the numbers left
        out (and why) are in :attr:`uidl_problems`.
        """
        status = self._session.command(b"UIDL")
        if not status.ok:
            self.supports_uidl = False
            return None
        return self._read_uidl_listing()

    def uidl_one(self, num: int) -> str | None:
        """The unique id of message ``num``; None on -ERR or an unusable answer."""
        status = self._session.command(b"UIDL %d" % _positive(num))
        return parse_uidl_answer(status.text, num) if status.ok else None

    def listing(self) -> tuple[dict[int, int], dict[int, str] | None]:
        """LIST and UIDL (None without UIDL); one round trip when the server pipelines."""
        sizes, uids = self._listing()
        self._check_in_step("LIST and UIDL")
        return sizes, uids

    def _listing(self) -> tuple[dict[int, int], dict[int, str] | None]:
        if not self.capabilities.pipelining:
            return self.list_sizes(), self.uidl_all()
        self._session.send_many([b"LIST", b"UIDL"])
        try:
            list_status = self._session.read_status()
            sizes = (
                parse_scan_listing(self._session.read_lines(MAX_LISTING_BYTES))
                if list_status.ok
                else None
            )
            uidl_status = self._session.read_status()
            uids = self._read_uidl_listing() if uidl_status.ok else None
        except BaseException:
            self._session.abort()  # answers may be out of step with the commands
            raise
        if sizes is None:
            raise ProtocolError(
                f"The server refused LIST: {quote_server_text(list_status.text) or 'no reason'}."
            )
        self.supports_uidl = uids is not None
        self._sizes = dict(sizes)
        return sizes, uids

    def _read_uidl_listing(self) -> dict[int, str]:
        listing = read_uidl_listing(self._session.read_lines(MAX_LISTING_BYTES))
        self.supports_uidl = True
        self.uidl_problems = listing.problems
        return listing.ids

    def identify(self, num: int) -> tuple[str | None, int | None]:
        """``UIDL n`` and ``LIST n`` together: message ``num``'s id and size (None: -ERR)."""
        n = _positive(num)
        if not self.capabilities.pipelining:
            return self.uidl_one(n), self.list_one(n)
        self._session.send_many([b"UIDL %d" % n, b"LIST %d" % n])
        uidl_status = self._session.read_status()
        list_status = self._session.read_status()
        uid = parse_uidl_answer(uidl_status.text, n) if uidl_status.ok else None
        size: int | None = None
        if list_status.ok:
            got, size = parse_scan_line(list_status.text)
            self._check_number(n, got, "LIST")
            self._sizes[n] = size
        return uid, size

    def top_many(self, nums: Sequence[int], lines: int = 0) -> Iterator[tuple[int, bytes | None]]:
        """The header block (and ``lines`` body lines) of each message, in order.

        None for a message that answered -ERR. When TOP was not in CAPA it is tried on
        the first message; if the server proves not to have it,
        :class:`CommandNotSupported` is raised and ``supports_top`` becomes False.
        """
        if lines < 0:
            raise ValueError("lines must be >= 0")
        todo = [_positive(n) for n in nums]
        if self.supports_top is False:
            raise self._no_top()
        while todo and self.supports_top is None:
            num = todo.pop(0)
            yield num, self._probe_top(num, lines)
        # A header's size is unknown until it arrives: the window learns it.
        yield from self._pipeline(todo, lambda n: b"TOP %d %d" % (n, lines), self._read_body)

    def retr(self, num: int) -> bytes:
        """The whole message ``num``: CRLF line ends, dot-unstuffed, as on the server."""
        body = self._body_after(self._session.command(b"RETR %d" % _positive(num)))
        if body is None:
            raise ProtocolError(f"The server could not send message {num}.")
        return body

    def retr_many(self, nums: Sequence[int]) -> Iterator[tuple[int, bytes | None]]:
        """Whole messages, pipelined when the server allows; None for a -ERR."""
        todo = [_positive(n) for n in nums]
        return self._pipeline(todo, lambda n: b"RETR %d" % n, self._read_body, size=self._sizes.get)

    def dele(self, num: int) -> None:
        """Mark message ``num`` deleted (done only when QUIT is acknowledged)."""
        self._check_in_step("its last answer")
        self._ok(b"DELE %d" % _positive(num))

    def dele_many(self, nums: Sequence[int]) -> dict[int, bool]:
        """Mark several messages deleted; True for each one the server accepted."""
        todo = [_positive(n) for n in nums]
        self._check_in_step("its last answer")
        answers = self._pipeline(
            todo, lambda n: b"DELE %d" % n, lambda: self._session.read_status().ok, size=_no_body
        )
        return dict(answers)

    def noop(self) -> None:
        self._ok(b"NOOP")

    def rset(self) -> None:
        """Unmark every message marked deleted in this session."""
        self._ok(b"RSET")

    def quit(self) -> None:
        """End the session; deletions are done only if this returns (RFC 1939 §6).

        ProtocolError when the server answers -ERR, ConnectionFailed when the connection
        drops before the answer: either way the caller must assume nothing was deleted.
        """
        try:
            self._check_in_step("its last answer")
            status = self._session.command(b"QUIT")
        finally:
            self.abort()
        if not status.ok:
            raise ProtocolError(
                f"The server {self._server.host} could not finish the session, so messages "
                f"marked for deletion were not deleted (server said: "
                f"{quote_server_text(status.text) or 'nothing'})."
            )

    def abort(self) -> None:
        """Close the connection without QUIT: nothing marked deleted is deleted."""
        self._transport.close()

    def interrupt(self) -> None:
        """From another thread: make a blocking read or write fail now (a cancel).

        The session is lost (nothing is committed); the thread using it sees a
        ConnectionFailed and closes it.
        """
        self._transport.interrupt()

    @property
    def closed(self) -> bool:
        return self._transport.closed

    def __enter__(self) -> POP3Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None and not self.closed:
            self.quit()
        else:
            self.abort()

    # -- helpers -----------------------------------------------------------------------

    def _probe_top(self, num: int, lines: int) -> bytes | None:
        body = self._body_after(self._session.command(b"TOP %d %d" % (num, lines)))
        if body is not None:
            self.supports_top = True
            return body
        # -ERR means "no such message" or "no TOP": LIST tells which.
        if self.list_one(num) is not None:
            self.supports_top = False
            raise self._no_top()
        return None

    def _no_top(self) -> CommandNotSupported:
        return CommandNotSupported(
            f"The server {self._server.host} does not support TOP; fetch whole messages instead."
        )

    def _read_body(self) -> bytes | None:
        return self._in_step(self._session.read_answer(self.max_message_bytes))

    def _body_after(self, status: Status) -> bytes | None:
        return self._in_step(self._session.read_body(status, self.max_message_bytes))

    def _in_step(self, body: bytes | None) -> bytes | None:
        if body is not None and _STATUS_SHAPED.match(body):
            # A message never starts with "+OK " or "-ERR " (no header field name holds
            # a space): this is the next answer's status line, so an extra line came
            # before this answer and every answer from here on is another command's.
            self.abort()
            raise self._out_of_step("an extra line before a message")
        return body

    def _check_in_step(self, after: str) -> None:
        """Nothing may be waiting unread when no answer is due.

        An unsolicited or extra line (a buggy server, an injection on a plain
        connection) would be read as the answer to the next command: a DELE must
        never be sent, nor a QUIT that commits, on answers that may be shifted.
        """
        extra = self._transport.buffered
        if extra:
            self.abort()
            raise self._out_of_step(f"{extra} bytes nobody asked for after {after}")

    def _out_of_step(self, what: str) -> ProtocolError:
        return ProtocolError(
            f"The server {self._server.host} sent {what}, so its answers can no longer be "
            "matched to the commands; the connection was closed and nothing was deleted."
        )

    def _pipeline(
        self,
        nums: list[int],
        command: Callable[[int], bytes],
        read: Callable[[], T],
        *,
        size: Callable[[int], int | None] | None = None,
    ) -> Iterator[tuple[int, T]]:
        window = Window(
            pipelining=self.capabilities.pipelining,
            answer_bytes=self.window_bytes,
            command_bytes=self.window_command_bytes,
        )
        return self._session.pipeline(
            nums, command, read, pipelining=window.pipelining, size=size, window=window
        )

    def _check_number(self, asked: int, got: int, command: str) -> None:
        if asked != got:
            raise ProtocolError(
                f"The server answered {command} {asked} about message {got} instead."
            )

    def _ok(self, line: bytes) -> Status:
        status = self._session.command(line)
        if not status.ok:
            verb = line.split(b" ", 1)[0].decode("ascii")
            raise ProtocolError(
                f"The server {self._server.host} refused {verb} "
                f"(server said: {quote_server_text(status.text) or 'nothing'})."
            )
        return status


def _no_body(_num: int) -> int:
    return 0  # a status line only


# A POP3 status line (RFC 1939 §3): what a shifted answer's first line looks like.
_STATUS_SHAPED = re.compile(rb"(?:\+OK|-ERR)(?: |\r?\n|$)")


def _positive(num: int) -> int:
    if isinstance(num, bool) or not isinstance(num, int) or num < 1:
        raise ValueError(f"message numbers start at 1, got {num!r}")
    return num
