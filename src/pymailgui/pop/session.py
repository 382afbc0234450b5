"""The command/answer dialogue under POP3Client: logging, pipelining, fail-closed.

A :class:`Session` sends command lines and reads status lines and multi-line blocks
through a :class:`~pymailgui.pop.transport.Transport`, logs both directions (redacted),
and closes the connection the moment it is broken or out of step, so a half-read
answer can never be taken for the answer to the next command.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import TypeVar

from pymailgui.errors import ConnectionFailed, ProtocolError
from pymailgui.pop.log import ProtocolLog
from pymailgui.pop.parse import CRLF, Status, parse_status
from pymailgui.pop.transport import Transport

T = TypeVar("T")

#: Answer bytes a pipeline keeps in flight at most (RFC 2449 §6.6). The answers wait in
#: the kernel's buffers, the link and the server, not in our memory, and a cancel
#: drains at most this much. Measured at 50 ms against Dovecot (10,000 ``TOP n 0``,
#: 35 MB): 1 MB 2.2 s, 4 MB 0.70 s, 8 MB 0.61 s, 16 MB 0.47 s, 32 MB 0.46 s: the
#: link is full at 16 MB.
WINDOW_BYTES = 16 * 1024 * 1024
#: Command bytes in flight at most (about 5,000 ``TOP n 0`` commands).
WINDOW_COMMAND_BYTES = 64 * 1024
#: Command bytes sent in one write at most: a write the socket takes at once (its
#: buffer is 16 KB or more) never has to wait, so it never reads ahead either; the
#: rest of a refill follows after the next answers.
WRITE_BYTES = 16 * 1024
#: What an answer of unknown size (TOP) is taken to cost before any has been seen.
FIRST_GUESS = 4096
#: Added to a known message size for the status line and the terminator.
ANSWER_OVERHEAD = 64


class Window:
    """What a pipeline may keep in flight: bytes, not a fixed count of commands.

    Each command is charged its own bytes and the bytes its answer is expected to take:
    the LIST size for RETR, the mean size of the answers seen so far for TOP (whose
    size is unknown before it arrives). The number in flight thus adapts: thousands of
    ``TOP n 0``, a handful of RETRs of big messages, never fewer than one. Without
    PIPELINING exactly one command is in flight. Refills go out once a quarter of the
    budget is free, in one write each.
    """

    def __init__(
        self,
        *,
        pipelining: bool = True,
        answer_bytes: int = WINDOW_BYTES,
        command_bytes: int = WINDOW_COMMAND_BYTES,
    ) -> None:
        self.pipelining = pipelining
        self.answer_bytes = answer_bytes
        self.command_bytes = command_bytes
        self.count = 0  # commands in flight
        self.answers = 0  # their expected answer bytes
        self.commands = 0  # their command bytes
        self._seen = 0
        self._seen_bytes = 0

    def guess(self, known: int | None) -> int:
        """The bytes an answer is expected to take (``known``: the message size)."""
        if known is not None:
            return known + ANSWER_OVERHEAD
        return self._seen_bytes // self._seen if self._seen else FIRST_GUESS

    def wants_refill(self) -> bool:
        if self.count == 0:
            return True
        return (
            self.pipelining
            and self.answers * 4 <= self.answer_bytes * 3
            and self.commands * 4 <= self.command_bytes * 3
        )

    def room(self, answer: int, command: int) -> bool:
        """Whether one more command may go out now (always when none is in flight)."""
        if self.count == 0:
            return True
        return (
            self.pipelining
            and self.answers + answer <= self.answer_bytes
            and self.commands + command <= self.command_bytes
        )

    def sent(self, answer: int, command: int) -> None:
        self.count += 1
        self.answers += answer
        self.commands += command

    def answered(self, answer: int, command: int, actual: int | None) -> None:
        """One answer was read; ``actual`` (its size) teaches the guess for unknowns."""
        self.count -= 1
        self.answers -= answer
        self.commands -= command
        if actual is not None:
            self._seen += 1
            self._seen_bytes += actual


def _unknown(_num: int) -> int | None:
    return None


class Session:
    """Line-level POP3 dialogue over one transport."""

    def __init__(self, transport: Transport, log: ProtocolLog) -> None:
        self.transport = transport
        self.log = log

    def command(self, line: bytes) -> Status:
        """Send one command and parse its status line."""
        return self.parse(self.exchange(line))

    def exchange(self, line: bytes, *, secret: bool = False) -> bytes:
        """Send one command line and return the raw first answer line."""
        self.send_many([line], secret=secret)
        return self.read_line()

    def send_many(self, lines: list[bytes], *, secret: bool = False) -> None:
        """Send command lines in one write (``secret`` hides them from the log)."""
        for line in lines:
            if b"\r" in line or b"\n" in line:
                raise ValueError("a POP3 command cannot contain a line break")
            self.log.sent(line, secret=secret)
        data = b"".join(line + CRLF for line in lines)
        self.guard(lambda: self.transport.send(data))

    def read_status(self) -> Status:
        return self.parse(self.read_line())

    def read_line(self) -> bytes:
        line = self.guard(self.transport.read_line)
        self.log.received(line)
        return line

    def parse(self, line: bytes) -> Status:
        return self.guard(lambda: parse_status(line))

    def read_lines(self, max_bytes: int) -> list[bytes]:
        """The raw (still dot-stuffed) lines of a multi-line answer; logged by size."""
        lines = self.guard(lambda: self.transport.read_multiline(max_bytes))
        self.log.body(sum(len(x) + 2 for x in lines), len(lines))
        return lines

    def read_body(self, status: Status, max_bytes: int) -> bytes | None:
        """After ``status``: the unstuffed CRLF body if +OK, None if -ERR."""
        return self._logged_body(max_bytes) if status.ok else None

    def read_answer(self, max_bytes: int) -> bytes | None:
        """A whole multi-line answer (status line and body) in one step: the unstuffed
        body after +OK, None after -ERR.

        The same as :meth:`read_status` then :meth:`read_body`, with the Python work
        of a pipelined TOP or RETR answer cut to what it needs (a status object is made
        only for an answer that is not a plain +OK).
        """
        transport = self.transport
        try:
            line = transport.read_line()
            if not (line[:3] == b"+OK" and (len(line) == 3 or line[3] == 0x20)):
                status = parse_status(line)  # -ERR, or a ProtocolError for garbage
                self.log.received(line)
                return None if not status.ok else self._logged_body(max_bytes)
            logging = self.log.enabled
            if logging:
                self.log.received(line)
            body = transport.read_block(max_bytes)
        except (ConnectionFailed, ProtocolError):
            self.abort()
            raise
        if logging:
            self.log.body(len(body), body.count(b"\n"))
        return body

    def _logged_body(self, max_bytes: int) -> bytes:
        body = self.guard(lambda: self.transport.read_block(max_bytes))
        if self.log.enabled:
            self.log.body(len(body), body.count(b"\n"))
        return body

    def pipeline(
        self,
        nums: list[int],
        command: Callable[[int], bytes],
        read: Callable[[], T],
        *,
        pipelining: bool,
        size: Callable[[int], int | None] | None = None,
        window: Window | None = None,
    ) -> Iterator[tuple[int, T]]:
        """Send ``command(n)`` for each number and yield ``(n, read())`` in order.

        With PIPELINING (RFC 2449 §6.6; answers come back in order) as many commands
        are in flight as the :class:`Window` allows, ``size(n)`` being the expected
        size of the answer to ``n`` (None: unknown, learned from the answers); refills
        go out in writes of at most WRITE_BYTES, and a write that would block reads the
        answers already arriving (so no buffer can deadlock). Without it, one at a time.
        """
        win = window or Window(pipelining=pipelining)
        expected = size or _unknown
        pending: deque[tuple[int, int, int, bool]] = deque()
        sent = 0
        try:
            while pending or sent < len(nums):
                if sent < len(nums) and win.wants_refill():
                    batch: list[bytes] = []
                    written = 0
                    while sent < len(nums) and written < WRITE_BYTES:
                        num = nums[sent]
                        line = command(num)
                        known = expected(num)
                        answer = win.guess(known)
                        if not win.room(answer, len(line) + 2):
                            break
                        win.sent(answer, len(line) + 2)
                        pending.append((num, answer, len(line) + 2, known is None))
                        batch.append(line)
                        written += len(line) + 2
                        sent += 1
                    if batch:
                        self.send_many(batch)
                before = self.transport.consumed
                result = read()
                num, answer, cost, learn = pending.popleft()
                win.answered(answer, cost, self.transport.consumed - before if learn else None)
                yield num, result
        except GeneratorExit:
            # The caller stopped early: read the answers still in flight so the session
            # stays in step; if that fails the connection is closed (nothing commits).
            try:
                for _ in range(len(pending)):
                    read()
            except BaseException:
                self.abort()
            raise
        except BaseException:
            self.abort()  # answers are out of step with commands: the session is lost
            raise

    def guard(self, action: Callable[[], T]) -> T:
        """Run a transport step; a broken or out-of-step connection is closed at once."""
        try:
            return action()
        except (ConnectionFailed, ProtocolError):
            self.abort()
            raise

    def abort(self) -> None:
        self.transport.close()
