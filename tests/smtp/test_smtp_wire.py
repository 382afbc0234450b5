"""The pure rules applied to a message before SMTP sends it."""

from __future__ import annotations

import smtplib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pymailgui.errors import MessageError
from pymailgui.smtp import wire

lines = st.lists(
    st.binary(max_size=12).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    max_size=8,
)


def unstuff(stuffed: bytes) -> bytes:
    """What a receiver does (RFC 5321 §4.5.2): stop at ".", drop one leading dot."""
    out = []
    for line in stuffed.split(b"\r\n"):
        if line == b".":
            break
        out.append(line[1:] if line.startswith(b".") else line)
    return b"\r\n".join(out) + b"\r\n"


@given(lines)
def test_dot_stuff_round_trips_and_matches_smtplib(parts: list[bytes]) -> None:
    data = b"\r\n".join(parts) + b"\r\n"
    stuffed = wire.dot_stuff(data)

    assert stuffed.endswith(b"\r\n.\r\n")
    assert unstuff(stuffed) == data
    # smtplib's data() does the same for CRLF input (checked on CPython 3.11).
    expected = smtplib._quote_periods(data)  # type: ignore[attr-defined]
    assert stuffed == expected + b".\r\n"


def test_dot_stuff_lone_dot_lines() -> None:
    assert wire.dot_stuff(b".\r\n..\r\nx") == b"..\r\n...\r\nx\r\n.\r\n"
    assert wire.dot_stuff(b"") == b"\r\n.\r\n"


@given(st.binary(max_size=64))
def test_normalize_leaves_no_bare_cr_or_lf(data: bytes) -> None:
    out = wire.normalize_line_endings(data)
    assert out.replace(b"\r\n", b"").count(b"\r") == 0
    assert out.replace(b"\r\n", b"").count(b"\n") == 0
    assert wire.normalize_line_endings(out) == out


def test_normalize_examples() -> None:
    assert wire.normalize_line_endings(b"a\nb\rc\r\nd\r\r\n") == b"a\r\nb\r\nc\r\nd\r\n\r\n"


def test_strip_hidden_fields_keeps_everything_else() -> None:
    data = (
        b"From: a@x.test\r\nBcc: b@x.test,\r\n\tc@x.test\r\nTo: d@x.test\r\n"
        b"resent-bcc: e@x.test\r\nX-Bcc-Note: kept\r\n\r\nBcc: body text stays\r\n"
    )
    assert wire.strip_hidden_fields(data) == (
        b"From: a@x.test\r\nTo: d@x.test\r\nX-Bcc-Note: kept\r\n\r\nBcc: body text stays\r\n"
    )
    no_bcc = b"From: a@x.test\r\n\r\nbody\r\n"
    assert wire.strip_hidden_fields(no_bcc) == no_bcc


def test_utf8_detection() -> None:
    assert wire.header_needs_utf8("Subject: ü\r\n\r\nx\r\n".encode())
    assert not wire.header_needs_utf8("Subject: u\r\n\r\nü\r\n".encode())
    assert wire.has_8bit("ü".encode())
    assert wire.address_needs_utf8("jörg@example.test")


@pytest.mark.parametrize(
    "bad", ["a b@x.test", "a@x.test>", "<a@x.test", "a@", "@x.test", "a\r\n@x.test", "x" * 300]
)
def test_check_address_refuses(bad: str) -> None:
    with pytest.raises(MessageError):
        wire.check_address(bad, role="recipient")


def test_check_address_accepts() -> None:
    assert wire.check_address(" <a@x.test> ", role="recipient") == "a@x.test"
    assert wire.check_address("<>", role="sender") == ""
    with pytest.raises(MessageError):
        wire.check_address("<>", role="recipient")


def test_downgrade_to_7bit() -> None:
    data = (
        b"Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nGr\xc3\xbc\xc3\x9fe\r\n"
    )
    out = wire.downgrade_to_7bit(data)
    assert out is not None and out.isascii() and b"\r\n" in out
    assert wire.downgrade_to_7bit("Subject: ü\r\n\r\nü\r\n".encode()) is None
