"""HTML mail: a sanitizer that fetches nothing remote, and HTML turned into readable text.

Sanitizing uses nh3 (ammonia, an html5ever-based allowlist sanitizer): scripts, styles
blocks, forms, frames, objects, event handlers and javascript: URLs never pass. On top of
that, every reference that would make a viewer contact a server (img src, srcset,
background, CSS url(), <link>, <base>, meta refresh) is removed unless the user asked for
remote content: loading a remote image tells the sender that, when and where the mail
was read (tracking pixels).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass

import nh3

from pymailgui.message.html_text import html_to_text

#: Given a Content-ID (without <>), return (content type, bytes) of that part or None.
CidResolver = Callable[[str], "tuple[str, bytes] | None"]

_TAGS = (set(nh3.ALLOWED_TAGS) | {"font", "tfoot", "center", "u"}) - {"area", "map"}
_ATTRIBUTES: dict[str, set[str]] = {k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES.setdefault("*", set()).update({"style", "title", "dir", "lang", "align"})
_ATTRIBUTES.setdefault("font", set()).update({"color", "face", "size"})
for _tag in ("table", "td", "th", "tr", "tbody", "thead", "tfoot"):
    _ATTRIBUTES.setdefault(_tag, set()).update({"width", "height", "bgcolor", "valign"})
_ATTRIBUTES["table"].update({"border", "cellpadding", "cellspacing"})
# Removed with their content, not only the tags.
_DROP_WITH_CONTENT = {
    "script",
    "style",
    "title",
    "template",
    "noscript",
    "textarea",
    "select",
    "button",
    "iframe",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
}
_URL_SCHEMES = {"http", "https", "mailto", "cid", "data", "tel"}
#: A cid: image part up to this size is put into the page as a data: URL (a page that
#: needs nothing else to show); a bigger one stays a cid: reference.
MAX_INLINE_IMAGE_BYTES = 2 * 1024 * 1024
_IMAGE_DATA_URL = re.compile(
    r"^data:image/(png|gif|jpeg|jpg|webp|bmp);base64,[A-Za-z0-9+/=\s]*$", re.IGNORECASE
)
# CSS properties kept in style attributes; none of them can carry url() (checked anyway).
_CSS_PROPERTIES = frozenset(
    {
        "color",
        "background-color",
        "font",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "text-align",
        "text-decoration",
        "text-indent",
        "text-transform",
        "line-height",
        "letter-spacing",
        "white-space",
        "vertical-align",
        "direction",
        "margin",
        "margin-top",
        "margin-bottom",
        "margin-left",
        "margin-right",
        "padding",
        "padding-top",
        "padding-bottom",
        "padding-left",
        "padding-right",
        "border",
        "border-top",
        "border-bottom",
        "border-left",
        "border-right",
        "border-color",
        "border-style",
        "border-width",
        "border-collapse",
        "border-spacing",
        "width",
        "height",
        "max-width",
        "min-width",
        "display",
        "list-style-type",
    }
)
# Anything in a CSS value that could fetch or execute: url(), image-set(), expression(),
# @import, and backslash escapes that could spell those.
_CSS_DANGER = re.compile(
    r"url|image|expression|@import|\\|javascript|behavior|-moz-binding", re.IGNORECASE
)


# A reference a viewer would fetch by itself, anywhere in the source.
_REMOTE_REFERENCE = re.compile(
    r"""\b(?:src|srcset|background|poster|data)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CleanHtml:
    """The result of sanitizing: the safe fragment and whether remote content was cut."""

    html: str
    remote_content_blocked: bool


def _clean_style(value: str) -> str | None:
    kept = []
    for declaration in value.split(";"):
        prop, sep, val = declaration.partition(":")
        prop = prop.strip().lower()
        if sep and prop in _CSS_PROPERTIES and not _CSS_DANGER.search(val):
            kept.append(f"{prop}:{val.strip()}")
    return ";".join(kept) or None


