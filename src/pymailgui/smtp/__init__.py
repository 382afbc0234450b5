"""Sending mail over SMTP: TLS, STARTTLS, AUTH, CRLF and dot rules, Outbox and Sent.

Layers: ``wire`` (pure functions over message bytes and addresses), ``client`` (an
``smtplib.SMTP`` with a bounded reply reader and a redacted protocol log), ``session``
(connect, TLS, EHLO, AUTH), ``send`` (one mail transaction), ``outbox`` (the "never
lost" flow over local folders).
"""

from __future__ import annotations

from pymailgui.smtp.outbox import FolderLike, send_and_file
from pymailgui.smtp.result import DeliveryUncertain, SendResult
from pymailgui.smtp.send import send_message

__all__ = ["DeliveryUncertain", "FolderLike", "SendResult", "send_and_file", "send_message"]
