"""Reading the header block of a stored message: it stops at the blank line or the bound."""

from __future__ import annotations

import io

from pymailgui.store.headers import MAX_HEADER_BYTES, read_header_block


def test_header_block_reading_stops_at_the_blank_line() -> None:
    f = io.BytesIO(b"A: 1\r\nB: 2\r\n\r\nbody\n")
    assert read_header_block(f) == b"A: 1\r\nB: 2\r\n\r\n"
    assert read_header_block(io.BytesIO(b"A: 1\nB: 2\n\nbody\n")) == b"A: 1\nB: 2\n\n"


def test_header_block_reading_stops_at_the_bound() -> None:
    endless = io.BytesIO(b"X-Long: y\n" * (MAX_HEADER_BYTES // 5))
    assert len(read_header_block(endless)) <= MAX_HEADER_BYTES


def test_a_file_without_line_breaks_is_not_read_whole() -> None:
    # One 4 MB "line" (old Mac CR-only mail has no LF at all): only the bound is read.
    stream = io.BytesIO(b"Subject: x\r" + b"y" * (4 << 20))
    assert len(read_header_block(stream)) == MAX_HEADER_BYTES
    assert stream.tell() == MAX_HEADER_BYTES


def test_headers_only_file() -> None:
    assert read_header_block(io.BytesIO(b"Subject: x\r\nTo: y")) == b"Subject: x\r\nTo: y"
    assert read_header_block(io.BytesIO(b"")) == b""
