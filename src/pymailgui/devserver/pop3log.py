"""What one session of the scripted POP3 server received and did, for tests to assert on."""

from __future__ import annotations

from dataclasses import dataclass, field

from pymailgui.devserver.script import Wire


@dataclass(frozen=True)
class Received:
    """One line the client sent, exactly as it arrived (secrets included)."""

    line: bytes  # without its line ending
    tls: bool  # arrived inside TLS
    batch: int  # the read that delivered it (see LineReader.batch)
    discarded: bool = False  # sent in clear after STLS, thrown away unread (RFC 2595 §4)


@dataclass
class SessionLog:
    """What one session did, for tests to assert on.

    ``commands`` is the readable form, with PASS and AUTH responses redacted; the raw
    lines (and every byte, in ``wire``) are kept too, so a test can prove that no
    credential went out in clear: ``log.wire.leaked(user, password) == []``.
    """

    number: int
    peer: tuple[str, int]
    commands: list[str] = field(default_factory=list)  # as received, secrets redacted
    batches: list[int] = field(default_factory=list)  # read batch of each command
    received: list[Received] = field(default_factory=list)  # every line, raw
    wire: Wire = field(default_factory=Wire)  # every byte read, with the TLS state
    user: str | None = None
    tls: bool = False
    quit_received: bool = False
    committed: bool = False
    deleted: list[str] = field(default_factory=list)  # uids removed by this QUIT
    ended: bool = False

    @property
    def verbs(self) -> list[str]:
        """The command keywords, upper-cased."""
        return [c.split(" ", 1)[0].upper() for c in self.commands]

    def lines(self, *, tls: bool | None = None) -> list[bytes]:
        """The raw lines processed (not the discarded ones), optionally only in/out of TLS."""
        return [r.line for r in self.received if not r.discarded and (tls is None or r.tls == tls)]

    @property
    def batch_count(self) -> int:
        """How many reads the commands arrived in (fewer than commands = pipelined)."""
        return len(set(self.batches))

    def record(self, raw: bytes, batch: int, *, secret: bool = False) -> None:
        """Note one line read (a command, or a SASL response when ``secret``)."""
        self.received.append(Received(raw, self.tls, batch))
        line = raw.decode("utf-8", "replace")
        keyword = line.split(" ", 1)[0].upper()
        if secret:
            line = "***"
        elif keyword == "PASS":
            line = "PASS ***"
        elif keyword == "AUTH" and len(line.split(" ")) > 2:
            line = " ".join(line.split(" ")[:2]) + " ***"
        self.commands.append(line)
        self.batches.append(batch)

    def discard(self, data: bytes, batch: int) -> None:
        """Note the clear text thrown away unread when TLS starts (RFC 2595 §4)."""
        for piece in data.split(b"\n"):
            if piece:
                self.received.append(Received(piece.removesuffix(b"\r"), False, batch, True))
