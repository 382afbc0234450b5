"""Building realistic test messages (CRLF line ends, unique Message-IDs)."""

from __future__ import annotations

import itertools

_counter = itertools.count(1)


def make_message(
    subject: str = "Hello",
    body: str = "Hi there.\r\n",
    *,
    sender: str = "Alice Example <alice@example.com>",
    to: str = "bob@example.com",
    date: str = "Thu, 26 Nov 2026 10:00:00 +0000",
    message_id: str | None = None,
    extra_headers: str = "",
) -> bytes:
    """A small RFC 5322 message; a fresh Message-ID unless one is given."""
    n = next(_counter)
    msgid = message_id if message_id is not None else f"<test-{n}@example.com>"
    head = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n"
        f"Message-ID: {msgid}\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
        f"{extra_headers}"
    )
    text = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return (head + "\r\n" + text).encode("utf-8")


def twin_messages(
    body_a: str = "first body\r\n", body_b: str = "other body\r\n"
) -> tuple[bytes, bytes]:
    """Two messages with byte-identical header blocks and the same size, other bodies."""
    assert len(body_a) == len(body_b)
    header = (
        "From: Robot <robot@example.com>\r\nTo: bob@example.com\r\nSubject: Daily report\r\n"
        "Date: Thu, 26 Nov 2026 06:00:00 +0000\r\nMessage-ID: <daily@example.com>\r\n"
    )
    return (header + "\r\n" + body_a).encode(), (header + "\r\n" + body_b).encode()
