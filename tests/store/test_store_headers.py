"""Header summaries over bytes: decoding, fallbacks, bounds."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from pymailgui.store.headers import (
    MAX_FIELD_CHARS,
    MAX_HEADER_BYTES,
    read_header_block,
    summarize,
)


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (b"", False),
        (b"Content-Type: text/plain; charset=utf-8\n", False),
        (b"Content-Type: multipart/alternative; boundary=x\n", False),
        (b"Content-Type: Multipart/Mixed; boundary=x\n", True),
        (b"Content-Type: application/pdf; name=a.pdf\n", True),
        (b"Content-Type: image/png\n", True),
        (b"Content-Type: message/rfc822\n", False),
        (b"Content-Type: garbage\n", False),
    ],
)
def test_has_attachments_from_the_top_level_type(content_type: bytes, expected: bool) -> None:
    assert summarize(b"Subject: x\n" + content_type + b"\n").has_attachments is expected


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (b"Mon, 02 Jan 2023 10:00:00 +0200", datetime(2023, 1, 2, 8, tzinfo=UTC)),
        (b"Mon, 02 Jan 2023 10:00:00 -0000", datetime(2023, 1, 2, 10, tzinfo=UTC)),
        (b"2 Jan 2023 10:00 GMT", datetime(2023, 1, 2, 10, tzinfo=UTC)),
        (b"Mon, 02 Jan 2023 10:00:00", datetime(2023, 1, 2, 10, tzinfo=UTC)),
        (b"not a date", None),
        (b"", None),
    ],
)
def test_dates_are_aware_or_none(date: bytes, expected: datetime | None) -> None:
    got = summarize(b"Date: " + date + b"\n\n").date
    assert got == expected  # equal instants; comparing needs an aware datetime
    assert got is None or got.tzinfo is not None


def test_fields_are_one_bounded_line() -> None:
    s = summarize(
        b"Subject: " + b"x" * (MAX_FIELD_CHARS + 10) + b"\n"
        b"To: a@example.org,\r\n\tb@example.org\n"
        b"Message-ID:\n <id@example.org>\n\n"
    )
    assert len(s.subject) == MAX_FIELD_CHARS
    assert s.to == "a@example.org, b@example.org"
    assert s.message_id == "<id@example.org>"


def test_header_block_reading_stops_at_the_blank_line_or_the_bound() -> None:
    f = io.BytesIO(b"A: 1\r\nB: 2\r\n\r\nbody\n")
    assert read_header_block(f) == b"A: 1\r\nB: 2\r\n\r\n"
    endless = io.BytesIO(b"X-Long: y\n" * (MAX_HEADER_BYTES // 5))
    assert len(read_header_block(endless)) <= MAX_HEADER_BYTES + 16


def test_missing_headers_are_empty_strings() -> None:
    s = summarize(b"\n")
    assert (s.from_, s.to, s.subject, s.message_id, s.date) == ("", "", "", "", None)
