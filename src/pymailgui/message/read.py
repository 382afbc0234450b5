"""Reading a received message: parse leniently, then build the :class:`MessageView`."""

from __future__ import annotations

import email.errors
import email.policy
import re
from collections import Counter
from collections.abc import Callable
from email.message import EmailMessage, Message
from email.parser import BytesParser

from pymailgui.message.address_list import mailbox_pairs
from pymailgui.message.headers import (
    addresses,
    decode_bytes,
    describe_defect,
    header_date,
    header_text,
    make_address,
    message_ids,
    one_line,
    parse_address_list,
    recover_8bit,
)
from pymailgui.message.html import clean_html, wrap_document
from pymailgui.message.html_text import html_to_text
from pymailgui.message.model import Address, MessageView, PartInfo
from pymailgui.message.structure import (
    Leaf,
    content_type,
    disposition,
    filename,
    is_attachment,
    main_text,
    walk,
)
from pymailgui.message.text import part_bytes, part_text, wrap_body
from pymailgui.message.unstructured import unstructured_text

#: Address and Subject headers longer than this are read by the linear parser.
LONG_HEADER = 2_000
#: And cut here (a real header is a few hundred characters; the linear parser copes).
MAX_VIEW_HEADER = 1024 * 1024
#: A display name or subject is shown up to this many characters.
MAX_VIEW_NAME = 1_000
#: An address header shows (and a reply to all reaches) at most this many addresses.
MAX_VIEW_ADDRESSES = 1_000

#: The body text shown is cut here (a million characters is some 300 pages): a 50 MB
#: single-line body would otherwise be wrapped, copied and drawn whole. The raw
#: message stays whole in ``MessageView.raw``, to view as source or save.
MAX_TEXT_CHARS = 1_000_000
#: An HTML body is sanitized up to here (the sanitizer's time and memory grow with it).
MAX_HTML_CHARS = 2_000_000
#: Above this, a base64 part's size is counted from its text instead of decoded.
_COUNT_FROM = 1024 * 1024

#: The policy every received message is parsed with (RFC 6532-aware, lenient).
READ_POLICY = email.policy.default
# Writing an attached message back out keeps its header lines exactly as received.
_RAW_POLICY = email.policy.default.clone(refold_source="none")


def parse(raw: bytes) -> EmailMessage:
    """Parse ``raw`` with ``email.policy.default``; never raises.

    Should the parser fail (it has on deep nesting and odd headers), the message is
    rebuilt as headers-only plus the raw body as text, with a defect recorded.
    """
    try:
        msg = BytesParser(policy=READ_POLICY).parsebytes(raw)
    except Exception as exc:  # broken mail is normal input
        head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
        try:
            msg = BytesParser(policy=READ_POLICY).parsebytes(head + b"\n\n", headersonly=True)
        except Exception:
            msg = EmailMessage(policy=READ_POLICY)
        for name in ("content-type", "content-transfer-encoding"):
            del msg[name]
        msg.set_payload(body.decode("utf-8", "surrogateescape"))
        msg.defects.append(_ParseFailed(f"the message could not be parsed ({type(exc).__name__})"))
    assert isinstance(msg, EmailMessage)
    return msg


class _ParseFailed(email.errors.MessageDefect):
    """Recorded when the whole parse failed and the fallback was used."""


def _long(msg: Message, name: str) -> list[str] | None:
    """The raw values of header ``name`` when one is too long for the stdlib's parser.

    Its address and unstructured parsers are quadratic on some input (a From whose
    display name is 100,000 dots took 76 s): such headers are read by the linear port
    the list uses, cut at MAX_VIEW_HEADER characters.
    """
    wanted = name.lower()
    raws = [str(v) for k, v in msg.raw_items() if k.lower() == wanted]
    return raws if any(len(r) > LONG_HEADER for r in raws) else None


def _addresses(msg: Message, name: str, defects: list[str]) -> list[Address]:
    raws = _long(msg, name)
    if raws is None:
        return addresses(msg, name, defects)
    found: list[Address] = []
    for raw in raws:
        head, more = _first_addresses(raw[:MAX_VIEW_HEADER], MAX_VIEW_ADDRESSES)
        pairs = mailbox_pairs(one_line(recover_8bit(head)))
        if pairs is None:
            pairs = [(a.display_name, a.addr_spec) for a in parse_address_list(head)]
        found.extend(make_address(_cut(d), s) for d, s in pairs if d or s)
        if more:
            defects.append(f"{name} header lists {more:,} more addresses than are shown")
    if any(len(r) > MAX_VIEW_HEADER for r in raws):
        defects.append(f"{name} header is longer than {MAX_VIEW_HEADER:,} characters; cut")
    return found[:MAX_VIEW_ADDRESSES]


