"""What a send returns, and the one send failure that needs its own type."""

from __future__ import annotations

from dataclasses import dataclass, field

from pymailgui.errors import SendError


@dataclass(frozen=True)
class SendResult:
    """The server accepted the message for ``accepted``; ``refused`` did not get it.

    ``refused`` maps each refused address to the server's (code, text) reply to its
    RCPT TO (4xx: temporary, try again later; 5xx: permanent). It is empty when every
    recipient was accepted. Accepted recipients got the message exactly once.
    """

    accepted: list[str]
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.refused


class DeliveryUncertain(SendError):
    """The connection broke after the whole message was sent, before the server's answer.

    The server may or may not have accepted it (RFC 5321 §4.1.1.4 makes acceptance the
    "250" after the final dot). The message stays in Outbox; sending it again may give
    the recipients a second copy, so the user decides.
    """
