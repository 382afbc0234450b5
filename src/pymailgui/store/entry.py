"""Maildir flags and the missing-message error of local folders.

A folder lists its messages as :class:`pymailgui.message.summary.MessageRow`, the row
type of every list.
"""

from __future__ import annotations

from pymailgui.errors import LocalStoreError, UsageError

# Maildir flags (the info "2," suffix): Draft, Flagged, Passed, Replied, Seen, Trashed.
SEEN, REPLIED, FLAGGED, DRAFT, PASSED, TRASHED = "S", "R", "F", "D", "P", "T"
#: Lowercase letters are keywords in Dovecot's extension; kept, not interpreted.
FLAG_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class MessageMissing(LocalStoreError):
    """The message is not (or no longer) in the folder."""


def normalize_flags(flags: str) -> str:
    """Flags as Maildir wants them: unique letters in ASCII order."""
    bad = sorted(set(flags) - FLAG_CHARS)
    if bad:
        raise UsageError(
            f"{''.join(bad)!r} are not message flags; use letters such as S (seen) or R (replied)."
        )
    return "".join(sorted(set(flags)))
