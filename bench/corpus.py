"""Deterministic, realistic mail: the same seed always gives the same bytes.

Header blocks look like what a POP3 server really holds: 2-7 Received lines, DKIM and
ARC signatures, Authentication-Results, mailing-list and bulk-mail headers, long
References chains in threads, many recipients at work, display names in RFC 2047
(UTF-8, ISO-8859-1, Windows-1252, ISO-2022-JP) and some raw 8-bit UTF-8, encoded and
emoji subjects. Bodies are text/plain (7bit, 8bit, quoted-printable),
multipart/alternative, multipart/mixed with base64 attachments, multipart/related
with an inline image, and multipart/report bounces; some lines start with "." (so the
server stuffs them). Sizes follow a long-tailed mix: most messages 2-10 KB, a fifth
10-60 KB, a few 60 KB-1 MB (mean about 20 KB, so 100,000 messages fit in memory).

Message ``i`` depends only on ``(seed, i)``: a corpus of 1,000 is the start of the
corpus of 10,000. Built from templates (about 30 us a message), not the email
package, so 100,000 messages take seconds.
"""

from __future__ import annotations

import base64
import binascii
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

CRLF = b"\r\n"
_START = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)

_WORDS = [
    "meeting",
    "report",
    "budget",
    "quarterly",
    "review",
    "draft",
    "attached",
    "please",
    "find",
    "below",
    "thanks",
    "regards",
    "schedule",
    "project",
    "update",
    "deadline",
    "invoice",
    "delivery",
    "server",
    "release",
    "notes",
    "the",
    "of",
    "and",
    "to",
    "in",
    "for",
    "on",
    "with",
    "at",
    "by",
    "from",
    "about",
    "next",
    "week",
    "today",
    "tomorrow",
    "team",
    "café",
    "naïve",
    "déjà",
    "über",
    "straße",
    "smörgåsbord",
    "jalapeño",
    "façade",
    "coöperate",
]

# (display name, local part): plain ASCII, Latin-1 and beyond, CJK.
_PEOPLE = [
    ("Alice Martin", "alice.martin"),
    ("Bob Nguyen", "bob"),
    ("Chloé Dubois", "chloe.dubois"),
    ("Dmitri Ivanov", "d.ivanov"),
    ("Eva Müller", "eva.mueller"),
    ("Farid Haddad", "farid"),
    ("Łukasz Żółć", "lukasz"),
    ("Zoë O'Brien", "zoe.obrien"),
    ("José Ñúñez", "jose"),
    ("田中 太郎", "tanaka"),
    ("Ørjan Sæther", "orjan"),
    ("Renée d'Arc, PhD", "renee"),
    ("Support Team", "support"),
    ("Newsletter", "news"),
]
_DOMAINS = ["example.net", "example.org", "example.com", "mail.example.net", "lists.example.org"]
_CHARSETS = ["utf-8", "utf-8", "iso-8859-1", "windows-1252"]


def _b_word(text: str, charset: str) -> str:
    data = base64.b64encode(text.encode(charset)).decode("ascii")
    return f"=?{charset.upper()}?B?{data}?="


def _q_word(text: str, charset: str) -> str:
    raw = text.encode(charset)
    out = "".join(
        chr(b) if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122) else "_" if b == 32
        else f"={b:02X}"
        for b in raw
    )  # fmt: skip
    return f"=?{charset}?Q?{out}?="


def _encode_name(rng: random.Random, name: str) -> str:
    """A display name as mailers write it: plain, quoted, RFC 2047 or raw 8-bit."""
    if name.isascii():
        return f'"{name}"' if any(c in name for c in ",.'") else name
    if "田" in name:
        return f"=?ISO-2022-JP?B?{base64.b64encode(name.encode('iso-2022-jp')).decode()}?="
    pick = rng.random()
    if pick < 0.15:
        return name  # raw UTF-8 in a header (RFC 6532 mailers, or broken ones)
    charset = rng.choice(_CHARSETS)
    try:
        name.encode(charset)
    except UnicodeEncodeError:
        charset = "utf-8"
    return _b_word(name, charset) if pick < 0.6 else _q_word(name, charset)


def _address(rng: random.Random, person: tuple[str, str] | None = None) -> str:
    name, local = person or rng.choice(_PEOPLE)
    return f"{_encode_name(rng, name)} <{local}@{rng.choice(_DOMAINS)}>"


def _fold(name: str, items: list[str], sep: str = ",") -> str:
    """``Name: a, b, c`` folded at about 78 columns (RFC 5322 §2.2.3)."""
    lines, line = [], f"{name}:"
    for i, item in enumerate(items):
        piece = f" {item}{sep if i < len(items) - 1 else ''}"
        if len(line) + len(piece) > 78 and line.strip() != f"{name}:":
            lines.append(line)
            line = " " + piece.lstrip()
        else:
            line += piece
    lines.append(line)
    return "\r\n".join(lines)


