"""A fuzz over the whole reading pipeline (issue 10), each case under a time limit.

Hypothesis builds messages from hostile pieces - MIME trees of any depth and shape,
charsets that lie or are codec traps, broken transfer encodings, missing boundaries,
file names that climb out of a folder, HTML that fetches, the header shapes that broke
the stdlib - and every step a user's click runs must hold its promises on each: list
summary, parse, main text, parts and their names, saving, sanitizing, HTML to text,
reply and forward. ``deadline`` makes a slow case (quadratic parsing) a failure.
"""

from __future__ import annotations

import tempfile
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pymailgui.message import Identity, forward, html_to_text, reply, save_all_parts, view
from pymailgui.message.parts import MAX_NAME_BYTES, is_reserved_name, safe_filename
from pymailgui.message.read import MAX_TEXT_CHARS
from pymailgui.message.summary import MAX_FIELD_CHARS, summarize_headers
from tests.hostile.shapes import header_value, hostile_headers

ME = Identity("victim@example.org")

CTYPES = [
    "text/plain", "text/html", "text/enriched", "image/png", "application/pdf",
    "application/octet-stream", "message/rfc822", "multipart/mixed",
    "multipart/alternative", "multipart/related", "multipart/signed",
    "application/pkcs7-mime", "bogus", "",
]  # fmt: skip
CHARSETS = ["utf-8", "us-ascii", "iso-8859-1", "utf-16", "unicode_escape", "x-zz", "", "utf-7"]
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "binary", "x-uue", ""]
NAMES = [
    "../../../.bashrc", "..\\..\\boot.ini", "C:\\Windows\\x.exe", "/etc/passwd", "CON",
    "aux.txt", "LPT1.tar.gz", "invoice\u202egpj.exe", "photo.jpg\u200b.exe",
    "report.pdf" + " " * 60 + ".exe", ".hidden", "", "  .  ", "a" * 400 + ".txt",
    "=?utf-8?q?..=2F..=2Fevil.sh?=", "\x00nul.txt", "name\r\nX-Evil: 1",
]  # fmt: skip
HTML_BITS = [
    '<img src="http://127.0.0.1:1/t.gif">', "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>', '<iframe src="file:///etc/passwd"></iframe>',
    '<div style="background:url(http://127.0.0.1:1/bg)">', "<style>@import url(//x);</style>",
    '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:1/">',
    '<link rel="prefetch" href="http://127.0.0.1:1/p">', '<form action="http://x"><input>',
    '<svg onload="alert(1)"><script>1</script></svg>', '<img srcset="http://x/a 1x">',
    '<body background="http://127.0.0.1:1/b">', '<object data="file:///etc/passwd">',
    '<a href="data:text/html,<script>1</script>">d</a>', "<p>plain</p>", "&lt;&#0;&#x110000;",
]  # fmt: skip

body_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from(HTML_BITS), max_size=6).map(lambda b: "".join(b).encode()),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


def _leaf(ctype: str, charset: str, cte: str, name: str, body: bytes) -> bytes:
    head = f"Content-Type: {ctype}"
    if charset:
        head += f"; charset={charset}"
    if name:
        head += f"; name=\"{name}\"\r\nContent-Disposition: attachment; filename*=utf-8''{name}"
    if cte:
        head += f"\r\nContent-Transfer-Encoding: {cte}"
    return head.encode("utf-8", "surrogateescape") + b"\r\n\r\n" + body


leaves = st.builds(
    _leaf,
    st.sampled_from(CTYPES),
    st.sampled_from(CHARSETS),
    st.sampled_from(ENCODINGS),
    st.sampled_from(NAMES),
    body_bytes,
)


def _multipart(children: list[bytes], subtype: str, boundary: str, close: bool) -> bytes:
    head = f"Content-Type: multipart/{subtype}"
    if boundary:
        head += f'; boundary="{boundary}"'
    parts = b"".join(b"--b\r\n" + child + b"\r\n" for child in children)
    return head.encode() + b"\r\n\r\n" + parts + (b"--b--\r\n" if close else b"")


trees = st.recursive(
    leaves,
    lambda inner: st.builds(
        _multipart,
        st.lists(inner, max_size=4),
        st.sampled_from(["mixed", "alternative", "related", "signed", "x"]),
        st.sampled_from(["b", "b", "", "other"]),
        st.booleans(),
    ),
    max_leaves=12,
)


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    headers = draw(hostile_headers)
    body = draw(trees)
    extra = "".join(f"{n}: {v}\r\n" for n, v in headers).encode("utf-8", "surrogateescape")
    return b"MIME-Version: 1.0\r\n" + extra + body


class _Fetches(HTMLParser):
    """Every URL a browser would load by itself from a sanitized document."""

    ATTRS = frozenset({"src", "srcset", "background", "poster", "data", "action", "formaction"})

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            value = value or ""
            if name in self.ATTRS and not value.startswith("data:image/"):
                self.urls.append(value)
            if name.startswith("on") or "url(" in value.lower() or "javascript:" in value:
                self.urls.append(f"{name}={value}")
            if name == "href" and value.lower().startswith(("data:", "javascript:", "file:")):
                self.urls.append(value)
            if tag == "meta" and name == "http-equiv":
                self.urls.append(value)


def check_name(name: str) -> None:
    assert name and "/" not in name and "\\" not in name and not name.startswith(".")
    assert not is_reserved_name(name) and len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert not any(unicodedata.category(c) in {"Cc", "Cf"} for c in name), repr(name)
    assert not name.endswith((" ", "."))


@settings(max_examples=150, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(messages())
def test_the_reading_pipeline_holds_on_anything(raw: bytes) -> None:
    fields = summarize_headers(raw)
    assert all(len(f) <= MAX_FIELD_CHARS for f in (fields.from_, fields.subject, fields.to))
    shown = view(raw)
    assert isinstance(shown.body_text, str) and len(shown.body_text) <= MAX_TEXT_CHARS
    if shown.html is not None:
        fetches = _Fetches()
        fetches.feed(shown.html)
        assert fetches.urls == [] and "script" not in fetches.tags, fetches.urls
        html_to_text(shown.html)
    for part in shown.parts:
        check_name(safe_filename(part.filename, f"part-{part.index}.bin"))
    with tempfile.TemporaryDirectory() as directory:
        for path in save_all_parts(raw, directory):
            assert path.parent == Path(directory).resolve()
            check_name(path.name)
    reply(raw, ME, reply_all=True)
    forward(raw, ME, to=["a@example.org"], as_attachment=False)


@settings(max_examples=300, deadline=1000)
@given(header_value)
def test_safe_file_names_hold_for_any_name(name: str) -> None:
    check_name(safe_filename(name, "part.bin"))
