"""Scripted misbehaviour shared by the scripted POP3 and SMTP servers: rules and transcripts.

A test gives a server a tuple of :class:`Rule`. Every command the client sends, and
two pseudo-commands (:data:`GREETING` when a client connects, :data:`END_OF_DATA`
after the final "." of an SMTP message), is matched against the rules in order; the
first rule that matches decides how it is answered:

``reply``
    ``None`` (default): the honest answer. Fixed ``bytes``: sent instead, and the honest
    handler does not run, so nothing it would do happens (``b""`` hides the answer: no
    answer at all, no effect). A callable ``reply(command) -> bytes``: may call
    ``command.honest()`` to run the real handler and get its answer, then edit it
    (:func:`edit_lines`), or answer differently by state (``command.logged_in``).
``before`` / ``after``
    Bytes sent right before / after the answer in the same ``sendall`` (one TCP
    segment for small answers): unsolicited lines, a second answer, or the "NO
    STARTTLS" injection after the "begin TLS" line, which then arrives in clear in the
    same segment as the answer that starts the handshake.
``cut``
    Only the first N bytes of before + answer + after are sent.
``then``
    ``"continue"`` (default); ``"drop"``: close at once (a POP3 session commits
    nothing unless its QUIT already did); ``"stall"``: send nothing more, read
    nothing, keep the connection open until the server stops, its idle timeout, or
    the client hangs up (:func:`stall_until`).
``args`` / ``tls`` / ``nth``
    Match only commands with (True) or without (False) arguments, only inside (True)
    or outside (False) TLS, only the n-th command of the session that the rule's verb,
    ``args`` and ``tls`` filters match (every rule counts every command it matches,
    whether or not an earlier rule answered it).

``verb`` is a command keyword (any case), :data:`GREETING`, :data:`END_OF_DATA` or
:data:`ANY` (every real command, not the pseudo-commands). Examples::

    Rule("STAT", reply=b"", then="stall")                 # silent after STAT
    Rule(GREETING, reply=b"-ERR [IN-USE] locked\\r\\n")     # a verbatim greeting
    Rule("CAPA", tls=True, reply=edit_lines(add=["SASL EVIL"]))
    Rule("STLS", after=b"+OK injected\\r\\n")               # injection before TLS
    Rule("RETR", cut=100, then="drop")                    # dropped after 100 bytes
    Rule("UIDL", args=False, reply=pop_multiline(["1 dup", "2 dup"]))

Every session records what came off the wire in a :class:`Wire`: each chunk with
whether TLS was up, so a test can assert that no credential byte was sent in clear
(:meth:`Wire.leaked`), including bytes the server threw away unread at a TLS start.
"""

from __future__ import annotations

import base64
import re
import select
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pymailgui.lines import CRLF, TERMINATOR, dot_stuff, split_lines, unstuff_line

#: The pseudo-command "a client connected": its honest answer is the greeting.
GREETING = "<GREETING>"
#: The pseudo-command "the final '.' of an SMTP message arrived" (RFC 5321 §4.1.1.4).
END_OF_DATA = "<END-OF-DATA>"
#: Matches every command the client sends (not the pseudo-commands).
ANY = "*"

Then = Literal["continue", "drop", "stall"]
_THENS = ("continue", "drop", "stall")


@dataclass
class Outcome:
    """What an honest handler did: the answer, and what happens once it is sent."""

    data: bytes
    keep_open: bool = True
    after_send: Callable[[], None] | None = None  # e.g. the TLS handshake after STLS


@dataclass
class Command:
    """One command as received, handed to a callable ``reply``."""

    verb: str  # upper-cased keyword, or GREETING / END_OF_DATA
    args: str  # the rest of the line, "" when none
    line: bytes  # the raw line without its line ending (b"" for pseudo-commands)
    tls: bool  # TLS was up when it arrived
    logged_in: bool  # POP3: TRANSACTION state; SMTP: AUTH succeeded
    run: Callable[[], Outcome]
    outcome: Outcome | None = None

    def honest(self) -> bytes:
        """Run the real handler (once) and return the answer it would have sent."""
        if self.outcome is None:
            self.outcome = self.run()
        return self.outcome.data


Responder = Callable[[Command], bytes]


