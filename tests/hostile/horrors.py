"""A mailbox of horrors: each message built to break a mail client in a known way.

Every builder returns CRLF bytes as a server would serve them. Small horrors are the
parser killers (nesting, charsets, transfer encodings, boundaries, header shapes that
made the ``email`` package quadratic, image bombs); the giants (a 50 MB line, a 100 MB
attachment) are separate so a test can leave them out.
"""

from __future__ import annotations

import base64
import struct
import zlib

CRLF = b"\r\n"


def _message(headers: list[str], body: bytes, *, subject: str) -> bytes:
    head = [
        "From: Horror <horror@example.org>",
        "To: victim@example.org",
        f"Subject: {subject}",
        "Date: Thu, 26 Nov 2026 10:00:00 +0000",
        f"Message-ID: <{subject.replace(' ', '-')}@example.org>",
        "MIME-Version: 1.0",
        *headers,
    ]
    return CRLF.join(line.encode("utf-8") for line in head) + CRLF + CRLF + body


def nested_multiparts(depth: int = 400) -> bytes:
    """``depth`` multiparts inside each other, a text part at the bottom."""
    opening = b"".join(
        b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1)
        for i in range(depth)
    )
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth + 1)))
    bottom = b"--b%d\r\nContent-Type: text/plain\r\n\r\nthe bottom\r\n" % depth
    return _message(
        ["Content-Type: multipart/mixed; boundary=b0"],
        opening + bottom + closing,
        subject="nested multiparts",
    )


def charsets() -> list[bytes]:
    unknown = _message(
        ["Content-Type: text/plain; charset=x-no-such-charset-zz"],
        "Grüße aus Köln\r\n".encode(),
        subject="unknown charset",
    )
    mislabelled = _message(
        ["Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: 8bit"],
        b"caf\xe9 cr\xe8me \x93quoted\x94\r\n",  # cp1252 bytes
        subject="mislabelled charset",
    )
    utf16_lie = _message(
        ["Content-Type: text/plain; charset=utf-16"],
        b"plain ascii, odd length!\r\n",
        subject="utf-16 that is not",
    )
    codec_trap = _message(
        ["Content-Type: text/plain; charset=unicode_escape"],
        b"\\N{SNOWMAN} \\x41 \\U0010ffff\r\n",
        subject="a python codec as a charset",
    )
    return [unknown, mislabelled, utf16_lie, codec_trap]


def transfer_encodings() -> list[bytes]:
    base64_garbage = _message(
        ["Content-Type: text/plain", "Content-Transfer-Encoding: base64"],
        b"SGVsbG8g!!!d29y*bGQ=\r\n=====\r\nAAA\r\n",
        subject="broken base64",
    )
    qp_garbage = _message(
        ["Content-Type: text/plain", "Content-Transfer-Encoding: quoted-printable"],
        b"soft break at the end =\r\n=ZZ not hex =4\r\n" + b"=" * 5000 + b"\r\n",
        subject="broken quoted-printable",
    )
    unknown = _message(
        ["Content-Type: text/plain", "Content-Transfer-Encoding: x-rot13-deluxe"],
        b"Uryyb\r\n",
        subject="unknown transfer encoding",
    )
    return [base64_garbage, qp_garbage, unknown]


def boundaries() -> list[bytes]:
    no_param = _message(
        ["Content-Type: multipart/mixed"],
        b"--x\r\nContent-Type: text/plain\r\n\r\nlost part\r\n--x--\r\n",
        subject="multipart without boundary",
    )
    never_seen = _message(
        ['Content-Type: multipart/alternative; boundary="never-there"'],
        b"--other\r\nContent-Type: text/html\r\n\r\n<b>hi</b>\r\n--other--\r\n",
        subject="boundary never seen",
    )
    unclosed = _message(
        ["Content-Type: multipart/mixed; boundary=u"],
        b"--u\r\nContent-Type: text/plain\r\n\r\nfirst\r\n--u\r\nContent-Type: text/plain"
        b"\r\n\r\nsecond, never closed\r\n",
        subject="unclosed multipart",
    )
    return [no_param, never_seen, unclosed]


def header_shapes() -> list[bytes]:
    """The shapes that made the stdlib's header parser take minutes (issue 10)."""
    dots = _message(
        [],
        b"body\r\n",
        subject="dots in the name",
    ).replace(b"From: Horror <horror@example.org>", b"From: " + b"." * 100_000 + b" <a@b.org>")
    many = ", ".join(f"user{i}@example.org" for i in range(8_000))  # ~160,000 characters
    address_list = _message([f"Cc: {many}"], b"body\r\n", subject="huge address list")
    comments = _message(
        ["Reply-To: " + "(" * 10_000 + "x" + ")" * 10_000 + " <r@example.org>"],
        b"body\r\n",
        subject="nested comments",
    )
    quotes = _message(
        ["Sender: " + '"\\"' * 20_000 + " <s@example.org>"],
        b"body\r\n",
        subject="quotes and escapes",
    )
    words = " ".join("=?utf-8?q?w=C3=B6rd?=" for _ in range(5_000))
    encoded = _message(
        [f"X-Note: {words}"], b"body\r\n", subject="=?utf-8?q?many?= " + words[:50_000]
    )
    fields = _message(
        [f"X-Field-{i}: value {i}" for i in range(100_000)],
        b"body\r\n",
        subject="100000 header fields",
    )
    return [dots, address_list, comments, quotes, encoded, fields]


def bomb_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A small, valid-looking PNG that declares ``width`` x ``height`` pixels.

    Decoded at full size it would need width * height * 4 bytes (10 GB for the
    default); only a renderer that checks the header first survives it.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 65536, 9)  # the first rows only
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def image_bomb() -> bytes:
    png = base64.encodebytes(bomb_png()).replace(b"\n", CRLF)
    body = (
        b"--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b'<p>look</p><img src="cid:bomb@x"><img src="data:image/png;base64,'
        + base64.b64encode(bomb_png(30_000, 30_000))
        + b'">\r\n--r\r\nContent-Type: image/png\r\nContent-ID: <bomb@x>\r\n'
        b"Content-Transfer-Encoding: base64\r\nContent-Disposition: inline; "
        b"filename=bomb.png\r\n\r\n" + png + b"--r--\r\n"
    )
    return _message(
        ['Content-Type: multipart/related; boundary=r; type="text/html"'],
        body,
        subject="image bomb",
    )


def small_horrors() -> list[bytes]:
    return [
        nested_multiparts(),
        *charsets(),
        *transfer_encodings(),
        *boundaries(),
        *header_shapes(),
        image_bomb(),
    ]


def long_line(size: int = 50 * 1024 * 1024) -> bytes:
    """One body line of ``size`` bytes."""
    return _message(["Content-Type: text/plain"], b"L" * size + CRLF, subject="a 50 MB line")


def big_attachment(size: int = 100 * 1024 * 1024) -> bytes:
    """A text part and one attachment of ``size`` bytes (base64: a third more)."""
    data = base64.encodebytes(b"\x00\xff" * (size // 2)).replace(b"\n", CRLF)
    body = (
        b"--a\r\nContent-Type: text/plain\r\n\r\nsee the attachment\r\n"
        b"--a\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64"
        b"\r\nContent-Disposition: attachment; filename=huge.bin\r\n\r\n" + data + b"--a--\r\n"
    )
    return _message(
        ["Content-Type: multipart/mixed; boundary=a"], body, subject="a 100 MB attachment"
    )
