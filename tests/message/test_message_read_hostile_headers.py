"""Opening and replying to mail whose headers were built to make parsers quadratic.

The list already reads them with the linear summarizer; the viewer and reply used the
stdlib's address and unstructured parsers, which took 76 s on a From whose display name
is 100,000 dots. Each case here must take well under a second (the bound is generous for
a loaded 2-core machine; a quadratic reading takes minutes).
"""

from __future__ import annotations

import time

import pytest

from pymailgui.message import Identity, reply, view
from pymailgui.message.read import MAX_VIEW_ADDRESSES, MAX_VIEW_NAME

ME = Identity("me@example.com")

CASES = {
    "dots display name": b"From: " + b"." * 100_000 + b" <evil@example.com>\r\n",
    "quoted backslashes": b'From: "' + b"\\\\" * 50_000 + b'" <evil@example.com>\r\n',
    "long address list": b"To: "
    + b", ".join(b"a%d@example.com" % i for i in range(20_000))
    + b"\r\n",
    "nested comments": b"From: " + b"(" * 5_000 + b"x" + b")" * 5_000 + b" <evil@example.com>\r\n",
    "encoded-word flood": b"Subject: " + b"=?utf-8?q?a?= " * 20_000 + b"\r\n",
    "encoded-word display": b"From: " + b"=?utf-8?b?YWJj?= " * 10_000 + b"<evil@example.com>\r\n",
}


def _message(header: bytes) -> bytes:
    base = b"From: a@example.com\r\nTo: me@example.com\r\nSubject: hi\r\n"
    name = header.split(b":", 1)[0]
    kept = b"".join(
        line + b"\r\n" for line in base.split(b"\r\n")[:-1] if not line.startswith(name)
    )
    return header + kept + b"\r\nbody\r\n"


@pytest.mark.parametrize("name", list(CASES))
def test_view_and_reply_stay_linear(name: str) -> None:
    raw = _message(CASES[name])
    started = time.process_time()
    v = view(raw)
    draft = reply(raw, ME, reply_all=True)
    assert time.process_time() - started < 2.0
    assert len(v.subject) <= MAX_VIEW_NAME + 1
    assert all(len(a.display_name) <= MAX_VIEW_NAME + 1 for a in v.from_ + v.to)
    assert draft.subject.startswith("Re: ")


def test_the_real_sender_of_a_dots_display_name_is_shown() -> None:
    v = view(_message(CASES["dots display name"]))
    assert [a.addr_spec for a in v.from_] == ["evil@example.com"]
    draft = reply(_message(CASES["dots display name"]), ME)
    assert draft.to and draft.to[0].endswith("<evil@example.com>")


def test_a_huge_address_list_is_shown_in_part_and_says_so() -> None:
    v = view(_message(CASES["long address list"]))
    assert len(v.to) == MAX_VIEW_ADDRESSES and v.to[0].addr_spec == "a0@example.com"
    assert any("19,000 more addresses" in d for d in v.defects)