@dataclass(frozen=True)
class Rule:
    """How to answer the commands this rule matches (see the module docstring)."""

    verb: str
    reply: bytes | Responder | None = None
    before: bytes = b""
    after: bytes = b""
    cut: int | None = None
    then: Then = "continue"
    args: bool | None = None
    tls: bool | None = None
    nth: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "verb", self.verb.upper())
        if self.then not in _THENS:
            raise ValueError(f"then must be one of {_THENS}, not {self.then!r}")
        if self.cut is not None and self.cut < 0:
            raise ValueError("cut cannot be negative")
        if self.nth is not None and self.nth < 1:
            raise ValueError("nth counts from 1")
        if not self.verb:
            raise ValueError("a rule needs a verb (or ANY)")

    def matches(self, command: Command) -> bool:
        pseudo = command.verb in (GREETING, END_OF_DATA)
        if self.verb == ANY:
            if pseudo:
                return False
        elif self.verb != command.verb:
            return False
        if self.args is not None and self.args != bool(command.args):
            return False
        return self.tls is None or self.tls == command.tls


class Player:
    """Plays the rules for one session: answers each command, honestly or not."""

    def __init__(
        self,
        rules: Sequence[Rule],
        send: Callable[[bytes], None],
        stall: Callable[[], None],
    ) -> None:
        self._rules = tuple(rules)
        self._seen = [0] * len(self._rules)
        self._send = send
        self._stall = stall

    def _rule_for(self, command: Command) -> Rule | None:
        chosen = None
        for i, rule in enumerate(self._rules):
            if not rule.matches(command):
                continue
            self._seen[i] += 1
            if chosen is None and (rule.nth is None or rule.nth == self._seen[i]):
                chosen = rule
        return chosen

    def answer(self, command: Command) -> bool:
        """Answer ``command``; False when the session must end now."""
        rule = self._rule_for(command) or _HONEST
        if rule.reply is None:
            body = command.honest()
        elif isinstance(rule.reply, bytes):
            body = rule.reply
        else:
            body = rule.reply(command)
        data = rule.before + body + rule.after
        if rule.cut is not None:
            data = data[: rule.cut]
        if data:
            self._send(data)
        if rule.then == "drop":
            return False
        if rule.then == "stall":
            self._stall()
            return False
        outcome = command.outcome
        if outcome is None:  # a fixed reply: the honest handler never ran
            return True
        if outcome.after_send is not None:
            outcome.after_send()
        return outcome.keep_open


_HONEST = Rule(ANY)


# -- building replies --------------------------------------------------------------------


def _as_bytes(line: str | bytes) -> bytes:
    return line.encode("utf-8") if isinstance(line, str) else line


def pop_multiline(lines: Iterable[str | bytes], status: str = "") -> bytes:
    """A POP3 multi-line answer: "+OK status", the lines (dot-stuffed), the "." line."""
    head = f"+OK {status}" if status else "+OK"
    body = b"".join(_as_bytes(line) + CRLF for line in lines)
    return head.encode("utf-8") + CRLF + dot_stuff(body)


def smtp_reply(code: int, lines: Sequence[str | bytes]) -> bytes:
    """An SMTP reply: "250-a", "250-b", "250 c" (RFC 5321 §4.2.1)."""
    if not lines:
        lines = [b""]
    out = [
        b"%d%s%s\r\n" % (code, b" " if i == len(lines) - 1 else b"-", _as_bytes(text))
        for i, text in enumerate(lines)
    ]
    return b"".join(out)


_SMTP_LINE = re.compile(rb"([0-9]{3})[ -](.*)")


def edit_lines(*, drop: Iterable[str] = (), add: Iterable[str] = ()) -> Responder:
    """A reply that edits the honest multi-line answer: a POP3 CAPA or an SMTP EHLO.

    Lines whose text starts with one of ``drop`` (case-insensitive; the SMTP code is
    not part of the text) are removed, ``add`` lines are appended. For POP3 the "."
    terminator and the stuffing are redone, for SMTP the "250-"/"250 " prefixes.
    """
    dropped = tuple(d.upper().encode("utf-8") for d in drop)
    added = [a.encode("utf-8") for a in add]

    def kept(text: bytes) -> bool:
        return not text.upper().startswith(dropped) if dropped else True

    def reply(command: Command) -> bytes:
        honest = command.honest()
        lines = split_lines(honest)
        if not lines:
            return honest
        first = _SMTP_LINE.fullmatch(lines[0])
        if first is not None:
            texts = [m.group(2) for m in map(_SMTP_LINE.fullmatch, lines) if m]
            return smtp_reply(int(first.group(1)), [t for t in texts if kept(t)] + added)
        if not lines[0].startswith(b"+OK") or not honest.endswith(TERMINATOR):
            return honest  # a one-line answer (-ERR, ...): nothing to edit
        body = [unstuff_line(line) for line in lines[1:-1]]
        edited = [*filter(kept, body), *added]
        return lines[0] + CRLF + dot_stuff(b"".join(x + CRLF for x in edited))

    return reply


