"""Reply, reply-all and forward rules."""

from __future__ import annotations

import email.policy
from email.message import Message
from email.parser import BytesParser

import pytest

from pymailgui.message import (
    Attachment,
    Identity,
    build_message,
    forward,
    forward_subject,
    reply,
    reply_subject,
    view,
)

ME = Identity("me@example.com", "Me", signature="Me\nexample.com", aliases=("Me@Alias.example",))

ORIGINAL = (
    b"From: Alice <alice@example.org>\r\n"
    b"To: me@example.com, Bob <bob@example.org>, ME@ALIAS.EXAMPLE\r\n"
    b"Cc: carol@example.org, BOB@example.org, Me <me@example.com>\r\n"
    b"Subject: =?utf-8?q?Caf=C3=A9_plans?=\r\n"
    b"Date: Mon, 03 Feb 2025 10:00:00 +0100\r\n"
    b"Message-ID: <m3@example.org>\r\n"
    b"References: <m1@example.org> <m2@example.org>\r\n"
    b"In-Reply-To: <m2@example.org>\r\n"
    b"Content-Type: multipart/mixed; boundary=B\r\n\r\n"
    b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLet's meet.\r\n> earlier\r\n\r\nA\r\n"
    b"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
    b"filename=menu.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--B--\r\n"
)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Hello", "Re: Hello"),
        ("Re: Hello", "Re: Hello"),
        ("RE: re: Hello", "Re: Hello"),
        ("Re[2]: Hello", "Re: Hello"),
        ("Re(3): Hello", "Re: Hello"),
        ("Aw: Re: Hello", "Re: Hello"),
        ("SV: Hello", "Re: Hello"),
        ("Fwd: Hello", "Re: Fwd: Hello"),
        ("Re: Fwd: Hello", "Re: Fwd: Hello"),
        ("Regarding: x", "Re: Regarding: x"),
        ("", "Re: "),
    ],
)
def test_reply_subject(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Hello", "Fwd: Hello"),
        ("Fwd: Hello", "Fwd: Hello"),
        ("FW: WG: Hello", "Fwd: Hello"),
        ("Re: Hello", "Fwd: Re: Hello"),
    ],
)
def test_forward_subject(subject: str, expected: str) -> None:
    assert forward_subject(subject) == expected


def test_reply_goes_to_sender_with_threading() -> None:
    draft = reply(ORIGINAL, ME)
    assert draft.to == ["Alice <alice@example.org>"]
    assert draft.cc == []
    assert draft.subject == "Re: Café plans"
    assert draft.in_reply_to == "<m3@example.org>"
    assert draft.references == ["<m1@example.org>", "<m2@example.org>", "<m3@example.org>"]
    # An empty first line for the reply (the cursor starts there), the signature under
    # it, then the quoted original.
    assert draft.body.startswith(
        "\n\n-- \nMe\nexample.com\n\n"
        "On Mon, 03 Feb 2025 at 10:00, Alice wrote:\n> Let's meet.\n>> earlier\n>\n> A"
    )
    assert draft.body.endswith("\n")
    assert draft.attachments == []


def test_a_reply_without_signature_starts_with_room_for_the_text() -> None:
    body = reply(ORIGINAL, Identity("me@example.com", "Me")).body
    assert body.startswith("\n\nOn Mon, 03 Feb 2025 at 10:00, Alice wrote:\n> Let's meet.")


def test_reply_to_header_wins() -> None:
    raw = ORIGINAL.replace(b"Subject:", b"Reply-To: List <list@example.net>\r\nSubject:")
    assert reply(raw, ME).to == ["List <list@example.net>"]


def test_reply_all_excludes_own_addresses_and_duplicates() -> None:
    draft = reply(ORIGINAL, ME, reply_all=True)
    assert draft.to == ["Alice <alice@example.org>"]
    assert draft.cc == ["Bob <bob@example.org>", "carol@example.org"]


def test_reply_all_does_not_cc_the_new_to() -> None:
    raw = ORIGINAL.replace(b"To: me@example.com,", b"To: alice@example.org, me@example.com,")
    assert "Alice <alice@example.org>" not in reply(raw, ME, reply_all=True).cc


