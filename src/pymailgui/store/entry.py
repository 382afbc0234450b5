"""What a folder listing is made of: entries, Maildir flags, the missing-message error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pymailgui.errors import LocalStoreError, UsageError

# Maildir flags (the info "2," suffix): Draft, Flagged, Passed, Replied, Seen, Trashed.
SEEN, REPLIED, FLAGGED, DRAFT, PASSED, TRASHED = "S", "R", "F", "D", "P", "T"
#: Lowercase letters are keywords in Dovecot's extension; kept, not interpreted.
FLAG_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class MessageMissing(LocalStoreError):
    """The message is not (or no longer) in the folder."""


@dataclass(frozen=True)
class FolderEntry:
    """One line of a folder listing; ``number`` (1..N) is for the console."""

    number: int
    key: str
    size: int
    mtime: float
    flags: str
    from_: str
    to: str
    subject: str
    date: datetime | None
    message_id: str
    has_attachments: bool

    @property
    def seen(self) -> bool:
        return SEEN in self.flags

    @property
    def replied(self) -> bool:
        return REPLIED in self.flags


def normalize_flags(flags: str) -> str:
    """Flags as Maildir wants them: unique letters in ASCII order."""
    bad = sorted(set(flags) - FLAG_CHARS)
    if bad:
        raise UsageError(
            f"{''.join(bad)!r} are not message flags; use letters such as S (seen) or R (replied)."
        )
    return "".join(sorted(set(flags)))
