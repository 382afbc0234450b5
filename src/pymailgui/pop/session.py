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
from pymailgui.pop.parse import CRLF, Status, parse_status, unstuff_lines
from pymailgui.pop.transport import Transport

T = TypeVar("T")

#: Commands in flight at most while pipelining (RFC 2449 §6.6). A window of short
#: commands (about 1.5 KB) always fits in the socket buffers, so writing the next
#: window can never block while the server is blocked writing answers we have not read.
PIPELINE_WINDOW = 64


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
        if not status.ok:
            return None
        return unstuff_lines(self.read_lines(max_bytes))

    def pipeline(
        self,
        nums: list[int],
        command: Callable[[int], bytes],
        read: Callable[[], T],
        *,
        pipelining: bool,
    ) -> Iterator[tuple[int, T]]:
        """Send ``command(n)`` for each number and yield ``(n, read())`` in order.

        With PIPELINING (RFC 2449 §6.6; answers come back in order) up to
        PIPELINE_WINDOW commands are in flight, each refill sent in one write once
        half the window has been answered; without it, one command at a time.
        """
        window = PIPELINE_WINDOW if pipelining else 1
        pending: deque[int] = deque()
        sent = 0
        try:
            while pending or sent < len(nums):
                if len(pending) <= window // 2 and sent < len(nums):
                    batch = nums[sent : sent + window - len(pending)]
                    self.send_many([command(n) for n in batch])
                    pending.extend(batch)
                    sent += len(batch)
                result = read()
                yield pending.popleft(), result
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
