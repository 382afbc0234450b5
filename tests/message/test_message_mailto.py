"""mailto: URLs (RFC 6068) into Drafts: what is taken, what is refused, and no injection."""

from __future__ import annotations

import email
import email.policy
import re
import urllib.parse

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pymailgui.errors import MessageError
from pymailgui.message import Identity, build_message
from pymailgui.message.mailto import MAX_RECIPIENTS, MAX_URL, is_mailto, parse_mailto
from pymailgui.tasks import Level

ME = Identity("me@example.com", "Me")
ALLOWED_HEADERS = {
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
}


def kinds(url: str) -> list[str]:
    return [n.kind for n in parse_mailto(url).notices]


def test_rfc6068_examples() -> None:
    # RFC 6068 §6.1 and §6.2.
    got = parse_mailto("mailto:chris@example.com").draft
    assert got.to == ["chris@example.com"]
    got = parse_mailto("mailto:infobot@example.com?subject=current-issue").draft
    assert (got.to, got.subject) == (["infobot@example.com"], "current-issue")
    got = parse_mailto("mailto:infobot@example.com?body=send%20current-issue%0D%0Asend%20index")
    assert got.draft.body == "send current-issue\nsend index"
    got = parse_mailto("mailto:list@example.org?In-Reply-To=%3C3469A91.D10AF4C@example.com%3E")
    assert got.draft.in_reply_to == "<3469A91.D10AF4C@example.com>"
    got = parse_mailto("mailto:joe@example.com?cc=bob@example.com&body=hello")
    assert (got.draft.cc, got.draft.body) == (["bob@example.com"], "hello")
    got = parse_mailto("mailto:?to=joe@example.com&cc=bob@example.com&body=hello")
    assert got.draft.to == ["joe@example.com"]
    got = parse_mailto("mailto:gorby%25kremvax@example.com")
    assert got.draft.to == ["gorby%kremvax@example.com"]
    got = parse_mailto("mailto:user@example.org?subject=caf%C3%A9")
    assert got.draft.subject == "café"
    got = parse_mailto("mailto:%22not%40me%22@example.org")
    assert got.draft.to == ['"not@me"@example.org']


def test_several_recipients_names_case_insensitive_plus_is_a_plus() -> None:
    got = parse_mailto(
        "MAILTO:a@example.com,b@example.com?TO=c@example.com&Cc=d@example.com"
        "&BCC=e@example.com&Subject=1+1%3D2&References=%3Ca@x%3E%20%3Cb@x%3E"
    )
    d = got.draft
    assert d.to == ["a@example.com,b@example.com", "c@example.com"]
    assert (d.cc, d.bcc) == (["d@example.com"], ["e@example.com"])
    assert d.subject == "1+1=2"
    assert d.references == ["<a@x>", "<b@x>"]
    built = build_message(d, ME)
    assert built.recipients == [f"{c}@example.com" for c in "abcde"]
    assert got.notices == ()


def test_a_line_break_in_a_header_is_refused_never_injected() -> None:
    url = (
        "mailto:victim@example.com?subject=Hi%0D%0ABcc:%20spy@evil.example"
        "&cc=a@example.com%0ABcc:%20spy@evil.example&body=ok"
    )
    got = parse_mailto(url)
    assert got.draft.subject == "" and got.draft.cc == []
    assert got.draft.body == "ok"
    assert kinds(url) == ["mailto-refused", "mailto-refused"]
    assert all(n.level is Level.WARNING for n in got.notices)
    data = build_message(got.draft, ME).as_bytes()
    assert b"spy@evil" not in data


@pytest.mark.parametrize("sep", ["%00", "%0B", "%0C", "%C2%85", "%E2%80%A8", "%E2%80%A9", "%1C"])
def test_other_line_separators_are_refused_too(sep: str) -> None:
    got = parse_mailto(f"mailto:a@example.com?subject=x{sep}Bcc:%20spy@evil.example")
    assert got.draft.subject == ""
    assert kinds(f"mailto:a@example.com?subject=x{sep}y") == ["mailto-refused"]


def test_attachments_are_ignored_and_never_read() -> None:
    for name in ("attach", "Attachment", "ATTACHMENTS"):
        url = f"mailto:a@example.com?{name}=/etc/passwd&{name}=file:///home/u/.ssh/id_rsa"
        got = parse_mailto(url)
        assert got.draft.attachments == []
        assert kinds(url) == ["mailto-attachment-ignored"] * 2


def test_unknown_fields_ignored_dangerous_ones_noted() -> None:
    url = (
        "mailto:a@example.com?X-Mailer=evil&keywords=k&from=boss@example.com"
        "&Reply-To=x@evil.example"
    )
    got = parse_mailto(url)
    assert [n.text for n in got.notices] == [
        "The mailto link tried to set the From header; it was ignored.",
        "The mailto link tried to set the Reply-To header; it was ignored.",
    ]
    assert got.draft.extra_headers == []


def test_body_keeps_line_breaks_but_not_nul() -> None:
    got = parse_mailto("mailto:a@example.com?body=one%0D%0Atwo%0Athree%0Dfour")
    assert got.draft.body == "one\ntwo\nthree\nfour"
    got = parse_mailto("mailto:a@example.com?body=bad%00text")
    assert got.draft.body == ""
    assert [n.kind for n in got.notices] == ["mailto-refused"]


