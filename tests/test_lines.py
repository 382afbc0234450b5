"""Line endings and dot-stuffing (pymailgui.lines), shared by POP3, SMTP and the devserver.

Moved here from tests/pop/test_pop_parse.py, tests/smtp/test_smtp_wire.py and
tests/devserver/test_devserver_maildrop.py when the three implementations became one.
"""

from __future__ import annotations

import smtplib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pymailgui import lines
from pymailgui.errors import ProtocolError
from pymailgui.lines import (
    dot_stuff,
    dot_unstuff,
    normalize_line_endings,
    split_lines,
    to_crlf,
    unstuff_line,
    unstuff_lines,
)
from pymailgui.pop import parse
from pymailgui.smtp import wire

# A line: any bytes but CR and LF.
line_bytes = st.binary(max_size=30).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
dotty_line = st.one_of(
    line_bytes, line_bytes.map(lambda b: b"." + b), st.sampled_from([b".", b".."])
)


def test_the_old_names_are_this_implementation() -> None:
    assert parse.dot_stuff is wire.dot_stuff is dot_stuff
    assert parse.dot_unstuff is dot_unstuff and parse.unstuff_lines is unstuff_lines
    assert parse.split_lines is split_lines and parse.CRLF is wire.CRLF is lines.CRLF
    assert wire.normalize_line_endings is normalize_line_endings


# -- RFC 1939 §3 (POP3) ------------------------------------------------------------------


def test_unstuff_rfc1939_section3() -> None:
    wire_form = b"Subject: x\r\n\r\n..\r\n...hidden\r\n.leading\r\nend\r\n.\r\n"
    assert dot_unstuff(wire_form) == b"Subject: x\r\n\r\n.\r\n..hidden\r\nleading\r\nend\r\n"


def test_stuff_known_form() -> None:
    body = b"a\r\n.\r\n..\r\nb"
    assert dot_stuff(body) == b"a\r\n..\r\n...\r\nb\r\n.\r\n"


def test_empty_body() -> None:
    assert dot_stuff(b"") == b".\r\n"
    assert dot_unstuff(b".\r\n") == b""
    assert unstuff_lines([]) == b""


def test_unstuff_rejects_unterminated_or_early_end() -> None:
    with pytest.raises(ProtocolError, match="not terminated"):
        dot_unstuff(b"line\r\n")
    with pytest.raises(ProtocolError, match="ends before"):
        dot_unstuff(b"a\r\n.\r\nb\r\n.\r\n")


def test_split_lines_accepts_lf_and_crlf() -> None:
    assert split_lines(b"a\nb\r\nc") == [b"a", b"b", b"c"]
    assert split_lines(b"a\r\n\r\n") == [b"a", b""]


def test_unstuff_line_drops_exactly_one_dot() -> None:
    assert [unstuff_line(x) for x in (b"..", b"...x", b".x", b"x.", b"")] == [
        b".",
        b"..x",
        b"x",
        b"x.",
        b"",
    ]


@given(st.lists(dotty_line, max_size=30))
def test_stuff_unstuff_round_trip(body_lines: list[bytes]) -> None:
    body = b"".join(line + b"\r\n" for line in body_lines)
    stuffed = dot_stuff(body)
    # The only "." line on the wire is the terminator.
    assert stuffed.split(b"\r\n").index(b".") == len(body_lines)
    assert dot_unstuff(stuffed) == body


@given(st.lists(dotty_line, min_size=1, max_size=30))
def test_stuff_normalises_lf_to_crlf(body_lines: list[bytes]) -> None:
    lf_body = b"".join(line + b"\n" for line in body_lines)
    assert dot_unstuff(dot_stuff(lf_body)) == b"".join(line + b"\r\n" for line in body_lines)


# -- RFC 5321 §4.5.2 (SMTP) --------------------------------------------------------------

smtp_lines = st.lists(
    st.binary(max_size=12).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    max_size=8,
)


def receiver_unstuff(stuffed: bytes) -> bytes:
    """What a receiver does (RFC 5321 §4.5.2): stop at ".", drop one leading dot."""
    out = []
    for line in stuffed.split(b"\r\n"):
        if line == b".":
            break
        out.append(line[1:] if line.startswith(b".") else line)
    return b"\r\n".join(out) + b"\r\n"


@given(smtp_lines)
def test_dot_stuff_round_trips_and_matches_smtplib(parts: list[bytes]) -> None:
    data = b"\r\n".join(parts) + b"\r\n"
    stuffed = dot_stuff(data)

    assert stuffed.endswith(b"\r\n.\r\n")
    assert receiver_unstuff(stuffed) == data
    # smtplib's data() does the same for CRLF input (checked on CPython 3.11).
    expected = smtplib._quote_periods(data)  # type: ignore[attr-defined]
    assert stuffed == expected + b".\r\n"


def test_dot_stuff_lone_dot_lines() -> None:
    assert dot_stuff(b".\r\n..\r\nx") == b"..\r\n...\r\nx\r\n.\r\n"
    # Empty DATA: the DATA command's own CRLF starts the "<CRLF>.<CRLF>" (RFC 5321
    # §4.1.1.4). smtplib sends an extra empty line here; aiosmtpd and Postfix accept both.
    assert dot_stuff(b"") == b".\r\n"


@given(st.binary(max_size=64))
def test_normalize_leaves_no_bare_cr_or_lf(data: bytes) -> None:
    out = normalize_line_endings(data)
    assert out.replace(b"\r\n", b"").count(b"\r") == 0
    assert out.replace(b"\r\n", b"").count(b"\n") == 0
    assert normalize_line_endings(out) == out


def test_normalize_examples() -> None:
    assert normalize_line_endings(b"a\nb\rc\r\nd\r\r\n") == b"a\r\nb\r\nc\r\nd\r\n\r\n"


# -- a POP3 maildrop's storage form ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        (b"a\nb\n", b"a\r\nb\r\n"),
        (b"a\r\nb", b"a\r\nb\r\n"),
        (b"a\r\n\nb\r\n", b"a\r\n\r\nb\r\n"),
        (b"keep\rlone CR\n", b"keep\rlone CR\r\n"),
        (b"cr before crlf\r\r\n", b"cr before crlf\r\r\n"),
        (b"", b""),
    ],
)
def test_to_crlf(raw: bytes, normalized: bytes) -> None:
    assert to_crlf(raw) == normalized


@given(st.binary(max_size=64))
def test_to_crlf_is_idempotent_and_leaves_no_bare_lf(data: bytes) -> None:
    out = to_crlf(data)
    assert to_crlf(out) == out
    assert out.replace(b"\r\n", b"").count(b"\n") == 0
    assert out.count(b"\r") - out.count(b"\r\n") == data.count(b"\r") - data.count(b"\r\n")
