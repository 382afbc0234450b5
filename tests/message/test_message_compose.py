"""Building messages: headers, Bcc, encodings, attachments, injection, round trips."""

from __future__ import annotations

import email.policy
from email.headerregistry import Address as HeaderAddress
from email.message import Message
from email.parser import BytesParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pymailgui.errors import MessageError
from pymailgui.message import Address, Attachment, Draft, Identity, build_message, view

ME = Identity("me@example.com", "Mé Self", signature="Me")


def _draft(**kw: object) -> Draft:
    base: dict[str, object] = {"to": ["you@example.org"], "subject": "Hello", "body": "Hi\n"}
    base.update(kw)
    return Draft(**base)  # type: ignore[arg-type]


def test_basic_headers() -> None:
    built = build_message(_draft(), ME)
    raw = built.as_bytes()
    msg = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert msg["From"].addresses[0].addr_spec == "me@example.com"
    assert msg["Message-ID"].endswith("@example.com>")
    assert msg["Date"].datetime.tzinfo is not None
    assert msg["MIME-Version"] == "1.0"
    assert built.envelope_from == "me@example.com"
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


def test_bcc_never_in_headers_but_in_recipients() -> None:
    built = build_message(
        _draft(
            to=["A <a@example.org>, b@example.org"],
            cc=["c@example.org", "A@EXAMPLE.org"],
            bcc=["hidden@example.net", "b@example.org"],
        ),
        ME,
    )
    raw = built.as_bytes()
    assert b"hidden@example.net" not in raw
    assert b"bcc" not in raw.lower()
    assert built.recipients == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
        "hidden@example.net",
    ]
    assert built.message["Cc"] == "c@example.org"  # already in To: not repeated


def test_bcc_only_message_gets_an_empty_group() -> None:
    built = build_message(_draft(to=[], bcc=["x@example.org", "y@example.org"]), ME)
    raw = built.as_bytes()
    assert b"To: undisclosed-recipients:;\r\n" in raw
    assert b"x@example.org" not in raw and b"y@example.org" not in raw
    assert built.recipients == ["x@example.org", "y@example.org"]
    assert view(raw).to == []


def test_unicode_round_trip() -> None:
    draft = _draft(
        to=["Jörg Müller <jm@example.org>", '"Doe, Jane" <jane@example.org>'],
        cc=["Zoë <zoe@example.org>"],
        subject="Grüße ☃ — " + "long subject words " * 10,
        body="Hällo wörld ☃\n\n" + "ünïcode line " * 20 + "\n> quoted\n-- \nsig\n",
        in_reply_to="<orig@example.org>",
        references=["<root@example.org>", "<orig@example.org>"],
        extra_headers=[("X-Mailer-Note", "Ça va")],
    )
    built = build_message(draft, ME)
    raw = built.as_bytes()
    assert raw.isascii()  # RFC 2047 headers, 7-bit body without SMTPUTF8
    v = view(raw, wrap_width=0)
    assert v.subject == draft.subject.strip()
    assert [str(a) for a in v.to] == [
        "Jörg Müller <jm@example.org>",
        '"Doe, Jane" <jane@example.org>',
    ]
    assert [str(a) for a in v.cc] == ["Zoë <zoe@example.org>"]
    assert [str(a) for a in v.from_] == ["Mé Self <me@example.com>"]
    assert v.body_text == draft.body
    assert v.message_id == built.message["Message-ID"]
    msg = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert msg["In-Reply-To"] == "<orig@example.org>"
    assert msg["References"] == "<root@example.org> <orig@example.org>"
    assert msg["X-Mailer-Note"] == "Ça va"


def test_smtputf8_keeps_utf8_headers() -> None:
    built = build_message(
        _draft(to=["Ünï <üser@exämple.org>"], subject="Grüße", body="ü\n"), ME, smtputf8=True
    )
    raw = built.as_bytes()
    assert "Subject: Grüße".encode() in raw
    assert "üser@exämple.org".encode() in raw
    assert built.recipients == ["üser@exämple.org"]
    assert view(raw).subject == "Grüße"


def test_non_ascii_addresses_without_smtputf8() -> None:
    with pytest.raises(MessageError, match="SMTPUTF8"):
        build_message(_draft(to=["üser@example.org"]), ME)
    built = build_message(_draft(to=["user@exämple.org"]), ME)
    assert built.recipients == ["user@xn--exmple-cua.org"]  # IDNA A-label