def test_reply_to_own_message_goes_to_its_recipients() -> None:
    raw = b"From: me@example.com\r\nTo: Bob <bob@example.org>\r\nSubject: x\r\n\r\nhi\r\n"
    assert reply(raw, ME).to == ["Bob <bob@example.org>"]


def test_received_line_breaks_are_folded_in_a_reply() -> None:
    raw = (
        b"From: =?utf-8?q?Eve=0D=0ABcc:_x@example.org?= <eve@example.org>\r\n"
        b"Subject: =?utf-8?q?hi=0D=0ABcc:_victim@example.org?=\r\n"
        b"Message-ID: <a@example.org>\r\n\r\nbody\r\n"
    )
    draft = reply(raw, ME)
    assert "\n" not in draft.subject and "\r" not in draft.subject
    assert all("\n" not in a and "\r" not in a for a in draft.to)
    built = build_message(draft, ME)  # must not raise and must not gain a Bcc
    msg = BytesParser(policy=email.policy.default).parsebytes(built.as_bytes())
    assert msg["Bcc"] is None
    assert built.recipients == ["eve@example.org"]
    assert msg["Subject"] == "Re: hi Bcc: victim@example.org"


def test_references_fallback_and_trimming() -> None:
    only_irt = b"From: a@example.org\r\nIn-Reply-To: <p@x>\r\nMessage-ID: <c@x>\r\n\r\nx"
    assert reply(only_irt, ME).references == ["<p@x>", "<c@x>"]
    many = b" ".join(b"<r%d@x>" % i for i in range(40))
    raw = b"From: a@example.org\r\nReferences: " + many + b"\r\nMessage-ID: <c@x>\r\n\r\nx"
    refs = reply(raw, ME).references
    assert len(refs) == 20 and refs[0] == "<r0@x>" and refs[-1] == "<c@x>"
    assert reply(b"From: a@example.org\r\n\r\nx", ME).references == []


def test_reply_builds_and_round_trips() -> None:
    built = build_message(reply(ORIGINAL, ME, reply_all=True), ME)
    v = view(built.as_bytes())
    assert v.subject == "Re: Café plans"
    assert [a.addr_spec for a in v.cc] == ["bob@example.org", "carol@example.org"]
    msg = BytesParser(policy=email.policy.default).parsebytes(built.as_bytes())
    assert msg["In-Reply-To"] == "<m3@example.org>"
    assert msg["References"] == "<m1@example.org> <m2@example.org> <m3@example.org>"


def test_inline_forward_keeps_attachments() -> None:
    draft = forward(ORIGINAL, ME, to=["dave@example.org"])
    assert draft.to == ["dave@example.org"]
    assert draft.subject == "Fwd: Café plans"
    block = "---------- Forwarded message ----------\nFrom: Alice <alice@example.org>\n"
    assert block in draft.body
    assert "Date: Mon, 03 Feb 2025 at 10:00 +0100\nSubject: Café plans\n" in draft.body
    assert "To: me@example.com, Bob <bob@example.org>, ME@ALIAS.EXAMPLE\n" in draft.body
    assert "Let's meet." in draft.body and draft.body.endswith("-- \nMe\nexample.com\n")
    assert draft.attachments == [Attachment("menu.pdf", b"%PDF-", "application/pdf")]
    assert forward(ORIGINAL, ME, to=["d@example.org"], keep_attachments=False).attachments == []
    assert forward(ORIGINAL, ME, to="d@example.org").to == ["d@example.org"]
    v = view(build_message(draft, ME).as_bytes())
    assert [p.filename for p in v.attachments] == ["menu.pdf"]


def test_forward_as_attachment_keeps_the_original_bytes() -> None:
    draft = forward(ORIGINAL, ME, to=["dave@example.org"], as_attachment=True)
    assert draft.attachments == [Attachment("Café plans.eml", ORIGINAL, "message/rfc822")]
    raw = build_message(draft, ME).as_bytes()
    v = view(raw)
    assert v.attachments[0].content_type == "message/rfc822"
    msg = BytesParser(policy=email.policy.default).parsebytes(raw)
    inner = next(iter(msg.iter_attachments()))
    attached = inner.get_payload(0)
    assert isinstance(attached, Message)
    assert attached["Message-ID"] == "<m3@example.org>"
    assert b"Subject: =?utf-8?q?Caf=C3=A9_plans?=\r\n" in raw  # headers kept as received