def _sig_value(rng: random.Random, chars: int) -> str:
    blob = base64.b64encode(rng.randbytes(chars * 3 // 4)).decode("ascii")
    return "\r\n\t".join(blob[i : i + 70] for i in range(0, len(blob), 70))


def _received(rng: random.Random, hop: int, when: datetime) -> str:
    host = f"mx{hop}.{rng.choice(_DOMAINS)}"
    via = rng.choice(["ESMTPS", "ESMTPSA", "ESMTP", "LMTP"])
    tls = " (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256)" if "S" in via else ""
    return (
        f"Received: from {host} ({host} [127.0.0.{hop + 1}])\r\n"
        f"\tby mail.example.org (Postfix) with {via} id {rng.getrandbits(48):012X}{tls}\r\n"
        f"\tfor <alice@example.org>; {format_datetime(when - timedelta(seconds=hop * 3))}"
    )


def _dkim(rng: random.Random, domain: str) -> str:
    return (
        f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain};\r\n"
        f"\ts=selector{rng.randint(1, 2)}; t={rng.getrandbits(31)};\r\n"
        "\th=from:to:cc:subject:date:message-id:mime-version:content-type;\r\n"
        f"\tbh={base64.b64encode(rng.randbytes(32)).decode()};\r\n"
        f"\tb={_sig_value(rng, 344)}"
    )


def _arc(rng: random.Random) -> list[str]:
    return [
        f"ARC-Seal: i=1; a=rsa-sha256; t={rng.getrandbits(31)}; cv=none; d=example.net;\r\n"
        f"\ts=arc-2026; b={_sig_value(rng, 344)}",
        "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net;\r\n"
        f"\ts=arc-2026; h=to:subject:message-id:date:from; bh="
        f"{base64.b64encode(rng.randbytes(32)).decode()};\r\n\tb={_sig_value(rng, 344)}",
        "ARC-Authentication-Results: i=1; mx.example.net; dkim=pass header.d=example.net;\r\n"
        "\tspf=pass smtp.mailfrom=example.net; dmarc=pass (p=REJECT) header.from=example.net",
    ]


def _subject(rng: random.Random, index: int, thread: bool) -> str:
    words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 12)))
    text = f"[{index:06d}] {words}"
    if index % 11 == 0:
        text += " 🚀 ready"
    if thread:
        text = rng.choice(["Re: ", "RE: ", "Re: Re: ", "Fwd: ", "AW: "]) + text
    if text.isascii() and rng.random() < 0.85:
        return _fold("Subject", text.split(" "), sep="")
    charset = "utf-8"
    words_enc = [_b_word(text[i : i + 30], charset) for i in range(0, len(text), 30)]
    return "Subject: " + "\r\n ".join(words_enc)


def _text_pool(seed: int) -> list[bytes]:
    rng = random.Random(seed)
    lines: list[bytes] = []
    for i in range(4000):
        line = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 12)))
        if i % 97 == 0:
            line = "." + line  # a line the server must dot-stuff
        elif i % 89 == 0:
            line = "-- "
        lines.append(line.capitalize().encode("utf-8")[:76] + CRLF)
    return lines


_POOL = _text_pool(20260105)


def _text(rng: random.Random, size: int) -> bytes:
    start = rng.randrange(len(_POOL))
    out: list[bytes] = []
    total = 0
    while total < size:
        line = _POOL[(start + len(out)) % len(_POOL)]
        out.append(line)
        total += len(line)
    return b"".join(out)


def _qp(data: bytes) -> bytes:
    return binascii.b2a_qp(data.replace(CRLF, b"\n"), istext=True).replace(b"\n", CRLF)


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", CRLF)


def _size(rng: random.Random) -> int:
    pick = rng.random()
    if pick < 0.75:
        return rng.randint(2_000, 10_000)
    if pick < 0.95:
        return rng.randint(10_000, 60_000)
    if pick < 0.995:
        return rng.randint(60_000, 300_000)
    return rng.randint(300_000, 1_000_000)