def test_attachments_any_type_and_unicode_names(tmp_path: Path) -> None:
    pdf = tmp_path / "résumé.pdf"
    pdf.write_bytes(b"%PDF-1.4 \x00\xff")
    odd = tmp_path / "data.unknownext"
    odd.write_bytes(bytes(range(256)))
    built = build_message(
        _draft(
            attachments=[
                pdf,
                odd,
                Attachment("naïve notes.txt", "ünï\n".encode(), "text/plain"),
                ("../evil/CON.txt", b"x", "bogus type"),
                (
                    "fwd.eml",
                    b"From: x@example.org\r\nSubject: inner\r\n\r\nbody\r\n",
                    "message/rfc822",
                ),
            ]
        ),
        ME,
    )
    raw = built.as_bytes()
    assert b"filename*=utf-8''r%C3%A9sum%C3%A9.pdf" in raw  # RFC 2231
    v = view(raw)
    assert [(p.content_type, p.filename) for p in v.attachments] == [
        ("application/pdf", "résumé.pdf"),
        ("application/octet-stream", "data.unknownext"),
        ("text/plain", "naïve notes.txt"),
        ("application/octet-stream", "_CON.txt"),
        ("message/rfc822", "fwd.eml"),
    ]
    assert [p.size for p in v.attachments][:3] == [11, 256, len("ünï\n".encode())]
    msg = BytesParser(policy=email.policy.default).parsebytes(raw)
    payloads = [p.get_payload(decode=True) for p in msg.iter_attachments()]
    assert payloads[0] == b"%PDF-1.4 \x00\xff"
    assert payloads[1] == bytes(range(256))
    inner = list(msg.iter_attachments())[4]
    assert inner["Content-Transfer-Encoding"] == "7bit"  # RFC 2046 section 5.2.1
    attached = inner.get_payload(0)
    assert isinstance(attached, Message)
    assert attached["Subject"] == "inner"


@pytest.mark.parametrize(
    "draft",
    [
        _draft(subject="Hello\r\nBcc: victim@example.org"),
        _draft(subject="Hello\nX: y"),
        _draft(subject="Hello\rX: y"),
        _draft(subject="nul\x00"),
        _draft(to=["you@example.org\r\nBcc: victim@example.org"]),
        _draft(cc=["Name\n <c@example.org>"]),
        _draft(bcc=["b@example.org\x00"]),
        _draft(in_reply_to="<a@b>\r\nX: y"),
        _draft(references=["<a@b>\nX: y"]),
        _draft(extra_headers=[("X-Test", "a\r\nBcc: v@example.org")]),
        _draft(attachments=[("a\r\nb.txt", b"x", "text/plain")]),
        _draft(body="nul \x00 in body"),
    ],
)
def test_line_breaks_and_nul_are_refused(draft: Draft) -> None:
    with pytest.raises(MessageError) as info:
        build_message(draft, ME)
    assert "\n" not in str(info.value) and str(info.value).endswith(".")


def test_sender_name_injection_refused() -> None:
    with pytest.raises(MessageError, match="line break"):
        build_message(_draft(), Identity("me@example.com", "Me\r\nBcc: x@example.org"))


@pytest.mark.parametrize(
    "bad",
    [
        "not an address",
        "a@",
        "@b.org",
        "a@b@c",
        "a b@example.org",
        "a@exa mple.org",
        "a@-bad-.org",
        "a..b@example.org",
        ".a@example.org",
        "<>",
    ],
)
def test_invalid_addresses_refused(bad: str) -> None:
    with pytest.raises(MessageError, match=r"not a valid address|is not valid"):
        build_message(_draft(to=[bad]), ME)


def test_other_refusals() -> None:
    with pytest.raises(MessageError, match="no recipient"):
        build_message(_draft(to=[]), ME)
    with pytest.raises(MessageError, match="set by PyMailGUI"):
        build_message(_draft(extra_headers=[("Bcc", "x@example.org")]), ME)
    with pytest.raises(MessageError, match="not a valid header name"):
        build_message(_draft(extra_headers=[("Bad Name", "x")]), ME)
    with pytest.raises(MessageError):
        build_message(_draft(), Identity("not-an-address"))


def test_long_body_lines_are_encoded() -> None:
    body = "x" * 5000 + "\n"
    raw = build_message(_draft(body=body), ME).as_bytes()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert view(raw, wrap_width=0).body_text == body


_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp", "Co", "Cn")), max_size=120
)


@settings(max_examples=150, deadline=None)
@given(
    subject=_TEXT,
    name=_TEXT,
    body=st.text(
        st.characters(blacklist_categories=("Cs", "Co", "Cn"), blacklist_characters="\r\x00"),
        max_size=400,
    ),
    smtputf8=st.booleans(),
)
def test_round_trip_property(subject: str, name: str, body: str, smtputf8: bool) -> None:
    draft = Draft(
        to=[str(HeaderAddress(display_name=name.strip(), addr_spec="to@example.org"))],
        subject=subject,
        body=body,
    )
    raw = build_message(
        draft, Identity("me@example.com", name.strip()), smtputf8=smtputf8
    ).as_bytes()
    v = view(raw, wrap_width=0)
    assert v.subject == subject.strip()

    # Whitespace in a display name is not significant (RFC 5322 §3.2.5 phrases are words
    # separated by FWS), and the stdlib's folder may drop a space between two adjacent
    # encoded words (RFC 2047 §6.2): compare the words and the real address exactly.
    def words(addresses: list[Address]) -> list[tuple[str, str]]:
        return [("".join(a.display_name.split()), a.addr_spec) for a in addresses]

    assert words(v.to) == [("".join(name.split()), "to@example.org")]
    assert words(v.from_) == [("".join(name.split()), "me@example.com")]
    expected = body if body.endswith("\n") else body + "\n"
    assert v.body_text == expected
