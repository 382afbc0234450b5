"""Composing (issue 10): hostile values typed or quoted never reach the wire as headers.

Every case checks the raw bytes the scripted SMTP server read off the socket: no header
or SMTP command injected, CRLF line ends only, the DATA ended exactly once. Replies and
forwards of hostile mail must never crash (``reply()`` used to raise AttributeError on
``From: "x" <x@[bad>``).
"""

from __future__ import annotations

import email.policy
from collections.abc import Callable
from email.parser import BytesParser

import pytest
from hypothesis import HealthCheck, given, settings

from pymailgui.devserver.smtpscripted import ScriptedSMTPServer
from pymailgui.errors import MessageError
from pymailgui.message import Attachment, Draft, Identity, build_message, forward, reply
from pymailgui.message.drafts import draft_bytes, read_draft
from pymailgui.message.mailto import parse_mailto
from pymailgui.store import OUTBOX
from tests.hostile.conftest import AccountMaker
from tests.hostile.shapes import crlf_only, header_names, hostile_headers, message_with

ME = Identity("alice@example.org", "Alice")
MakeSMTP = Callable[..., ScriptedSMTPServer]

#: The header fields a message we build may carry; anything else was injected.
OUR_FIELDS = {
    "from", "to", "cc", "subject", "date", "message-id", "in-reply-to", "references",
    "mime-version", "content-type", "content-transfer-encoding", "content-disposition",
}  # fmt: skip


def test_reply_to_a_broken_address_gives_a_draft_not_a_crash() -> None:
    original = b'From: "x" <x@[bad>\r\nSubject: hi\r\nMessage-ID: <a@b.example>\r\n\r\nhi\r\n'
    draft = reply(original, ME)
    assert draft.to == ["x <x@[bad>"]
    assert draft.subject == "Re: hi"
    # The address is refused with a sentence when sending, not with a traceback.
    with pytest.raises(MessageError, match="not a valid address"):
        build_message(draft, ME)


@settings(max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_headers)
def test_reply_and_forward_of_hostile_headers_never_crash(headers: list[tuple[str, str]]) -> None:
    original = message_with(headers)
    drafts = [
        reply(original, ME),
        reply(original, ME, reply_all=True),
        forward(original, ME, to=["bob@example.org"]),
        forward(original, ME, to=["bob@example.org"], as_attachment=True),
    ]
    for draft in drafts:
        stored = draft_bytes(draft, ME)  # a draft is always savable...
        assert read_draft(stored).subject == draft.subject.strip()
        try:
            built = build_message(draft, ME)  # ...and either builds or says why not
        except MessageError:
            continue
        data = built.as_bytes()
        assert crlf_only(data)
        assert set(header_names(data)) <= OUR_FIELDS


@pytest.mark.parametrize(
    "field",
    ["to", "cc", "bcc", "subject", "display_name", "extra_header", "attachment_name"],
)
@pytest.mark.parametrize("bad", ["\r\nBcc: evil@example.net", "\nX-Evil: 1", "\r", "\x00"])
def test_a_line_break_or_nul_typed_anywhere_is_refused_before_anything_is_sent(
    make_scripted_smtp: MakeSMTP, hostile_account: AccountMaker, field: str, bad: str
) -> None:
    server = make_scripted_smtp(tls=False)
    account = hostile_account(smtp=server)
    draft = Draft(to=["bob@example.org"], subject="hello", body="hi\n")
    if field in {"to", "cc", "bcc"}:
        setattr(draft, field, [f"bob@example.org{bad}"])
    elif field == "subject":
        draft.subject = f"hello{bad}"
    elif field == "display_name":
        account.account = type(account.account)(
            **{**account.account.__dict__, "display_name": f"Alice{bad}"}
        )
    elif field == "extra_header":
        draft.extra_headers = [("X-Note", f"fine{bad}")]
    else:
        draft.attachments = [Attachment(f"a.txt{bad}", b"data", "text/plain")]
    with pytest.raises(MessageError, match="line break or NUL"):
        account.send(draft)
    assert server.sessions == []  # not even a connection
    assert account.folders.rows(OUTBOX) == []


HOSTILE_ORIGINAL = (
    b"From: =?utf-8?q?Mallory=0D=0ABcc:_evil@example.net?= <mallory@example.net>\r\n"
    b"Reply-To: <mallory@example.net>, =?utf-8?q?x=0D=0AX-Evil:_1?= <x@example.net>\r\n"
    b"To: alice@example.org\r\n"
    b"Subject: =?utf-8?q?Hi=0D=0ABcc:_evil@example.net=0D=0A=0D=0Abody?=\r\n"
    b"Message-ID: <m1@example.net>\r\n"
    b"References: <r1@example.net> =?utf-8?q?=0D=0AX-Evil:_2?= <r2@example.net>\r\n"
    b"\r\n"
    b"Quoted text.\r\n.\r\nMAIL FROM:<evil@example.net>\r\n"
)


