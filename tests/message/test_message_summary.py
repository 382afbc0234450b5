"""The list summarizer: what each column shows, where the header block ends, the caps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from pymailgui.message.summary import (
    MAX_FIELD_CHARS,
    MAX_HEADER_BYTES,
    MAX_SOURCE_CHARS,
    HeaderFields,
    MessageRow,
    header_fields,
    summarize_headers,
)


def _one(header: bytes) -> HeaderFields:
    return summarize_headers(header + b"\r\n\r\n")


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (b"", False),
        (b"Content-Type: text/plain; charset=utf-8\n", False),
        (b"Content-Type: multipart/alternative; boundary=x\n", False),
        (b"Content-Type: Multipart/Mixed; boundary=x\n", True),
        (b"Content-Type: multipart/mixed;\n boundary=x\n", True),
        (b"Content-Type: application/pdf; name=a.pdf\n", True),
        (b"Content-Type: image/png\n", True),
        (b"Content-Type: message/rfc822\n", False),
        (b"Content-Type: garbage\n", False),
    ],
)
def test_has_attachments_from_the_top_level_type(content_type: bytes, expected: bool) -> None:
    assert summarize_headers(b"Subject: x\n" + content_type + b"\n").has_attachments is expected


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (b"Mon, 02 Jan 2023 10:00:00 +0200", datetime(2023, 1, 2, 8, tzinfo=UTC)),
        (b"Mon, 02 Jan 2023 10:00:00 -0000", datetime(2023, 1, 2, 10, tzinfo=UTC)),
        (b"2 Jan 2023 10:00 GMT", datetime(2023, 1, 2, 10, tzinfo=UTC)),
        (b"Mon, 02 Jan 2023 10:00:00", datetime(2023, 1, 2, 10, tzinfo=UTC)),
        (b"Mon, 2 Jan 2023 10:00:00 -0800 (PST)", datetime(2023, 1, 2, 18, tzinfo=UTC)),
        (b"Mon,  2 Jan 2023\r\n 10:00:00 +0000", datetime(2023, 1, 2, 10, tzinfo=UTC)),
        (b"Mon, 31 Feb 2023 10:00:00 +0000", None),
        (b"Mon, 02 Jan 2023 10:00:00 +9999", None),
        (b"not a date", None),
        (b"", None),
    ],
)
def test_dates_are_aware_or_none(date: bytes, expected: datetime | None) -> None:
    got = summarize_headers(b"Date: " + date + b"\n\n").date
    assert got == expected  # equal instants; comparing needs an aware datetime
    assert got is None or got.tzinfo is not None


def test_a_zone_is_kept_as_written() -> None:
    got = _one(b"Date: Tue, 06 Jan 2026 09:15:00 +0530").date
    assert got is not None and got.utcoffset() == timedelta(hours=5, minutes=30)
    assert got == datetime(2026, 1, 6, 9, 15, tzinfo=timezone(timedelta(hours=5, minutes=30)))


def test_fields_are_one_bounded_line() -> None:
    s = summarize_headers(
        b"Subject: " + b"x" * (MAX_FIELD_CHARS + 10) + b"\n"
        b"To: a@example.org,\r\n\tb@example.org\n"
        b"Message-ID:\n <id@example.org>\n\n"
    )
    assert len(s.subject) == MAX_FIELD_CHARS
    assert s.to == "a@example.org, b@example.org"
    assert s.message_id == "<id@example.org>"


def test_missing_headers_are_empty_strings() -> None:
    s = summarize_headers(b"\n")
    assert (s.from_, s.to, s.cc, s.subject, s.message_id, s.date) == ("", "", "", "", "", None)
    assert summarize_headers(b"") == s


@pytest.mark.parametrize(
    ("header", "shown"),
    [
        (b"From: bob@example.com", "bob@example.com"),
        (b"From: <bob@example.com>", "bob@example.com"),
        (b"From: Bob   Smith <bob@example.com>", "Bob Smith <bob@example.com>"),
        (b'From: "Bob Smith" <bob@example.com>', "Bob Smith <bob@example.com>"),
        # Specials in a name keep it quoted: a name never poses as an address or a list.
        (b'From: "Smith, Bob" <bob@example.com>', '"Smith, Bob" <bob@example.com>'),
        (b'From: "bob@bank.example" <x@evil.example>', '"bob@bank.example" <x@evil.example>'),
        (b"From: J. Smith <j@example.com>", '"J. Smith" <j@example.com>'),
        (b"From: bob@example.com (Bob Smith)", "bob@example.com"),
        (b"From: Bob (work) <bob@example.com>", "Bob <bob@example.com>"),
        (b"From: =?utf-8?q?J=C3=BCrgen?= <j@example.com>", "Jürgen <j@example.com>"),
        (b'From: "=?utf-8?q?J=C3=BCrgen?=" <j@example.com>', "Jürgen <j@example.com>"),
        (b"From: =?utf-8?q?Doe=2C_John?= <j@example.com>", '"Doe, John" <j@example.com>'),
        (b"From: MAILER-DAEMON <>", "MAILER-DAEMON <>"),
        (b'From: "john doe"@example.com', '"john doe"@example.com'),
        (b"To: undisclosed-recipients:;", "undisclosed-recipients:;"),
        (b"To: Team: a@example.com, B <b@example.com>;", "Team: a@example.com, B <b@example.com>;"),
        (b"To: a@example.com,,b@example.com", "a@example.com, b@example.com"),
        (b"To: <@relay.example:bob@example.com>", "bob@example.com"),
        (b"To: bob@[192.0.2.1]", "bob@[192.0.2.1]"),
        (b"From: J\xc3\xbcrgen <j@example.com>", "Jürgen <j@example.com>"),  # RFC 6532
        (b"From: J\xfcrgen <j@example.com>", "Jürgen <j@example.com>"),  # legacy latin-1
    ],
)
def test_addresses_are_shown_as_the_full_parser_shows_them(header: bytes, shown: str) -> None:
    fields = _one(header)
    assert (fields.from_ or fields.to) == shown


def test_adjacent_encoded_words_of_a_name_join() -> None:
    # RFC 2047 section 6.2: the white space between two encoded-words is not shown, so a
    # long name that a mailer folded into two words reads as one (the stdlib adds a space).
    got = _one(b"From: =?UTF-8?B?5bGx55Sw?=\r\n =?UTF-8?B?5aSq6YOO?= <taro@example.jp>")
    assert got.from_ == "山田太郎 <taro@example.jp>"
    got = _one(b"From: =?utf-8?q?a?= (note) =?utf-8?q?b?= <x@example.com>")
    assert got.from_ == "a b <x@example.com>"  # a comment between them: not adjacent
    assert _one(b"Subject: =?utf-8?q?a?=  =?utf-8?q?b?= c").subject == "ab c"
    got = _one(b'From: =?utf-8?q?a?=" "=?utf-8?q?b?= <x@example.com>')
    assert got.from_ == "a b <x@example.com>"  # a quoted space between them is text


def test_encoded_words_are_decoded_leniently() -> None:
    assert _one(b"Subject: =?utf-8?q?caf=E9?=").subject == "café"  # latin-1 bytes
    assert _one(b"Subject: =?x-unknown?q?caf=C3=A9?=").subject == "café"
    assert _one(b"Subject: =?utf-8?b?Y2Fmw6k?=").subject == "café"  # no padding
    assert _one(b"Subject: =?utf-8?q?a?=b=?utf-8?q?c?=").subject == "abc"  # glued
    assert _one(b"Subject: =?utf-8?q?a=?=").subject == "a="  # Q has no soft breaks
    # UTF-7 can encode a lone surrogate; the full parser raised on it.
    assert _one(b"Subject: =?utf-7?q?+2D8-?=").subject == "?"


def test_no_control_or_bidi_character_survives() -> None:
    got = _one(b"Subject: =?utf-8?q?a=0D=0ABcc=3A_x=00y=E2=80=AEz?=")
    assert got.subject == "a Bcc: xyz"
    got = _one(b"From: =?utf-8?b?4oCuZXZpbA==?= <a@example.com>")
    assert got.from_ == "evil <a@example.com>"


def test_an_encoded_line_break_in_a_name_shows_the_raw_text() -> None:
    # The full parser refuses CR/LF in an address part; the raw words are shown, decoded.
    got = _one(b"From: =?utf-8?q?a=0Db?= <x@example.com>")
    assert got.from_ == "a b <x@example.com>"


def test_header_block_ends_where_the_email_parser_ends_it() -> None:
    assert _one(b"Subject: one\r\n\r\nSubject: body").subject == "one"
    assert summarize_headers(b"Subject: a\nnot a header\nFrom: b@example.com\n").from_ == ""
    assert summarize_headers(b"Subject : x\nTo: a@example.com\n\n").to == ""
    assert summarize_headers(b"Subject: old Mac\rTo: a@example.com\r\rTo: b\r").to == (
        "a@example.com"
    )
    assert summarize_headers(b"From MAILER-DAEMON Mon Jan 1\nFrom: a@example.com\n\n").from_ == (
        "a@example.com"
    )
    # A misplaced envelope line is no field, and what continues it is dropped.
    assert summarize_headers(b"X: 1\nFrom x\n y\nTo: a@example.com\n\n").to == "a@example.com"
    assert _one(b" continued\r\nSubject: x").subject == "x"


def test_the_first_of_repeated_fields_counts() -> None:
    assert _one(b"Subject: first\r\nsubject: second").subject == "first"
    assert _one(b"To:\r\nTo: b@example.com").to == ""


def test_header_fields_unfolds_and_caps() -> None:
    block = b"Subject: a\r\n\tb\r\n c\r\nX-Other: y\r\n\r\n"
    assert header_fields(block) == {b"subject": b"a\tb c"}
    assert header_fields(block, frozenset({b"x-other"})) == {b"x-other": b"y"}
    huge = header_fields(b"Subject: " + b"x" * (MAX_SOURCE_CHARS * 3) + b"\r\n\r\n")
    assert len(huge[b"subject"]) == MAX_SOURCE_CHARS
    late = b"X: " + b"y" * MAX_HEADER_BYTES + b"\r\nSubject: too late\r\n\r\n"
    assert header_fields(late) == {}


def test_message_id_is_the_raw_value() -> None:
    assert _one(b"Message-ID: <=?utf-8?q?x?=@example.com>").message_id == (
        "<=?utf-8?q?x?=@example.com>"
    )


def test_row_sorts_by_date_then_arrival() -> None:
    fields = _one(b"Subject: x")
    row = MessageRow.from_fields("k", 10, fields, received=5.0, flags="RS")
    assert (row.sort_time(), row.seen, row.replied, row.number) == (5.0, True, True, 0)
    dated = MessageRow.from_fields("k", 1, _one(b"Date: Thu, 01 Jan 1970 00:01:00 +0000"))
    assert dated.sort_time() == 60.0
    assert dated.date_iso() == "1970-01-01T00:01:00+00:00"