# -- what the client sent ----------------------------------------------------------------


def credential_forms(user: str, password: str) -> list[bytes]:
    """The byte strings that would give away ``password`` on the wire.

    The password itself (USER/PASS, APOP-less), its base64 (AUTH LOGIN), and the
    AUTH PLAIN tokens with and without an authorization identity (RFC 4616).
    """
    raw_user, raw_pass = user.encode("utf-8"), password.encode("utf-8")
    return [
        raw_pass,
        base64.b64encode(raw_pass),
        base64.b64encode(b"\0" + raw_user + b"\0" + raw_pass),
        base64.b64encode(raw_user + b"\0" + raw_user + b"\0" + raw_pass),
    ]


@dataclass
class Wire:
    """Every chunk a session read from the client, in order, with whether TLS was up."""

    chunks: list[tuple[bool, bytes]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, tls: bool, data: bytes) -> None:
        with self._lock:
            self.chunks.append((tls, data))

    def _joined(self, tls: bool) -> bytes:
        with self._lock:
            return b"".join(data for up, data in self.chunks if up == tls)

    @property
    def clear(self) -> bytes:
        """Every byte received before TLS (or without it), even bytes never processed."""
        return self._joined(False)

    @property
    def secure(self) -> bytes:
        """Every byte received inside TLS (decrypted)."""
        return self._joined(True)

    def leaked(self, user: str, password: str) -> list[bytes]:
        """The :func:`credential_forms` of this login that were sent in clear."""
        clear = self.clear
        return [form for form in credential_forms(user, password) if form in clear]


_RECV_SIZE = 65536
_HANGUP_POLL = 0.05  # seconds between looks at a stalled connection


def stall_until(sock: socket.socket, stop: threading.Event, timeout: float) -> None:
    """Answer and read nothing until ``stop``, ``timeout`` seconds, or the client's hangup.

    A real server whose client died sees the connection close at once and releases
    the maildrop (RFC 1939 §8); a stall that outlived its client would keep a killed
    client's next run out with [IN-USE]. POLLRDHUP reports the peer's FIN without
    consuming any byte it sent (the stall reads nothing).
    """
    watch = getattr(select, "POLLRDHUP", 0) | select.POLLHUP | select.POLLERR
    poller = select.poll()
    try:
        poller.register(sock.fileno(), watch)
    except (OSError, ValueError):  # already closed
        return
    deadline = time.monotonic() + timeout
    while not stop.is_set() and time.monotonic() < deadline:
        if poller.poll(_HANGUP_POLL * 1000):
            return


class LineTooLongError(Exception):
    pass


class LineReader:
    """A buffered line reader: pipelined commands are served strictly in order.

    Every chunk read is recorded in ``wire`` (with ``tls``). ``batch`` counts the reads
    that had to wait for input: commands with the same batch arrived in one read, so
    the client sent them without waiting for answers (RFC 2449 §6.6 pipelining).
    """

    def __init__(self, sock: socket.socket, wire: Wire, *, tls: bool, batch: int = 0) -> None:
        self.sock = sock
        self.wire = wire
        self.tls = tls
        self.buf = bytearray()
        self.batch = batch

    def read_line(self, limit: int, *, keep_ending: bool = False) -> bytes | None:
        """The next line (without its line ending unless asked); None at end of input."""
        start = 0
        while True:
            idx = self.buf.find(b"\n", start)
            if idx >= 0:
                if idx + 1 > limit:
                    raise LineTooLongError
                line = bytes(self.buf[: idx + 1])
                del self.buf[: idx + 1]
                return line if keep_ending else line[:-1].removesuffix(b"\r")
            if len(self.buf) >= limit:
                raise LineTooLongError
            start = len(self.buf)
            self.batch += 1
            chunk = self.sock.recv(_RECV_SIZE)
            if not chunk:
                return None
            self.wire.add(self.tls, chunk)
            self.buf += chunk

    def take_buffer(self) -> bytes:
        """Whatever was read but not yet consumed (thrown away at a TLS start)."""
        data = bytes(self.buf)
        self.buf.clear()
        return data
