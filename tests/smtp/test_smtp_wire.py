"""The pure rules applied to a message before SMTP sends it."""

from __future__ import annotations

import pytest

from pymailgui.errors import MessageError
from pymailgui.smtp import wire


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
