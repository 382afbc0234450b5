"""Reading: decoded headers, charsets, main text choice, wrapping, flowed text, parts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from pymailgui.message import Address, parse, unflow, view, wrap_body

HEAD = b"From: a@example.com\r\nTo: b@example.org\r\nSubject: s\r\n"


def test_parse_uses_default_policy_and_never_raises() -> None:
    msg = parse(b"\xff\xfe\x00garbage")
    assert isinstance(msg, EmailMessage)
    assert parse(b"").get_content_type() == "text/plain"


def test_rfc2047_headers_and_addresses_are_decoded() -> None:
    raw = (
        b"From: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <jm@example.com>\r\n"
        b"To: =?iso-8859-1?q?Ren=E9?= <rene@example.org>, plain@example.org\r\n"
        b"Cc: Team: x@example.org, y@example.org;\r\n"
        b'Reply-To: "Doe, John" <john@example.net>\r\n'
        b"Subject: =?utf-8?B?SGVsbG8g4piD?= =?utf-8?B?IHdvcmxk?=\r\n"
        b"Date: Mon, 03 Feb 2025 10:00:00 +0100\r\n"
        b"Message-ID: <abc.123@example.com>\r\n\r\nbody\r\n"
    )
    v = view(raw)
    assert v.from_ == [Address("Jörg Müller", "jm@example.com")]
    assert v.to == [Address("René", "rene@example.org"), Address("", "plain@example.org")]
    assert [a.addr_spec for a in v.cc] == ["x@example.org", "y@example.org"]
    assert str(v.reply_to[0]) == '"Doe, John" <john@example.net>'
    assert v.subject == "Hello ☃ world"  # whitespace between encoded-words dropped (6.2)
    assert v.date == datetime(2025, 2, 3, 9, 0, tzinfo=UTC)
    assert v.date.utcoffset() == timedelta(hours=1)
    assert v.message_id == "<abc.123@example.com>"
    assert not v.malformed


def test_malformed_encoded_words_and_raw_8bit_headers() -> None:
    raw = (
        b"From: J\xc3\xb6rg <j@example.com>\r\n"
        b"Subject: =?utf-8?B?SGVsbG8gV29ybG?= =?x-unknown?q?caf=E9?= =?utf-8?q?a?=b\r\n\r\nx"
    )
    v = view(raw)
    assert v.from_[0].display_name == "Jörg"
    assert v.subject.startswith("Hello Worl")
    assert "caf" in v.subject and "=?" not in v.subject


def test_mixed_utf8_and_latin1_header_bytes() -> None:
    raw = b"From: M\xfcller <m@example.com>\r\nSubject: Gr\xc3\xbc\xc3\x9fe aus K\xf6ln\r\n\r\nx"
    v = view(raw)
    assert v.subject == "Grüße aus Köln"
    assert v.from_ == [Address("Müller", "m@example.com")]


def test_folded_encoded_words_in_names_join() -> None:
    # RFC 2047 section 6.2: the space between adjacent encoded-words is not shown.
    raw = b"From: =?utf-8?q?Jo?=\r\n =?utf-8?q?hn?= <j@example.com>\r\n\r\nx"
    assert view(raw).from_ == [Address("John", "j@example.com")]


def test_encoded_line_break_in_subject_is_folded() -> None:
    v = view(
        HEAD.replace(b"Subject: s", b"Subject: =?utf-8?q?a=0D=0ABcc:_x@example.org?=") + b"\r\nbody"
    )
    assert "\r" not in v.subject and "\n" not in v.subject
    assert v.subject == "a Bcc: x@example.org"


def test_address_str_never_hides_the_real_address() -> None:
    spoof = Address("paypal@paypal.com", "evil@attacker.example")
    assert str(spoof) == '"paypal@paypal.com" <evil@attacker.example>'
    assert str(Address("Alice", "alice@example.com")) == "Alice <alice@example.com>"
    assert str(Address("", "bob@example.com")) == "bob@example.com"
    assert str(Address("BOB@example.com", "bob@example.com")) == "bob@example.com"
    bidi = Address("Alice \u202emoc.elgoog@", "alice@attacker.example")
    assert "\u202e" not in str(bidi)
    assert str(bidi).endswith("<alice@attacker.example>")


def test_date_variants() -> None:
    assert view(HEAD + b"Date: garbage\r\n\r\nx").date is None
    assert "Date header could not be parsed" in view(HEAD + b"Date: garbage\r\n\r\nx").defects
    unknown_zone = view(HEAD + b"Date: Mon, 03 Feb 2025 10:00:00 -0000\r\n\r\nx").date
    assert unknown_zone == datetime(2025, 2, 3, 10, 0, tzinfo=UTC)
    assert view(HEAD + b"\r\nx").date is None


def test_charset_fallbacks_never_raise() -> None:
    def body(ct: bytes, payload: bytes) -> str:
        return view(HEAD + b"Content-Type: " + ct + b"\r\n\r\n" + payload).body_text

    assert body(b"text/plain; charset=iso-8859-1", b"caf\xe9") == "café"
    assert body(b"text/plain; charset=utf-8", b"caf\xe9 \x80") == "café €"  # cp1252 fallback
    assert body(b"text/plain; charset=x-nonsense", b"caf\xc3\xa9") == "café"  # utf-8 fallback
    assert body(b"text/plain; charset=rot13", b"uryyb") == "uryyb"  # not a text codec
    assert body(b"text/plain; charset=us-ascii", b"\x81\x8d") == "\ufffd\ufffd"
    v = view(HEAD + b"Content-Type: text/plain; charset=x-nonsense\r\n\r\ncaf\xc3\xa9")
    assert v.malformed
    assert any("x-nonsense" in d for d in v.defects)


def test_bad_transfer_encodings_show_what_they_can() -> None:
    v = view(HEAD + b"Content-Transfer-Encoding: base64\r\n\r\nSGVsbG8gd29y!!bGQ*\r\n")
    assert v.body_text == "Hello world"
    assert v.malformed
    qp = view(
        HEAD + b"Content-Type: text/plain; charset=latin-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9 =ZZ soft=\r\nline"
    )
    assert qp.body_text == "café =ZZ softline"
    odd = view(HEAD + b"Content-Transfer-Encoding: x-garbage\r\n\r\nkept as is")
    assert odd.body_text == "kept as is"


def test_main_text_prefers_plain_then_html_then_any_text() -> None:
    alt = (
        HEAD + b"Content-Type: multipart/alternative; boundary=X\r\n\r\n"
        b"--X\r\nContent-Type: text/html\r\n\r\n<p>html version</p>\r\n"
        b"--X\r\nContent-Type: text/plain\r\n\r\nplain version\r\n--X--\r\n"
    )
    v = view(alt)
    assert v.body_text == "plain version"
    assert v.html is not None and "html version" in v.html
    html_only = view(
        HEAD + b"Content-Type: text/html\r\n\r\n<p>Fish &amp; <a href='https://"
        b"example.org/c'>chips</a></p><ul><li>one</li></ul><script>x()</script>"
    )
    assert html_only.body_text == "Fish & chips <https://example.org/c>\n* one\n"
    other = view(HEAD + b"Content-Type: text/enriched\r\n\r\n<bold>rich</bold>")
    assert other.body_text == "<bold>rich</bold>"


def test_attachment_text_is_not_the_body() -> None:
    raw = (
        HEAD + b"Content-Type: multipart/mixed; boundary=X\r\n\r\n"
        b"--X\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; "
        b"filename=notes.txt\r\n\r\nattached notes\r\n"
        b"--X\r\nContent-Type: text/plain\r\n\r\nthe body\r\n--X--\r\n"
    )
    v = view(raw)
    assert v.body_text == "the body"
    assert [p.is_attachment for p in v.parts] == [True, False]
    assert v.attachments[0].filename == "notes.txt"


def test_part_infos() -> None:
    raw = (
        HEAD + b"Content-Type: multipart/mixed; boundary=X\r\n\r\n"
        b"--X\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n"
        b"--X\r\nContent-Type: application/pdf; name*=utf-8''%E2%82%AC.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n"
        b"--X\r\nContent-Type: image/png\r\nContent-Disposition: inline; "
        b'filename="=?utf-8?B?w6kucG5n?="\r\n\r\nPNG\r\n'
        b"--X\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n"
        b"--X--\r\n"
    )
    parts = view(raw).parts
    assert [p.index for p in parts] == [0, 1, 2, 3]
    assert [p.content_type for p in parts] == [
        "text/plain",
        "application/pdf",
        "image/png",
        "message/rfc822",
    ]
    assert parts[0].charset == "utf-8" and not parts[0].is_attachment
    assert parts[1].filename == "€.pdf" and parts[1].size == 5 and parts[1].is_attachment
    assert parts[2].filename == "é.png" and parts[2].disposition == "inline"
    assert parts[3].is_attachment and parts[3].size > 0


def test_attached_message_only_shows_its_text() -> None:
    raw = (
        HEAD + b"Content-Type: multipart/mixed; boundary=X\r\n\r\n"
        b"--X\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n"
        b"--X--\r\n"
    )
    assert view(raw).body_text.strip() == "inner body"


def test_line_endings_and_nul() -> None:
    lf = view(b"Subject: lf\n\nline one\nline two\n")
    cr = view(b"Subject: cr\r\rline one\rline two\r")
    assert lf.body_text == cr.body_text == "line one\nline two\n"
    assert cr.subject == "cr"
    assert view(HEAD + b"\r\nbefore\x00after").body_text == "beforeafter"


def test_wrap_body_keeps_quote_prefixes() -> None:
    text = "> > " + "word " * 30 + "\nshort\n" + "x" * 120
    wrapped = wrap_body(text, 40)
    lines = wrapped.split("\n")
    quoted = [line for line in lines if line.startswith("> > ")]
    assert len(quoted) > 2 and all(len(line) <= 40 for line in quoted)
    assert "short" in lines
    assert "x" * 120 in lines  # a long word (URL) is never broken
    assert wrap_body(text, 0) == text
    assert view(HEAD + b"\r\n" + b"a " * 100, wrap_width=30).body_wrapped.count("\n") >= 6


def test_flowed_text_is_joined() -> None:
    text = "This is \nflowed.\n> quoted \n> part\n-- \nsig"
    assert unflow(text) == "This is flowed.\n> quoted part\n-- \nsig"
    assert unflow("a-\nb", delsp=True) == "a-\nb"
    assert unflow("abc \ndef", delsp=True) == "abcdef"
    raw = HEAD + b"Content-Type: text/plain; format=flowed\r\n\r\none \r\ntwo\r\n"
    assert view(raw).body_text == "one two\n"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_view_never_raises_on_random_bytes(raw: bytes) -> None:
    v = view(HEAD + b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n" + raw)
    assert isinstance(v.body_text, str)
    view(raw)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_view_never_raises_on_random_headers(header: str) -> None:
    raw = ("Subject: " + header + "\r\nFrom: " + header + "\r\n\r\nx").encode(
        "utf-8", "surrogatepass"
    )
    v = view(raw)
    assert "\n" not in v.subject and "\r" not in v.subject
