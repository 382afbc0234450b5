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


def hostile_header_blocks(size: int = 100_000) -> dict[str, bytes]:
    """Header blocks built to make header parsers slow, by name (each about ``size`` long).

    The shapes of issue 10 - a display name of dots (76 s in the stdlib's address parser),
    long address lists, deeply nested comments and quotes, thousands of encoded-words,
    many fields, one endless line - and variants that defeat each shortcut a summarizer
    may take (a comment per mailbox, unquoted phrases, half-open encoded-words...).
    Generated, not committed: they would only be megabytes of repetition.
    """
    n = size
    end = b"\r\n\r\n"
    blocks = {
        "dots_display_name": b"From: " + b"." * n + b" <a@example.com>" + end,
        "dots_alone": b"From: " + b"." * n + end,
        "address_list": b"To: " + b", ".join(b"user%d@example.com" % i for i in range(n // 20)),
        "named_address_list": b"Cc: "
        + b", ".join(b"User %d <user%d@example.com>" % (i, i) for i in range(n // 30)),
        "commented_address_list": b"To: "
        + b", ".join(b"(c) user%d@example.com" % i for i in range(n // 24)),
        "unquoted_phrase_list": b"To: " + b", ".join(b"a b" for _ in range(n // 5)),
        "nested_comments": b"From: " + b"(" * (n // 2) + b")" * (n // 2) + b" a@example.com",
        "unclosed_comments": b"From: a@example.com " + b"(" * n,
        "comments_and_quotes": b"From: " + b'("' * (n // 2) + b" <a@example.com>",
        "quoted_strings": b"From: " + b'"a"' * (n // 3) + b" <a@example.com>",
        "escaped_quotes": b'From: "' + b'\\"' * (n // 2),
        "backslashes": b"To: " + b"\\" * n,
        "encoded_words_subject": b"Subject: " + b"=?utf-8?q?a?= " * (n // 14),
        "encoded_words_name": b"From: " + b"=?utf-8?q?a?= " * (n // 14) + b"<a@example.com>",
        "glued_encoded_words": b"Subject: " + b"x=?utf-8?q?a?=" * (n // 14),
        "glued_encoded_words_name": b"From: " + b"x=?utf-8?q?a?=" * (n // 14),
        "unclosed_encoded_words": b"Subject: " + b"=?a " * (n // 4) + b"?=",
        "unclosed_encoded_words_name": b"From: " + b"=?a " * (n // 4) + b"?=",
        "question_marks": b"From: " + b"=?a?b?" * (n // 6),
        "angle_brackets": b"From: " + b"<" * n,
        "routes": b"From: <" + b"@a," * (n // 3),
        "groups": b"To: " + b"g:" * (n // 2),
        "domain_literals": b"To: a@[" + b"[" * n,
        "literal_list": b"To: " + b"a@[1]," * (n // 6),
        "long_date": b"Date: " + b"1" * n,
        "long_message_id": b"Message-ID: " + b"<" * n,
        "eight_bit_name": b"From: " + "é".encode() * (n // 2) + b" <a@example.com>",
        "many_fields": b"".join(b"X-Field-%d: v\r\n" % i for i in range(n)) + b"From: a@b",
        "many_continuation_lines": b"Subject: x\r\n" + b" y\r\n" * n,
        "cr_only_lines": b"Subject: x\r" * (n // 11),
    }
    blocks = {name: b if b.endswith(end) else b + end for name, b in blocks.items()}
    # One 50 MB "header" line with no line end at all (a message without a blank line).
    blocks["one_50mb_line"] = b"Subject: " + b"x" * (50 << 20)
    return blocks