def _relative(url: str) -> str | None:
    """Relative URLs resolve against an unknown base: drop them; "//host" means https."""
    return "https:" + url if url.startswith("//") else None


def _cid_src(url: str, cid_resolver: CidResolver | None) -> str | None:
    """An <img> src for a cid: URL: the message's image part as a data: URL, the URL
    itself for a big part, None when the message has no such image."""
    found = cid_resolver(url[4:].strip("<> ")) if cid_resolver else None
    if found is None:
        return None
    ctype, data = found
    if not re.fullmatch(r"image/(png|gif|jpeg|jpg|webp|bmp)", ctype.lower()):
        return None
    if len(data) > MAX_INLINE_IMAGE_BYTES:
        # Kept as a reference: a 30 MB part made 40 MB of page text (twice); the GUI
        # resolves cid: itself, on demand, with its own size checks.
        return url
    return f"data:{ctype.lower()};base64,{base64.b64encode(data).decode('ascii')}"


def clean_html(
    html: str, *, allow_remote: bool = False, cid_resolver: CidResolver | None = None
) -> CleanHtml:
    """Sanitize an HTML body; see :func:`sanitize_html`. Never raises."""
    blocked = False

    def resolve_src(value: str) -> str | None:
        nonlocal blocked
        url = value.strip()
        lowered = url.lower()
        if lowered.startswith("cid:"):
            return _cid_src(url, cid_resolver)
        if lowered.startswith("data:"):
            return url if _IMAGE_DATA_URL.match(url) else None
        # http(s), protocol-relative "//host", relative paths: all would be fetched.
        blocked = True
        if allow_remote and lowered.startswith(("http://", "https://", "//")):
            return url  # "//host" is made https by _relative below
        return None

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr == "style":
            if _CSS_DANGER.search(value) and "url" in value.lower():
                nonlocal blocked
                blocked = True
            return _clean_style(value)
        if tag == "img" and attr == "src":
            return resolve_src(value)
        if attr in {"href", "cite"}:
            # Links are only followed on a click, but data:/cid: targets would open
            # content from the mail itself (a data:text/html page is a phishing kit).
            scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
            return None if scheme in {"data", "cid"} else value
        return value

    try:
        fragment = nh3.clean(
            html,
            tags=_TAGS,
            clean_content_tags=_DROP_WITH_CONTENT,
            attributes=_ATTRIBUTES,
            attribute_filter=attribute_filter,
            url_schemes=_URL_SCHEMES,
            url_relative=_relative,
            link_rel="noopener noreferrer",
            strip_comments=True,
        )
    except Exception:  # nh3 can refuse odd input; fall back to plain text
        fragment = "<pre>" + _escape(html_to_text(html)) + "</pre>"
    if not blocked and _REMOTE_REFERENCE.search(html):
        blocked = True  # dropped with its element (<link>, <style>, srcset, background...)
    return CleanHtml(fragment, blocked)


def sanitize_html(
    html: str, *, allow_remote: bool = False, cid_resolver: CidResolver | None = None
) -> str:
    """A safe HTML document for display from an untrusted HTML body.

    Nothing remote is referenced unless ``allow_remote`` (then only http/https images;
    CSS url() stays removed). ``cid:`` images are inlined as data: URLs through
    ``cid_resolver``. The document carries a Content-Security-Policy as a second fence.
    """
    clean = clean_html(html, allow_remote=allow_remote, cid_resolver=cid_resolver)
    return wrap_document(clean.html, allow_remote=allow_remote)


def wrap_document(fragment: str, *, allow_remote: bool = False) -> str:
    """Put a sanitized fragment in a document whose CSP forbids scripts and fetching."""
    images = "data: http: https:" if allow_remote else "data:"
    csp = f"default-src 'none'; img-src {images}; style-src 'unsafe-inline'"
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        f"</head><body>\n{fragment}\n</body></html>\n"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