@pytest.mark.parametrize("kind", ["reply", "reply-all", "forward", "forward-attached"])
def test_values_quoted_from_hostile_mail_inject_nothing_on_the_wire(
    make_scripted_smtp: MakeSMTP, hostile_account: AccountMaker, kind: str
) -> None:
    server = make_scripted_smtp(tls=False)
    account = hostile_account(smtp=server)
    if kind.startswith("reply"):
        draft = account.reply_draft(HOSTILE_ORIGINAL, reply_all=kind == "reply-all")
    else:
        draft = account.forward_draft(
            HOSTILE_ORIGINAL, ["bob@example.org"], as_attachment=kind == "forward-attached"
        )
    account.send(draft)
    (session,) = server.sessions
    (delivery,) = session.deliveries
    assert crlf_only(delivery.wire)
    assert set(header_names(delivery.content)) <= OUR_FIELDS
    assert "evil@example.net" not in delivery.rcpt_tos
    # After DATA the only command is QUIT: the body's "MAIL FROM" stayed in the body.
    assert session.verbs()[-1] == "QUIT" and session.verbs().count("MAIL") == 1
    sent = BytesParser(policy=email.policy.default).parsebytes(delivery.content)
    assert "\n" not in str(sent["Subject"]) and sent["Bcc"] is None


@pytest.mark.parametrize(
    "body",
    [
        "bare\rcarriage return\rlines\r",
        "bare\nline feeds\n",
        ".\n..\n.x\n",
        "end of data?\r\n.\r\nMAIL FROM:<evil@example.net>\r\nRCPT TO:<evil@example.net>\r\n",
        "\n.\n",
        "no final newline.",
    ],
)
def test_bodies_go_out_crlf_only_and_dot_stuffed(
    make_scripted_smtp: MakeSMTP, hostile_account: AccountMaker, body: str
) -> None:
    server = make_scripted_smtp(tls=False)
    account = hostile_account(smtp=server)
    account.send(Draft(to=["bob@example.org"], subject="dots", body=body))
    (session,) = server.sessions
    (delivery,) = session.deliveries
    assert crlf_only(delivery.wire) and delivery.wire.endswith(b"\r\n.\r\n")
    assert session.verbs() == ["EHLO", "MAIL", "RCPT", "DATA", "QUIT"]
    assert delivery.rcpt_tos == ["bob@example.org"]
    sent = BytesParser(policy=email.policy.default).parsebytes(delivery.content)
    expected = body.replace("\r\n", "\n").replace("\r", "\n")
    got = sent.get_content().replace("\r\n", "\n")
    assert got.rstrip("\n") == expected.rstrip("\n")


HOSTILE_MAILTO = (
    "mailto:bob@example.org?subject=hi%0D%0ABcc:%20evil@example.net"
    "&attach=/etc/passwd&attachment=file:///etc/passwd&body=see%0D%0A.%0D%0Aattached"
    "&bcc=evil2@example.net%0D%0AX-Evil:%201&from=boss@example.org"
)


def core_mailto(url: str) -> Draft:
    return parse_mailto(url).draft


def gui_mailto(url: str) -> Draft:
    # The path a link clicked in a message or `pymailgui mailto:` takes (gui/mailto.py).
    pytest.importorskip("PySide6.QtCore", exc_type=ImportError)
    from pymailgui.gui.mailto import mailto_draft

    return mailto_draft(url)[0]


@pytest.mark.parametrize("parse", [core_mailto, gui_mailto], ids=["core", "gui"])
def test_a_mailto_link_never_attaches_a_local_file_or_injects_a_header(
    make_scripted_smtp: MakeSMTP, hostile_account: AccountMaker, parse: Callable[[str], Draft]
) -> None:
    # RFC 6068 has no attachment field, yet some clients honoured "attach=" (a web
    # page could mail itself ~/.ssh/id_rsa); no field may add a header or a recipient.
    draft = parse(HOSTILE_MAILTO)
    assert draft.attachments == [] and draft.extra_headers == []
    server = make_scripted_smtp(tls=False)
    account = hostile_account(smtp=server)
    try:
        account.send(draft)
    except MessageError:
        assert server.sessions == []  # refused before anything went out: fine too
        return
    (delivery,) = server.sessions[0].deliveries
    assert delivery.rcpt_tos == ["bob@example.org"]  # the broken Bcc field was dropped
    assert set(header_names(delivery.content)) <= OUR_FIELDS
    assert b"root:" not in delivery.content and b"boss@example.org" not in delivery.content
