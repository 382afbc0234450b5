"""What a verb did, in one sentence for the status bar ("13 messages on the server; 2 new")."""

from __future__ import annotations

from collections.abc import Sequence

from pymailgui.actions import SendOutcome
from pymailgui.inbox import RefreshReport


def describe_resend(outcomes: Sequence[SendOutcome]) -> str:
    """What sending Outbox again did: "2 sent; 1 still waits in Outbox: <why>"."""
    sent = [o for o in outcomes if o.result is not None]
    failed = [o for o in outcomes if o.error is not None]
    if not outcomes:
        return "Nothing to send: Outbox holds no message that failed."
    parts = []
    if sent:
        parts.append(f"{len(sent)} sent")
    if failed:
        n = len(failed)
        why = failed[0].error
        parts.append(f"{n} still wait{'s' if n == 1 else ''} in Outbox: {why}")
    return "; ".join(parts) + ("" if parts[-1].endswith(".") else ".")


def describe_refresh(report: RefreshReport, *, first: bool = False) -> str:
    """What a refresh found, for the status bar (``first``: the list was empty before)."""
    total = f"{report.total:,} message{'s' if report.total != 1 else ''} on the server"
    if first and not report.removed:
        return f"{total}."
    changes = []
    if report.removed:
        n = len(report.removed)
        changes.append(
            f"{n} message{'s were' if n != 1 else ' was'} removed on the server by another program"
        )
    if report.added:
        n = len(report.added)
        changes.append(f"{n} new message{'s' if n != 1 else ''}")
    return f"{total}; {', '.join(changes)}." if changes else f"{total}; nothing changed."
