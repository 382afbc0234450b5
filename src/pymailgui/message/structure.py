"""The shape of a message: its listed parts and which one is the main text.

Walking is iterative with a depth limit (hostile mail nests multiparts thousands deep and
the stdlib's recursive ``walk()`` then dies with RecursionError). An attached message
(message/rfc822) is one listed part: saving it gives the whole .eml.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from email.message import Message

from pymailgui.message.headers import decode_words, one_line, recover_8bit

MAX_DEPTH = 64


@dataclass(frozen=True)
class Leaf:
    """A listed part with where it sits in the tree."""

    part: Message
    in_related: bool  # inside multipart/related (inline images of an HTML body)
    in_attached: bool  # inside an attached message/rfc822
    path: tuple[int, ...]


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    return []


def walk(
    msg: Message, defects: list[str] | None = None, *, into_attached: bool = False
) -> list[Leaf]:
    """Leaf parts in document order; message/rfc822 counts as a leaf unless ``into_attached``."""
    leaves: list[Leaf] = []
    stack: list[tuple[Message, bool, bool, tuple[int, ...]]] = [(msg, False, False, ())]
    warned = False
    while stack:
        part, related, attached, path = stack.pop()
        children = _children(part)
        is_message = part.get_content_maintype() == "message" and bool(children)
        if not children or (is_message and not into_attached and path):
            leaves.append(Leaf(part, related, attached, path))
            continue
        if len(path) >= MAX_DEPTH:
            if defects is not None and not warned:
                defects.append(f"parts nested deeper than {MAX_DEPTH} levels were not shown")
                warned = True
            continue
        inner_related = related or part.get_content_type() == "multipart/related"
        for i, child in reversed(list(enumerate(children))):
            inner_attached = attached or (is_message and bool(path))
            stack.append((child, inner_related, inner_attached, (*path, i)))
    return leaves


def content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def filename(part: Message) -> str | None:
    """The decoded file name: Content-Disposition filename, else Content-Type name.

    RFC 2231 parameters are decoded by the stdlib; RFC 2047 words inside a quoted
    parameter (not allowed by RFC 2047 section 5, but sent by Outlook and others) too.
    """
    try:
        name = part.get_filename() or part.get_param("name")
    except Exception:
        name = None
    if isinstance(name, tuple):  # RFC 2231 triple from get_param
        name = name[2]
    if not isinstance(name, str) or not name.strip():
        return None
    name = recover_8bit(name)
    if "=?" in name:
        name = decode_words(name)
    return visible_name(one_line(name)) or None


def visible_name(name: str) -> str:
    """A file name as it would look, with nothing that hides part of it.

    Format characters (category Cf: zero-width spaces and joiners, bidi marks and
    overrides, the BOM, soft hyphens) are dropped, and every run of white space is one
    space, so neither "photo.jpg\u200b.exe" nor "report.pdf" + 60 spaces + ".exe" can
    keep the real extension out of sight.
    """
    kept = "".join(c for c in name if unicodedata.category(c) not in {"Cc", "Cf"})
    return " ".join(kept.split())


def disposition(part: Message) -> str | None:
    try:
        value = part.get_content_disposition()
    except Exception:
        return None
    return value.lower() if isinstance(value, str) else None


def is_attachment(leaf: Leaf) -> bool:
    """Whether a listed part is something to save rather than the body to read."""
    part = leaf.part
    kind = disposition(part)
    if kind == "attachment" or leaf.in_attached:
        return True
    maintype = part.get_content_maintype()
    if maintype == "message" and leaf.path:
        return True
    if maintype == "text" and filename(part) is None:
        return False
    if leaf.in_related and part.get("content-id") is not None:
        return False  # an inline image shown by the HTML body (RFC 2387)
    return not (kind == "inline" and maintype == "text")


def main_text(leaves: list[Leaf]) -> tuple[Leaf | None, Leaf | None]:
    """The (plain, html) parts to show, chosen as PyMailGUI always did.

    First text/plain that is not an attachment; else the first text/html (converted to
    text by the caller); else any other text/*. The html part is returned as well, for
    front ends that render HTML.
    """
    readable = [leaf for leaf in leaves if not is_attachment(leaf)]
    plain = next((x for x in readable if content_type(x.part) == "text/plain"), None)
    html = next((x for x in readable if content_type(x.part) == "text/html"), None)
    if plain is None and html is None:
        plain = next((x for x in readable if x.part.get_content_maintype() == "text"), None)
    if plain is None and html is None:
        # A named text part without "attachment" disposition is still shown inline.
        plain = next(
            (
                x
                for x in leaves
                if x.part.get_content_maintype() == "text"
                and disposition(x.part) != "attachment"
                and not x.in_attached
            ),
            None,
        )
    if plain is None and html is None:
        # A multipart whose boundary was never found parses as one text-like blob.
        plain = next((x for x in leaves if x.part.get_content_maintype() == "multipart"), None)
    return plain, html
