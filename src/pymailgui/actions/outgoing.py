"""Outgoing mail: drafts, sending through Outbox, and sending again what waits there.

"No mail ever lost": a message is stored durably in Outbox before the first byte goes
to the server, leaves it only once the server took it (then it is filed in Sent), and
a failed or cancelled send leaves it waiting, with the reason recorded, for a resend.
The Outbox copy carries the Bcc field (the wire copy never does), so a resend reaches
every recipient.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pymailgui.errors import (
    AuthenticationError,
    Cancelled,
    LocalStoreError,
    MailError,
    SendError,
)
from pymailgui.message import Draft, build_message, needs_smtputf8
from pymailgui.message.drafts import draft_bytes
from pymailgui.message.headers import parse_address_list, raw_header
from pymailgui.message.read import parse
from pymailgui.smtp import DeliveryUncertain, SendResult, send_and_file
from pymailgui.store import DRAFTS, OUTBOX, SENT, MessageMissing
from pymailgui.tasks import Task, ensure

if TYPE_CHECKING:
    from pymailgui.actions.account import Account

#: Why an Outbox message waits (recorded per message in the index cache).
FAILED, UNCERTAIN, DELIVERED = "failed", "uncertain", "delivered"


@dataclass(frozen=True)
class OutboxEntry:
    """One message waiting in Outbox."""

    key: str
    subject: str
    to: str
    attempts: int
    last_error: str | None
    #: "failed" (send it again), "uncertain" (the server may have it: ask first),
    #: "delivered" (sent, only filing in Sent failed: never send it again), or ""
    #: (never tried, e.g. the program stopped before).
    state: str


@dataclass(frozen=True)
class SendOutcome:
    """The result of sending one Outbox message again."""

    key: str
    subject: str
    result: SendResult | None = None
    error: MailError | None = None


def save_draft(account: Account, draft: Draft, *, replace: str | None = None) -> str:
    folder = account.folders.folder(DRAFTS, create=True)
    # Maildir "D" draft and "S" seen: your own text is never shown as unread mail.
    key = folder.add(draft_bytes(draft, account.identity()), flags="DS")
    if replace is not None and replace != key:
        with contextlib.suppress(MessageMissing):
            folder.remove(replace)
    return key


def delete_draft(account: Account, key: str) -> None:
    with contextlib.suppress(MessageMissing):
        account.folders.folder(DRAFTS, create=True).remove(key)


def send(
    account: Account,
    draft: Draft,
    task: Task | None,
    *,
    draft_key: str | None = None,
    outbox_key: str | None = None,
) -> SendResult:
    task = ensure(task, "send")
    identity = account.identity()
    # Decided before building (RFC 6531): only an address that needs it asks for it.
    built = build_message(draft, identity, smtputf8=needs_smtputf8(draft, identity))
    outbox = account.folders.folder(OUTBOX, create=True)
    data = built.stored_bytes()
    key = outbox.add(data, flags="S")  # your own message: never "unread"
    # The new copy is durable: earlier versions of this message can go.
    if outbox_key is not None and outbox_key != key:
        with contextlib.suppress(MessageMissing):
            outbox.remove(outbox_key)
        account.cache.outbox_forget(outbox_key)
    if draft_key is not None:
        with contextlib.suppress(MessageMissing):
            account.folders.folder(DRAFTS, create=True).remove(draft_key)
    return _send_waiting(account, key, data, built.envelope_from, built.recipients, task)


def _send_waiting(
    account: Account,
    key: str,
    data: bytes,
    envelope_from: str,
    recipients: list[str],
    task: Task,
) -> SendResult:
    """Send Outbox message ``key``; on any failure it stays there with the reason."""
    try:
        server, password = account.smtp_server()
        result = send_and_file(
            data,
            envelope_from,
            recipients,
            server,
            password,
            outbox=account.folders.folder(OUTBOX, create=True),
            sent=account.folders.folder(SENT, create=True),
            task=task,
            outbox_key=key,
        )
    except MailError as exc:
        if isinstance(exc, AuthenticationError):
            account.refused_password("smtp")
        state = (
            DELIVERED
            if isinstance(exc, LocalStoreError)
            else UNCERTAIN
            if isinstance(exc, DeliveryUncertain)
            else FAILED
        )
        if not isinstance(exc, Cancelled):
            account.cache.outbox_record(key, account.name, str(exc), state)
        failure = exc if isinstance(exc, LocalStoreError) else exc.with_note(_waits(exc))
        failure.outbox_key = key
        raise failure from exc
    account.cache.outbox_forget(key)
    return result


def _waits(exc: MailError) -> str:
    if isinstance(exc, Cancelled):
        return "The message waits in Outbox."
    return "The message waits in Outbox; send it again from there."


def outbox_entries(account: Account) -> list[OutboxEntry]:
    """This account's Outbox messages, oldest first."""
    states = account.cache.outbox_states()
    own = account.settings.own_addresses()
    entries = []
    for row in account.folders.folder(OUTBOX, create=True).entries():
        state = states.get(row.key)
        if state is not None:
            if state.account != account.name:
                continue
        elif not any(a.addr_spec.lower() in own for a in parse_address_list(row.from_)):
            continue  # another account's message that was never tried
        entries.append(
            OutboxEntry(
                key=row.key,
                subject=row.subject,
                to=row.to,
                attempts=state.attempts if state else 0,
                last_error=state.last_error if state else None,
                state=state.state if state else "",
            )
        )
    return entries