def _body(rng: random.Random, index: int, size: int) -> tuple[list[str], bytes]:
    """(MIME header lines, body bytes) of about ``size`` bytes."""
    boundary = f"=_bench_{index}_{rng.getrandbits(40):010x}"
    shape = rng.random()
    if size > 40_000 and shape < 0.5:  # attachments carry the size
        raw = rng.randbytes(max((size - 3000) * 3 // 4, 100))
        name = rng.choice(["report.pdf", "photo.jpg", "data.zip", "Übersicht.xlsx"])
        ctype = {"pdf": "application/pdf", "jpg": "image/jpeg", "zip": "application/zip"}.get(
            name.rsplit(".", 1)[1], "application/vnd.ms-excel"
        )
        fname = name if name.isascii() else f"UTF-8''{name.encode().hex('%').upper()}"
        param = f'filename="{name}"' if name.isascii() else f"filename*={fname}"
        body = (
            (
                f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                "Content-Transfer-Encoding: 8bit\r\n\r\n"
            ).encode()
            + _text(rng, 1200)
            + (
                f'\r\n--{boundary}\r\nContent-Type: {ctype}; name="{name}"\r\n'
                f"Content-Disposition: attachment; {param}\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n"
            ).encode()
            + _b64(raw)
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return [f'Content-Type: multipart/mixed; boundary="{boundary}"'], body
    if index % 40 == 7:  # a bounce (RFC 3464)
        body = (
            f"--{boundary}\r\nContent-Type: text/plain\r\n\r\n"
            "This is the mail system at host mail.example.org.\r\n"
            "I'm sorry to have to inform you that your message could not be delivered.\r\n"
            f"\r\n--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mail.example.org\r\n\r\nFinal-Recipient: rfc822; x@example.net"
            f"\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--{boundary}\r\n"
            "Content-Type: text/rfc822-headers\r\n\r\nFrom: alice@example.org\r\n"
            f"Subject: earlier message\r\n\r\n--{boundary}--\r\n"
        ).encode()
        report = (
            f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"'
        )
        return [report], body
    if shape < 0.45:
        text = _text(rng, size - 1500)
        if shape < 0.25:
            return [
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: 8bit",
            ], text
        return [
            'Content-Type: text/plain; charset="utf-8"; format=flowed',
            "Content-Transfer-Encoding: quoted-printable",
        ], _qp(text)
    half = max((size - 2500) // 3, 300)
    text = _text(rng, half)
    html = b"<html><body><p>" + text.replace(CRLF, b"<br>\r\n") + b"</p></body></html>\r\n"
    inner = (
        (
            f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        ).encode()
        + _qp(text)
        + (
            f"\r\n--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        ).encode()
        + _qp(html)
    )
    if shape > 0.9:  # an inline image: multipart/related
        inner += (
            f"\r\n--{boundary}\r\nContent-Type: image/png\r\nContent-ID: <logo{index}@bench>\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode() + _b64(rng.randbytes(1500))
        kind = "related"
    else:
        kind = "alternative"
    return [f'Content-Type: multipart/{kind}; boundary="{boundary}"'], inner + (
        f"\r\n--{boundary}--\r\n".encode()
    )


def make_message(index: int, seed: int = 1939) -> bytes:
    """Message number ``index`` (from 1) of the corpus ``seed``."""
    rng = random.Random(seed * 1_000_003 + index)
    when = _START + timedelta(minutes=index)
    kind = rng.random()  # personal, bulk/list, or a work thread
    bulk, thread = 0.3 <= kind < 0.65, kind >= 0.65
    sender = rng.choice(_PEOPLE[-2:]) if bulk else rng.choice(_PEOPLE[:-2])
    domain = rng.choice(_DOMAINS)
    head = [
        f"Return-Path: <bounce-{index}@{domain}>",
        "Delivered-To: alice@example.org",
    ]
    head += [_received(rng, hop, when) for hop in range(rng.randint(2, 7))]
    head.append(
        "Authentication-Results: mail.example.org; dkim=pass (2048-bit key) "
        f"header.d={domain};\r\n\tspf=pass smtp.mailfrom={domain}; dmarc=pass header.from={domain}"
    )
    head.append(_dkim(rng, domain))
    if bulk:
        head += _arc(rng)
        head.append(_dkim(rng, "esp.example.com"))
    head.append(f"From: {_address(rng, sender)}")
    recipients = ["Alice <alice@example.org>"]
    if thread:
        recipients += [_address(rng) for _ in range(rng.randint(1, 25))]
    head.append(_fold("To", recipients))
    if thread and rng.random() < 0.6:
        head.append(_fold("Cc", [_address(rng) for _ in range(rng.randint(1, 15))]))
    head.append(_subject(rng, index, thread))
    head.append(f"Date: {format_datetime(when)}")
    head.append(f"Message-ID: <bench.{index}.{rng.getrandbits(64):016x}@{domain}>")
    if thread:
        refs = [
            f"<t{index % 997}.{k}.{rng.getrandbits(32):08x}@{domain}>"
            for k in range(rng.randint(1, 20))
        ]
        head.append(f"In-Reply-To: {refs[-1]}")
        head.append(_fold("References", refs, sep=""))
        head.append(f"Thread-Index: {base64.b64encode(rng.randbytes(22)).decode()}")
    if bulk:
        head += [
            f"List-Id: Bench News <news.{domain}>",
            f"List-Unsubscribe: <https://{domain}/u/{rng.getrandbits(64):x}>,\r\n"
            f" <mailto:unsubscribe-{index}@{domain}>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            f"Feedback-ID: {rng.getrandbits(20)}:campaign:bench",
            "Precedence: bulk",
        ]
    head.append(rng.choice(["X-Mailer: Bench Mailer 4.2", "User-Agent: Mutt/2.2.9"]))
    head.append("MIME-Version: 1.0")
    mime, body = _body(rng, index, _size(rng))
    head += mime
    return "\r\n".join(head).encode("utf-8") + CRLF + CRLF + body


def iter_messages(count: int, seed: int = 1939, start: int = 1) -> Iterator[bytes]:
    """Messages ``start`` .. ``start + count - 1`` of the corpus, one at a time."""
    for index in range(start, start + count):
        yield make_message(index, seed)


def make_messages(count: int, seed: int = 1939) -> list[bytes]:
    """The first ``count`` messages of the corpus ``seed``."""
    return list(iter_messages(count, seed))


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
