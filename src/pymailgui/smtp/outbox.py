"""The "never lost" send: Outbox first, then SMTP, then Sent.

A message is written durably to Outbox before the first byte goes to the server. Only
when the server accepted it is a copy filed in Sent and the Outbox copy removed, so at
every moment the message exists in at least one local folder. If anything fails, it
stays in Outbox and the error is raised unchanged for the user to see.
"""

from __future__ import annotations

import logging
from typing import Protocol

from pymailgui.config.schema import ServerConfig
from pymailgui.errors import LocalStoreError, MailError
from pymailgui.smtp.result import SendResult
from pymailgui.smtp.send import send_message
from pymailgui.tasks import Task

log = logging.getLogger("pymailgui.smtp.outbox")


class FolderLike(Protocol):
    """A local folder as the sender needs it (store/ provides the real one).

    ``add`` must return only once the message is on disk durably (fsync, rename);
    it returns the new message's key. ``flags`` are Maildir info flags such as "S".
    """

    def add(self, data: bytes, *, flags: str = "") -> str: ...

    def remove(self, key: str) -> None: ...


def send_and_file(
    built_bytes: bytes,
    envelope_from: str,
    recipients: list[str],
    server: ServerConfig,
    password: str | None,
    *,
    outbox: FolderLike,
    sent: FolderLike,
    smtputf8: bool = False,
    local_hostname: str | None = None,
    task: Task | None = None,
    outbox_key: str | None = None,
) -> SendResult:
    """Send ``built_bytes`` with :func:`send_message`, keeping it in Outbox until sent.

    The message is first added to ``outbox`` (or, for a resend, is already there as
    ``outbox_key``). On success it is added to ``sent`` (flag "S", seen; the bytes that
    were sent) and removed from ``outbox``; the :class:`SendResult` is returned (check
    ``refused``: the recipients in it did not get the message). On any failure the
    message stays in ``outbox`` and the error propagates with ``outbox_key`` set, and
    a cancel (Cancelled) leaves it there too. If filing in Sent fails after a
    successful send, the message stays in Outbox and LocalStoreError says it *was*
    sent, so the user does not send it twice.
    """
    key = outbox_key if outbox_key is not None else outbox.add(built_bytes, flags="")
    try:
        result = send_message(
            server,
            password,
            envelope_from,
            recipients,
            built_bytes,
            smtputf8=smtputf8,
            local_hostname=local_hostname,
            task=task,
        )
    except MailError as exc:
        exc.outbox_key = key
        raise
    try:
        sent.add(built_bytes, flags="S")
    except (OSError, LocalStoreError) as exc:
        raise LocalStoreError(
            "The message was sent, but it could not be filed in Sent; it is still in "
            f"Outbox (do not send it again). Reason: {exc}"
        ) from exc
    # Sent holds it now; a failure to remove the Outbox copy only leaves a duplicate.
    try:
        outbox.remove(key)
    except (OSError, LocalStoreError) as exc:
        raise LocalStoreError(
            "The message was sent and filed in Sent, but its copy in Outbox could not be "
            f"removed; delete it from Outbox by hand (do not send it again). Reason: {exc}"
        ) from exc
    log.debug("sent and filed (outbox key %s)", key)
    return result
