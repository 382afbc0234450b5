"""HTML turned into readable plain text (the classic PyMailGUI view of HTML-only mail).

Blocks become lines, links "text <url>", lists "* " or "1. ", blockquotes "> ";
script, style and head text never shows; entities are decoded.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = frozenset(
    {
        "p",
        "div",
        "br",
        "tr",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "hr",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "address",
        "center",
        "form",
        "fieldset",
        "figure",
        "figcaption",
        "main",
    }
)
_SKIP = frozenset(
    {
        "script",
        "style",
        "head",
        "title",
        "template",
        "noscript",
        "svg",
        "object",
        "iframe",
        "select",
        "math",
    }
)
_VOID = frozenset(
    {
        "br",
        "hr",
        "img",
        "meta",
        "link",
        "input",
        "area",
        "base",
        "col",
        "embed",
        "source",
        "track",
        "wbr",
        "param",
    }
)


class _TextExtractor(HTMLParser):
    """Collects readable text: blocks become lines, links "text <url>", lists "* ".

    Character references are decoded by HTMLParser (convert_charrefs=True).
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip = 0
        self.pre = 0
        self.quote = 0
        self.lists: list[list[int]] = []  # per open list: [is_ordered, counter]
        self.links: list[tuple[str, int]] = []  # (href, length of text when opened)
        self.link_text: list[str] = []

    def _flush(self, blank: bool = False) -> None:
        line = "".join(self.current)
        if not self.pre:
            line = " ".join(line.split())
        prefix = "> " * self.quote
        if line or (blank and self.lines and self.lines[-1] != prefix.rstrip()):
            self.lines.append((prefix + line).rstrip() if line else prefix.rstrip())
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP and tag not in _VOID:
            self.skip += 1
            return
        if self.skip:
            return
        if tag in _BLOCK:
            self._flush(blank=tag in {"p", "blockquote", "h1", "h2", "h3", "table", "pre"})
        self._open(tag, dict(attrs))

    def _open(self, tag: str, attributes: dict[str, str | None]) -> None:
        if tag == "pre":
            self.pre += 1
        elif tag == "blockquote":
            self.quote += 1
        elif tag in {"ul", "ol"}:
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            depth = max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0]:
                self.lists[-1][1] += 1
                bullet = f"{self.lists[-1][1]}. "
            else:
                bullet = "* "
            self.current.append("  " * depth + bullet)
        elif tag == "a":
            self.links.append((attributes.get("href") or "", len(self.link_text)))
        elif tag == "img" and attributes.get("alt"):
            self._text(f"[{attributes['alt']}]")
        elif tag == "hr":
            self.lines.append("-" * 20)
        elif tag in {"td", "th"}:
            self.current.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and tag not in _VOID:
            self.skip = max(self.skip - 1, 0)
            return
        if self.skip:
            return
        if tag == "a" and self.links:
            href, start = self.links.pop()
            text = "".join(self.link_text[start:]).strip()
            if href and not href.lower().startswith(("javascript:", "data:", "cid:")):
                target = href.removeprefix("mailto:")
                if target not in text:
                    self.current.append(f" <{href}>")
        if tag in _BLOCK and tag not in _VOID:
            self._flush(blank=tag in {"p", "blockquote", "h1", "h2", "h3", "table", "pre"})
        if tag == "pre":
            self.pre = max(self.pre - 1, 0)
        elif tag == "blockquote":
            self.quote = max(self.quote - 1, 0)
        elif tag in {"ul", "ol"} and self.lists:
            self.lists.pop()

    def _text(self, data: str) -> None:
        self.current.append(data)
        self.link_text.append(data)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            pieces = data.split("\n")
            for piece in pieces[:-1]:
                self._text(piece)
                self._flush()
            self._text(pieces[-1])
        else:
            self._text(data)


def html_to_text(html: str) -> str:
    """Readable plain text from HTML (no script/style text, links kept). Never raises."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is belt and braces
        return re.sub(r"<[^>]*>", " ", html)
    parser._flush()
    text = "\n".join(parser.lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"
