"""Messages in the GUI-free core: reading, saving parts, writing, replying, forwarding.

Pure library code over bytes (no sockets, no Qt, no printing); results are dataclasses.
"""

from __future__ import annotations

from pymailgui.message.compose import (
    Attachment,
    BuiltMessage,
    Draft,
    Identity,
    build_message,
    check_header_value,
    needs_smtputf8,
)
from pymailgui.message.html import CleanHtml, clean_html, sanitize_html
from pymailgui.message.html_text import html_to_text
from pymailgui.message.model import Address, MessageView, PartInfo
from pymailgui.message.parts import (
    fallback_name,
    is_reserved_name,
    safe_filename,
    save_all_parts,
    save_part,
)
from pymailgui.message.read import has_attachments, parse, view
from pymailgui.message.reply import (
    forward,
    forward_subject,
    new_message,
    reply,
    reply_subject,
    signature_block,
)
from pymailgui.message.text import unflow, wrap_body

__all__ = [
    "Address",
    "Attachment",
    "BuiltMessage",
    "CleanHtml",
    "Draft",
    "Identity",
    "MessageView",
    "PartInfo",
    "build_message",
    "check_header_value",
    "clean_html",
    "fallback_name",
    "forward",
    "forward_subject",
    "has_attachments",
    "html_to_text",
    "is_reserved_name",
    "needs_smtputf8",
    "new_message",
    "parse",
    "reply",
    "reply_subject",
    "safe_filename",
    "sanitize_html",
    "save_all_parts",
    "save_part",
    "signature_block",
    "unflow",
    "view",
    "wrap_body",
]