def _first_addresses(value: str, n: int) -> tuple[str, int]:
    """``value`` up to its ``n``-th top-level comma, and how many addresses follow.

    One linear scan that steps over quoted strings, comments and angle brackets, so the
    grammar only ever reads the addresses that will be shown.
    """
    if value.count(",") < n:
        return value, 0
    commas = [m.start() for m in _TOP_LEVEL.finditer(value) if m.group() == ","]
    if len(commas) < n:
        return value, 0
    return value[: commas[n - 1]], len(commas) - n + 1


# A quoted string, a comment (one level), an angle address, or a separating comma; each
# alternative consumes a character at a time, so the scan is linear on any input.
_TOP_LEVEL = re.compile(r'"(?:[^"\\]|\\.)*"?|\((?:[^()\\]|\\.)*\)?|<[^<>]*>?|,')


def _cut(text: str) -> str:
    return text if len(text) <= MAX_VIEW_NAME else text[:MAX_VIEW_NAME] + "…"


def _subject(msg: Message, defects: list[str]) -> str:
    raws = _long(msg, "subject")
    if raws is None:
        return header_text(msg, "subject", defects)
    raw = one_line(recover_8bit(raws[0][:MAX_VIEW_HEADER]))
    return _cut(one_line(unstructured_text(raw) if "=?" in raw else raw))


def has_attachments(raw: bytes) -> bool:
    """Whether the message has parts a reader would save (the view's own rule)."""
    return any(is_attachment(leaf) for leaf in walk(parse(raw)))


