"""Drafts: an unfinished message stored as mail, and read back to be continued.

A draft must be savable whatever state it is in - no recipient yet, an address half
typed - so, unlike :func:`~pymailgui.message.compose.build_message`, nothing here is
validated: the typed values are kept as they are (a line break becomes a space, since
it could not be stored in a header). The result is an ordinary message, so other mail
programs show the Drafts folder too.
"""

from __future__ import annotations

import email.policy
import mimetypes
import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from pymailgui.message.compose import Attachment, Draft, Identity
from pymailgui.message.headers import header_text, message_ids, raw_header, recover_8bit
from pymailgui.message.read import parse
from pymailgui.message.structure import is_attachment, main_text, walk
from pymailgui.message.text import part_bytes, part_text

#: UTF-8 headers (RFC 6532) kept as typed: a draft never leaves this machine as is.
_POLICY = email.policy.SMTPUTF8.clone(refold_source="none")
_UNSAFE = re.compile(r"[\r\n\x00]+")
_DRAFT_HEADER = "X-PyMailGUI-Draft"


def _typed(value: str) -> str:
    return _UNSAFE.sub(" ", value).strip()


def draft_bytes(draft: Draft, identity: Identity) -> bytes:
    """``draft`` as a message for the Drafts folder (never raises on what was typed)."""
    msg = EmailMessage(policy=_POLICY)
    sender = (
        f"{identity.display_name} <{identity.address}>"
        if identity.display_name
        else (identity.address)
    )
    msg.set_raw("From", _typed(sender))
    for name, values in (("To", draft.to), ("Cc", draft.cc), ("Bcc", draft.bcc)):
        text = _typed(", ".join(v for v in values if v.strip()))
        if text:
            msg.set_raw(name, text)
    msg.set_raw("Subject", _typed(draft.subject))
    msg.set_raw("Date", format_datetime(datetime.now().astimezone()))
    if draft.in_reply_to.strip():
        msg.set_raw("In-Reply-To", _typed(draft.in_reply_to))
    if draft.references:
        msg.set_raw("References", _typed(" ".join(draft.references)))
    msg.set_raw(_DRAFT_HEADER, "1")
    msg.set_raw("MIME-Version", "1.0")
    body = draft.body.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    msg.set_content(body if body.endswith("\n") else body + "\n")
    for item in draft.attachments:
        name, data, ctype = _attachment(item)
        if data is None:
            continue  # a file that vanished since it was added: the draft still saves
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    for part in msg.iter_parts():
        del part["MIME-Version"]
    return msg.as_bytes()


def _attachment(item: Path | Attachment | tuple[str, bytes, str]) -> tuple[str, bytes | None, str]:
    if isinstance(item, Path):
        try:
            data: bytes | None = item.read_bytes()
        except OSError:
            data = None
        ctype = mimetypes.guess_type(item.name, strict=False)[0] or "application/octet-stream"
        return item.name, data, ctype
    name, data, ctype = item
    if "/" not in ctype:
        ctype = "application/octet-stream"
    return _typed(name) or "attachment.bin", data, ctype.lower()


def read_draft(data: bytes) -> Draft:
    """A stored draft (or any message) as a :class:`Draft` to continue writing."""
    msg = parse(data)

    def typed(name: str) -> list[str]:
        raw = raw_header(msg, name)
        if raw is None:
            return []
        text = header_text(msg, name) if "=?" in raw else recover_8bit(raw)
        text = _typed(text)
        return [text] if text else []

    leaves = walk(msg)
    body_leaf, _html = main_text(leaves)
    body = part_text(body_leaf.part)[0] if body_leaf is not None else ""
    attachments: list[Path | Attachment | tuple[str, bytes, str]] = []
    for leaf in leaves:
        if leaf is body_leaf or not is_attachment(leaf):
            continue
        part = leaf.part
        name = part.get_filename() or "attachment.bin"
        attachments.append(Attachment(str(name), part_bytes(part), part.get_content_type()))
    subject = typed("Subject")
    return Draft(
        to=typed("To"),
        cc=typed("Cc"),
        bcc=typed("Bcc"),
        subject=subject[0] if subject else "",
        body=body,
        attachments=attachments,
        in_reply_to=" ".join(message_ids(raw_header(msg, "In-Reply-To") or "")),
        references=message_ids(raw_header(msg, "References") or ""),
    )
