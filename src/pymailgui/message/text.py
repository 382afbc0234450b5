"""Turning a text part into display text: transfer decoding, charsets, flowed text, wrapping."""

from __future__ import annotations

import re
import textwrap
from email.message import Message

from pymailgui.message.headers import decode_bytes, describe_defect


def part_bytes(part: Message) -> bytes:
    """The transfer-decoded payload of a leaf part; b"" when there is none. Never raises.

    ``get_payload(decode=True)`` is lenient: bad base64 decodes what it can and records a
    defect, bad quoted-printable is left as is, an unknown Content-Transfer-Encoding
    returns the bytes unchanged.
    """
    try:
        data = part.get_payload(decode=True)
    except Exception:  # hostile payloads must never stop the display
        payload = part.get_payload()
        if isinstance(payload, str):
            return payload.encode("utf-8", "surrogateescape")
        return b""
    if isinstance(data, bytes):
        return data
    if part.is_multipart() and not part.get_payload():
        # A multipart whose parts were all lost (bad boundaries): show what surrounded them.
        around = "\n".join(x for x in (part.preamble, part.epilogue) if x)
        return around.encode("utf-8", "surrogateescape")
    return b""


def part_text(part: Message) -> tuple[str, list[str]]:
    """The decoded text of a leaf part with the problems met (never raises).

    Charset order: the declared one, then UTF-8, then windows-1252 with replacement.
    """
    defects = [describe_defect(d) for d in part.defects]
    charset = None
    try:
        charset = part.get_param("charset")
    except Exception:  # noqa: S110 - a broken Content-Type just has no charset
        pass
    if isinstance(charset, tuple):  # RFC 2231 (charset, language, value)
        charset = charset[2]
    text, problem = decode_bytes(part_bytes(part), charset if isinstance(charset, str) else None)
    if problem:
        defects.append(problem)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if _is_flowed(part):
        text = unflow(text, delsp=_param(part, "delsp").lower() == "yes")
    return text, defects


def _param(part: Message, name: str) -> str:
    try:
        value = part.get_param(name)
    except Exception:
        return ""
    return value if isinstance(value, str) else ""


def _is_flowed(part: Message) -> bool:
    return part.get_content_type() == "text/plain" and _param(part, "format").lower() == "flowed"


def unflow(text: str, *, delsp: bool = False) -> str:
    """Join RFC 3676 format=flowed soft line breaks (a line ending in a space).

    Section 4.2: a line whose last char is a space continues on the next line of the
    same quote depth; the signature separator "-- " is never a flowed line (4.3).
    """
    out: list[str] = []
    pending: str | None = None
    pending_depth = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):  # space-stuffing (section 4.4)
            content = content[1:]
        if pending is not None and depth == pending_depth:
            content = pending + content
        elif pending is not None:
            out.append(">" * pending_depth + (" " if pending_depth else "") + pending)
        pending = None
        if content.endswith(" ") and content != "-- ":
            pending = content[:-1] if delsp else content
            pending_depth = depth
            continue
        out.append(">" * depth + (" " if depth and content else "") + content)
    if pending is not None:
        out.append(">" * pending_depth + (" " if pending_depth else "") + pending)
    return "\n".join(out)


_QUOTE_PREFIX = re.compile(r"^(?:[ \t]*>)+[ \t]?")


def wrap_body(text: str, width: int = 78) -> str:
    """Wrap long lines for display at ``width``, keeping each line's ">" quote prefix.

    Words longer than the width (URLs) are never broken; 0 disables wrapping.
    """
    if width <= 0:
        return text
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        match = _QUOTE_PREFIX.match(line)
        prefix = match.group(0) if match else ""
        body = line[len(prefix) :]
        indent = prefix if prefix else re.match(r"[ \t]*", body).group(0)  # type: ignore[union-attr]
        lines = textwrap.wrap(
            body,
            width=max(width - len(prefix), 20),
            break_long_words=False,
            break_on_hyphens=False,
            subsequent_indent="" if prefix else indent,
            drop_whitespace=True,
        )
        out.extend(prefix + piece for piece in lines or [""])
    return "\n".join(out)
