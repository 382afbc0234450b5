"""Deterministic, realistic test mail: the same seed always gives the same bytes.

Messages look like everyday mail: a few Received lines, RFC 2047 subjects now and then,
plain text or multipart/alternative, sometimes a base64 attachment; sizes spread evenly
over the requested range (2-50 KB by default).
"""

from __future__ import annotations

import base64
import email.policy
import random
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

# SMTP policy: CRLF line ends and 78-column folding, as mail arrives on a POP3 server.
POLICY = email.policy.SMTP

_WORD_TEXT = (
    "meeting report budget quarterly review draft attached please find below thanks "
    "regards schedule project update deadline invoice delivery server release notes "
    "the of and to in for on with at by from about next week today tomorrow team"
)
_WORDS = _WORD_TEXT.split()
_NAMES = [
    "Alice Martin",
    "Bob Nguyen",
    "Chloé Dubois",
    "Dmitri Ivanov",
    "Eva Müller",
    "Farid Haddad",
]
_START = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


def _text(rng: random.Random, size: int) -> str:
    lines: list[str] = []
    total = 0
    while total < size:
        line = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 12)))
        lines.append(line.capitalize() + ".")
        total += len(line) + 3
    return "\n".join(lines) + "\n"


def make_message(index: int, size: int, rng: random.Random) -> bytes:
    """One message of about ``size`` bytes (the body is sized to reach it)."""
    msg = EmailMessage(policy=POLICY)
    for hop in range(rng.randint(2, 4)):
        msg["Received"] = (
            f"from mx{hop}.example.net (mx{hop}.example.net [127.0.0.{hop + 1}]) by "
            f"mail.example.org with ESMTPS id {rng.getrandbits(48):012x}; "
            f"{format_datetime(_START + timedelta(minutes=index))}"
        )
    sender = rng.choice(_NAMES)
    msg["From"] = f"{sender} <{sender.split()[0].lower()}@example.net>"
    msg["To"] = "Alice <alice@example.org>"
    words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 8)))
    msg["Subject"] = f"[{index:04d}] {words}" + (" — café" if index % 7 == 0 else "")
    msg["Date"] = format_datetime(_START + timedelta(minutes=index))
    msg["Message-ID"] = f"<bench-{index}-{rng.getrandbits(32):08x}@example.net>"
    overhead = 1200
    if index % 5 == 0 and size > 8000:  # an attachment takes about a third of the size
        raw = rng.randbytes(size // 4)
        msg.set_content(_text(rng, max(size - len(raw) * 4 // 3 - overhead, 200)))
        msg.add_attachment(
            raw, maintype="application", subtype="octet-stream", filename=f"data-{index}.bin"
        )
    elif index % 3 == 0:
        body = _text(rng, max((size - overhead) // 2, 200))
        msg.set_content(body)
        msg.add_alternative(f"<html><body><p>{body}</p></body></html>\n", subtype="html")
    else:
        msg.set_content(_text(rng, max(size - overhead, 200)))
    if msg.is_multipart():  # the email package picks random boundaries otherwise
        msg.set_boundary(f"==bench-{index}-{rng.getrandbits(32):08x}==")
    return msg.as_bytes(policy=POLICY)


def make_messages(
    count: int, seed: int = 1939, low: int = 2_000, high: int = 50_000
) -> list[bytes]:
    """``count`` messages with sizes spread uniformly over [low, high] bytes."""
    rng = random.Random(seed)
    return [make_message(i + 1, rng.randint(low, high), rng) for i in range(count)]


def big_message(size: int, seed: int = 8314) -> bytes:
    """A message of about ``size`` bytes: a short text and one big base64 attachment.

    Built by hand (the email package would copy a 20 MB payload several times) but in
    the exact shape the email package produces: 76-column base64 lines, CRLF ends.
    """
    rng = random.Random(seed)
    raw = rng.randbytes(size * 3 // 4)
    encoded = base64.encodebytes(raw).replace(b"\n", b"\r\n")
    head = (
        "From: Bob Nguyen <bob@example.net>\r\n"
        "To: Alice <alice@example.org>\r\n"
        "Subject: The full data set\r\n"
        f"Date: {format_datetime(_START)}\r\n"
        "Message-ID: <bench-big@example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="==bench-boundary=="\r\n'
        "\r\n"
        "--==bench-boundary==\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "\r\n"
        "Here is the whole thing.\r\n"
        "\r\n"
        "--==bench-boundary==\r\n"
        "Content-Type: application/octet-stream\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="dataset.bin"\r\n'
        "\r\n"
    ).encode("ascii")
    return head + encoded + b"\r\n--==bench-boundary==--\r\n"
