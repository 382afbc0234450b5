"""Replying and forwarding: a received message becomes a :class:`Draft` to edit.

Every value copied from the received message goes through ``one_line`` (CR/LF folded to
spaces, controls dropped): a hostile Subject must not inject headers into our reply.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pymailgui.message.compose import Attachment, Draft, Identity
from pymailgui.message.headers import header_text, message_ids, one_line
from pymailgui.message.model import Address, MessageView
from pymailgui.message.parts import fallback_name, part_data, safe_filename
from pymailgui.message.read import parse, view
from pymailgui.message.structure import content_type, filename, is_attachment, walk

# Reply prefixes in the languages mail clients actually send ("Re", German "Aw",
# Scandinavian "Sv"/"Vs", Dutch "Antw", Polish "Odp", French "Réf", Outlook's "Re[2]").
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|antw|odp|r[ée]f|ynt|atb)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)
_FORWARD_PREFIX = re.compile(r"^\s*(?:(?:fwd?|wg|tr|rv|enc|doorst)\s*[:：]\s*)+", re.IGNORECASE)
# RFC 5322 section 3.6.4 lets References be trimmed; keep the thread root and the most
# recent ids (as Thunderbird does) so the header stays a sensible size.
MAX_REFERENCES = 20


def reply_subject(subject: str) -> str:
    """ "Re: " once, whatever reply prefixes were stacked before ("Re: Aw: RE[2]: x")."""
    return "Re: " + _REPLY_PREFIX.sub("", one_line(subject))


def forward_subject(subject: str) -> str:
    """ "Fwd: " once, replacing stacked forward prefixes ("Fw: WG: x")."""
    return "Fwd: " + _FORWARD_PREFIX.sub("", one_line(subject))


def _dedupe(addrs: list[Address], exclude: set[str]) -> list[Address]:
    seen = set(exclude)
    result = []
    for addr in addrs:
        key = addr.addr_spec.lower()
        if key and key not in seen:
            seen.add(key)
            result.append(addr)
    return result


def _references(original: MessageView, raw_refs: str, raw_irt: str) -> list[str]:
    refs = message_ids(raw_refs)
    if not refs:
        # RFC 5322 section 3.6.4: no References but a single In-Reply-To id -> use it.
        irt = message_ids(raw_irt)
        refs = irt if len(irt) == 1 else []
    if original.message_id and original.message_id not in refs:
        refs.append(original.message_id)
    refs = list(dict.fromkeys(refs))
    if len(refs) > MAX_REFERENCES:
        refs = [refs[0], *refs[-(MAX_REFERENCES - 1) :]]
    return refs


def quote(text: str) -> str:
    """Quote each line with "> " (an already quoted line gets ">" only, RFC 3676 4.5)."""
    lines = text.rstrip("\n").split("\n")
    return "\n".join(
        ">" + line if line.startswith(">") else ("> " + line).rstrip() for line in lines
    )


def attribution(original: MessageView) -> str:
    sender = original.from_[0] if original.from_ else None
    who = (sender.display_name or sender.addr_spec) if sender else "someone"
    if original.date is None:
        return f"{who} wrote:"
    when = original.date.strftime("%a, %d %b %Y at %H:%M")
    return f"On {when}, {who} wrote:"


def signature_block(signature: str) -> str:
    """The signature as it ends a message ("" without one).

    RFC 3676 section 4.3: the separator is "-- " on a line of its own.
    """
    sig = signature.replace("\r\n", "\n").strip("\n")
    return f"\n\n-- \n{sig}\n" if sig else ""


def _signature(identity: Identity) -> str:
    return signature_block(identity.signature) or "\n"


def new_message(identity: Identity) -> Draft:
    """An empty message to write, ending with the signature."""
    return Draft(body=signature_block(identity.signature))


def reply(original_raw: bytes, identity: Identity, *, reply_all: bool = False) -> Draft:
    """A reply (or reply to all) to ``original_raw``, quoted, with threading headers."""
    original = view(original_raw, wrap_width=0)
    msg = parse(original_raw)
    own = identity.own_addresses()
    targets = original.reply_to or original.from_
    if original.from_ and all(a.addr_spec.lower() in own for a in original.from_):
        # Replying to our own sent message goes to its recipients, not to ourselves.
        targets = original.to or original.from_
    to = _dedupe(targets, set())
    cc: list[Address] = []
    if reply_all:
        exclude = own | {a.addr_spec.lower() for a in to}
        cc = _dedupe(original.to + original.cc, exclude)
        if not to and cc:
            to, cc = cc[:1], cc[1:]
    # The reply goes on top, where the cursor starts; the signature ends the reply,
    # above the quoted original (RFC 3676 §4.3 separator).
    signature = signature_block(identity.signature)
    body = (f"{signature}\n" if signature else "\n\n") + attribution(original) + "\n"
    body += quote(original.body_text) + "\n"
    return Draft(
        to=[a.mailbox() for a in to],
        cc=[a.mailbox() for a in cc],
        subject=reply_subject(original.subject),
        body=body,
        in_reply_to=original.message_id,
        references=_references(
            original, header_text(msg, "references"), header_text(msg, "in-reply-to")
        ),
    )


def forward(
    original_raw: bytes,
    identity: Identity,
    *,
    to: Sequence[str] | str = (),
    as_attachment: bool = False,
    keep_attachments: bool = True,
) -> Draft:
    """A forward of ``original_raw``: inline with a header block, or as a message/rfc822."""
    if isinstance(to, str):
        to = [to]
    original = view(original_raw, wrap_width=0)
    subject = forward_subject(original.subject)
    if as_attachment:
        name = safe_filename(f"{one_line(original.subject)[:80]}.eml", "forwarded.eml")
        return Draft(
            to=list(to),
            subject=subject,
            body=_signature(identity).lstrip("\n"),
            attachments=[Attachment(name, original_raw, "message/rfc822")],
        )
    lines = ["---------- Forwarded message ----------"]
    lines.append("From: " + ", ".join(map(str, original.from_)))
    if original.date is not None:
        lines.append("Date: " + original.date.strftime("%a, %d %b %Y at %H:%M %z"))
    lines.append("Subject: " + original.subject)
    lines.append("To: " + ", ".join(map(str, original.to)))
    if original.cc:
        lines.append("Cc: " + ", ".join(map(str, original.cc)))
    body = "\n\n" + "\n".join(lines) + "\n\n" + original.body_text.rstrip("\n")
    body += _signature(identity)
    attachments: list[object] = []
    if keep_attachments:
        attachments = list(_original_attachments(original_raw))
    return Draft(
        to=list(to),
        subject=subject,
        body=body,
        attachments=[a for a in attachments if isinstance(a, Attachment)],
    )


def _original_attachments(original_raw: bytes) -> list[Attachment]:
    result = []
    for index, leaf in enumerate(walk(parse(original_raw))):
        if not is_attachment(leaf):
            continue
        ctype = content_type(leaf.part)
        name = safe_filename(filename(leaf.part), fallback_name(index, ctype))
        result.append(Attachment(name, part_data(leaf), ctype))
    return result