def test_invalid_utf8_and_bad_escapes_are_replaced_not_fatal() -> None:
    got = parse_mailto("mailto:a@example.com?subject=%FF%FEok%G1%")
    assert got.draft.subject == "\ufffd\ufffdok%G1%"


def test_first_subject_wins_fragment_ignored() -> None:
    url = "mailto:a@example.com?subject=one&subject=two&body=b&body=c#frag"
    got = parse_mailto(url)
    assert (got.draft.subject, got.draft.body) == ("one", "b")
    assert kinds(url) == ["mailto-ignored"] * 3


def test_sizes_are_bounded() -> None:
    with pytest.raises(MessageError, match="too long"):
        parse_mailto("mailto:a@example.com?body=" + "x" * (10 * 1024 * 1024))
    assert len("mailto:?body=" + "x" * (MAX_URL - 20)) < MAX_URL
    many = ",".join(f"u{i}@example.com" for i in range(MAX_RECIPIENTS + 5))
    got = parse_mailto(f"mailto:a@example.com?cc={many}")
    assert got.draft.cc == [] and got.draft.to == ["a@example.com"]
    assert kinds(f"mailto:a@example.com?cc={many}") == ["mailto-truncated"]
    fields = "&".join(["keywords=x"] * 500) + "&subject=late"
    got = parse_mailto("mailto:a@example.com?" + fields)
    assert got.draft.subject == "" and "mailto-truncated" in kinds("mailto:?" + fields)


def test_not_a_mailto_link() -> None:
    assert is_mailto(" mailto:a@b") and is_mailto("MailTo:")
    for text in ("http://example.com", "mailto", "", "file:///etc/passwd"):
        assert not is_mailto(text)
        with pytest.raises(MessageError, match="not a mailto"):
            parse_mailto(text)


# -- whatever the URL -----------------------------------------------------------------
FIELD_NAMES = [
    "to", "cc", "bcc", "subject", "body", "in-reply-to", "references", "attach",
    "attachment", "from", "reply-to", "content-type", "x-evil", "", "Subject", "BODY",
]  # fmt: skip
PIECES = [
    "%0D%0A", "%0A", "%0D", "%00", "\r\n", "\n", "%", "%2", "%ZZ", "=", "&", "?", "#", ",",
    "@", "<", ">", '"', ":", ";", "Bcc: x@evil.example", "%E2%80%A8", "%C2%85", "%FF",
    "a@example.com", "Name <n@example.org>", " ", "\t", "日本", "%E6%97%A5", "/etc/passwd",
]  # fmt: skip
junk = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=8).map("".join)
quoted = st.text(max_size=30).map(lambda s: urllib.parse.quote(s, safe=""))
printable = st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=30)
values = junk | quoted | printable.map(lambda s: urllib.parse.quote(s, safe=""))
good_address = st.sampled_from(
    [
        "a@example.com",
        "Name%20%3Cn@example.org%3E",
        "b@example.com,c@example.com",
        "d@xn--bcher-kva.example",
    ]
)
address_value = st.one_of(good_address, good_address, good_address, junk)  # mostly valid


@st.composite
def fields(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(FIELD_NAMES) | junk)
    is_address = name.lower() in {"to", "cc", "bcc"}
    return f"{name}={draw(address_value if is_address else values)}"


urls = st.builds(
    lambda scheme, path, fields: scheme + path + ("?" + "&".join(fields) if fields else ""),
    st.sampled_from(["mailto:", "MAILTO:", "MailTo:"]),
    st.one_of(good_address, good_address, good_address, values),
    st.lists(fields(), max_size=8),
)


def header_names(data: bytes) -> list[str]:
    head = data.split(b"\r\n\r\n", 1)[0]
    names = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            continue  # a folded continuation line
        name, colon, _ = line.partition(b":")
        assert colon, line
        names.append(name.decode("ascii").lower())
    return names


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(urls)
@example("mailto:a@example.com?subject=x%0D%0ABcc:%20evil@example.com")
@example("mailto:a@example.com?body=%0D%0A.%0D%0AMAIL FROM:<x@evil.example>")
@example("mailto:a@example.com?in-reply-to=%3Cx%3E%0D%0AX-Evil:%201")
def test_no_url_injects_a_header_or_names_a_file(url: str) -> None:
    got = parse_mailto(url)
    draft = got.draft
    assert draft.attachments == [] and draft.extra_headers == []
    for value in (*draft.to, *draft.cc, *draft.bcc, draft.subject, draft.in_reply_to):
        assert not re.search("[\r\n\x00\u2028\u2029\x85]", value)
    try:
        built = build_message(draft, ME)
    except MessageError:
        return
    data = built.as_bytes()
    names = header_names(data)
    assert set(names) <= ALLOWED_HEADERS, names
    for once in ("from", "to", "cc", "subject", "in-reply-to", "references"):
        assert names.count(once) <= 1
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert parsed["From"].addresses[0].addr_spec == "me@example.com"
    assert "bcc" not in names