def resend(account: Account, keys: Sequence[str] | None, task: Task | None) -> list[SendOutcome]:
    """Send the chosen Outbox messages again, one by one; a cancel stops between them.

    Messages already delivered (only filing in Sent failed) are filed, never resent;
    without ``keys``, ones whose delivery is uncertain are left for the user to decide.
    """
    task = ensure(task, "resend")
    entries = {e.key: e for e in outbox_entries(account)}
    if keys is None:
        chosen = [e for e in entries.values() if e.state != UNCERTAIN]
    else:
        chosen = [entries[k] for k in keys if k in entries]
    outbox = account.folders.folder(OUTBOX, create=True)
    outcomes: list[SendOutcome] = []
    for entry in chosen:
        task.check(f"{_sent_count(outcomes)} of {len(chosen)} were sent; the rest wait in Outbox")
        try:
            data = outbox.get(entry.key)
            if entry.state == DELIVERED:
                account.folders.folder(SENT, create=True).add(data, flags="S")
                outbox.remove(entry.key)
                account.cache.outbox_forget(entry.key)
                outcomes.append(SendOutcome(entry.key, entry.subject, SendResult([], {})))
                continue
            sender, recipients = envelope_of(data, account.settings.address)
            result = _send_waiting(account, entry.key, data, sender, recipients, task)
            outcomes.append(SendOutcome(entry.key, entry.subject, result))
        except Cancelled:
            raise
        except MailError as exc:
            outcomes.append(SendOutcome(entry.key, entry.subject, error=exc))
    return outcomes


def _sent_count(outcomes: list[SendOutcome]) -> int:
    return sum(1 for o in outcomes if o.result is not None)


def envelope_of(data: bytes, default_sender: str) -> tuple[str, list[str]]:
    """The SMTP envelope of a stored outgoing message: its From and every To, Cc and
    Bcc address (the stored copy keeps Bcc for this)."""
    msg = parse(data)
    senders = parse_address_list(raw_header(msg, "From") or "")
    sender = senders[0].addr_spec if senders and senders[0].addr_spec else default_sender
    recipients: list[str] = []
    for name in ("To", "Cc", "Bcc"):
        for value in msg.get_all(name, []) or []:
            for addr in parse_address_list(str(value)):
                if addr.addr_spec and "@" in addr.addr_spec:
                    recipients.append(addr.addr_spec)
    if not recipients:
        raise SendError("The message in Outbox has no recipient; open it and add one.")
    return sender, list(dict.fromkeys(recipients))