def part_size(part: Message) -> int:
    """Bytes after transfer decoding (an attached message: its serialized size)."""
    payload = part.get_payload()
    if part.get_content_maintype() == "message" and isinstance(payload, list):
        return len(attached_message_bytes(part))
    if isinstance(payload, str) and len(payload) > _COUNT_FROM and _is_base64(part):
        # Decoding a 100 MB attachment only to print its size costs 100 MB more.
        letters = len(payload) - sum(payload.count(c) for c in "\r\n\t ")
        tail = payload[-8:].rstrip()
        return max(letters * 3 // 4 - (len(tail) - len(tail.rstrip("="))), 0)
    return len(part_bytes(part))


def _is_base64(part: Message) -> bool:
    try:
        return str(part.get("content-transfer-encoding", "")).strip().lower() == "base64"
    except Exception:
        return False


def attached_message_bytes(part: Message) -> bytes:
    """The bytes of a message/rfc822 part's message, headers kept as received."""
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return part_bytes(part)
    try:
        return inner.as_bytes(policy=_RAW_POLICY)
    except Exception:  # fall back to the transfer-decoded payload
        return part_bytes(part)


def part_infos(leaves: list[Leaf]) -> list[PartInfo]:
    infos = []
    for index, leaf in enumerate(leaves):
        part = leaf.part
        charset = part.get_param("charset") if part.get_content_maintype() == "text" else None
        cid = part.get("content-id")
        infos.append(
            PartInfo(
                index=index,
                content_type=content_type(part),
                filename=filename(part),
                size=part_size(part),
                disposition=disposition(part),
                is_attachment=is_attachment(leaf),
                content_id=one_line(str(cid)).strip("<>") if cid is not None else None,
                charset=charset if isinstance(charset, str) else None,
            )
        )
    return infos


def _cid_leaves(leaves: list[Leaf]) -> dict[str, Leaf]:
    found: dict[str, Leaf] = {}
    for leaf in leaves:
        cid = leaf.part.get("content-id")
        if cid is None:
            continue
        for token in message_ids(str(cid)) or [one_line(str(cid))]:
            found.setdefault(token.strip("<>"), leaf)
    return found


def cid_lookup(leaves: list[Leaf]) -> Callable[[str], tuple[str, bytes] | None]:
    """Content-ID (no <>) -> (content type, bytes) of the message's own parts (RFC 2392),
    decoding a part only when the HTML asks for it: a 100 MB attachment with a
    Content-ID is not decoded for a body that never shows it."""
    found = _cid_leaves(leaves)

    def resolve(cid: str) -> tuple[str, bytes] | None:
        leaf = found.get(cid)
        return (content_type(leaf.part), part_bytes(leaf.part)) if leaf is not None else None

    return resolve


def view(raw: bytes, *, wrap_width: int = 78, allow_remote: bool = False) -> MessageView:
    """Everything to display ``raw``: decoded headers, main text, safe HTML, parts.

    Never raises: whatever can't be decoded is shown as well as possible and listed in
    ``defects`` (``malformed`` is then True).
    """
    msg = parse(raw)
    defects: list[str] = [describe_defect(d) for d in msg.defects]
    result = MessageView(raw=raw)
    result.subject = _subject(msg, defects)
    _once_only(msg, defects)
    result.from_ = _addresses(msg, "from", defects)
    result.to = _addresses(msg, "to", defects)
    result.cc = _addresses(msg, "cc", defects)
    result.reply_to = _addresses(msg, "reply-to", defects)
    result.date = header_date(msg, defects)
    ids = message_ids(header_text(msg, "message-id"))
    result.message_id = ids[0] if ids else header_text(msg, "message-id")

    leaves = walk(msg, defects)
    result.parts = part_infos(leaves)
    for leaf in leaves:
        if leaf.path:
            defects.extend(
                f"part {'.'.join(map(str, leaf.path))}: {describe_defect(d)}"
                for d in leaf.part.defects
            )
    _fill_body(result, msg, leaves, defects, wrap_width, allow_remote)
    result.defects = list(dict.fromkeys(defects))
    result.malformed = bool(result.defects)
    return result


#: RFC 5322 §3.6: these fields appear at most once. A second From is how a message
#: shows one sender in one program's list and another in the next one's view.
_ONCE = ("From", "Sender", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID")


def _once_only(msg: Message, defects: list[str]) -> None:
    counts = Counter(name.lower() for name in msg)
    for name in _ONCE:
        if counts.get(name.lower(), 0) > 1:
            defects.append(
                f"the message has {counts[name.lower()]} {name} fields where one is allowed; "
                + ("every sender is shown" if name == "From" else "the first is shown")
            )


def _raw_body_text(raw: bytes) -> str:
    cut = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    body = raw[min(cut) :].lstrip(b"\r\n") if cut else b""
    text = decode_bytes(body, None)[0]
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _fill_body(
    result: MessageView,
    msg: Message,
    leaves: list[Leaf],
    defects: list[str],
    wrap_width: int,
    allow_remote: bool,
) -> None:
    plain, html = main_text(leaves)
    if plain is None and html is None:
        # Only attachments at the top: show the text of an attached message, if any.
        inner = [
            Leaf(x.part, x.in_related, False, x.path)
            for x in walk(msg, into_attached=True)
            if x.in_attached
        ]
        plain, html = main_text(inner)
    html_source = None
    if html is not None:
        html_source, problems = part_text(html.part)
        defects.extend(problems)
        if len(html_source) > MAX_HTML_CHARS:
            html_source = html_source[:MAX_HTML_CHARS]
            defects.append(
                f"the HTML text is longer than {MAX_HTML_CHARS:,} characters; only its "
                "beginning is shown (the whole message can be viewed as source or saved)"
            )
        resolve = cid_lookup(leaves)
        clean = clean_html(html_source, allow_remote=allow_remote, cid_resolver=resolve)
        result.html = wrap_document(clean.html, allow_remote=allow_remote)
        result.remote_content_blocked = clean.remote_content_blocked
    if plain is not None:
        text, problems = part_text(plain.part)
        defects.extend(p for p in problems if p not in defects)
    elif html_source is not None:
        text = html_to_text(html_source)
    else:
        text = ""
    if not text.strip() and msg.get_content_maintype() == "multipart" and not msg.is_multipart():
        # The parser lost a broken multipart's body; the raw text beats an empty window.
        text = _raw_body_text(result.raw)
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
        defects.append(
            f"the text is longer than {MAX_TEXT_CHARS:,} characters; only its beginning "
            "is shown (the whole message can be viewed as source or saved)"
        )
    result.body_text = text
    result.body_wrapped = wrap_body(text, wrap_width)
