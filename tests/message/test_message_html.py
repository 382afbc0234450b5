"""HTML sanitizing: nothing executes, nothing remote is fetched unless asked; cid: inlined."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pymailgui.message import clean_html, html_to_text, sanitize_html, view

HOSTILE = Path(__file__).resolve().parent.parent / "data" / "mail" / "hostile"

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "<a href='JaVaScRiPt:alert(1)'>x</a>",
    "<a href='java&#x09;script:alert(1)'>x</a>",
    "<iframe src='http://evil.example/'></iframe>",
    "<object data='http://evil.example/o'></object>",
    "<embed src='http://evil.example/e'>",
    "<form action='http://evil.example/'><input name=p></form>",
    "<meta http-equiv=refresh content='0;url=http://evil.example/'>",
    "<link rel=stylesheet href='http://evil.example/s.css'>",
    "<base href='http://evil.example/'>",
    "<style>@import 'http://evil.example/i.css'; p{background:url(http://evil.example/)}</style>",
    "<img src='http://evil.example/pixel.gif'>",
    "<img src='https://evil.example/pixel.gif'>",
    "<img src='//evil.example/pixel.gif'>",
    "<img src='pixel.gif'>",
    "<img srcset='http://evil.example/a.png 1x, http://evil.example/b.png 2x'>",
    "<table background='http://evil.example/t.png'><tr><td background='http://evil.example/'>",
    "<div style=\"background-image:url('http://evil.example/c.png')\">x</div>",
    '<div style="background:u\\72l(http://evil.example/)">x</div>',
    "<div style='width: expression(alert(1))'>x</div>",
    "<p style='behavior: url(x.htc)'>x</p>",
    "<video poster='http://evil.example/p.png' src='http://evil.example/v.mp4'></video>",
    "<audio src='http://evil.example/a.mp3'></audio>",
    "<input type=image src='http://evil.example/i.png'>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "form",
    "link",
    "base",
    "style",
    "video",
    "audio",
    "input",
    "svg",
    "frame",
    "frameset",
    "applet",
    "math",
}


def _assert_safe(html: str) -> None:
    """Checked as a browser would see it: the tags and attributes, after entity decoding."""
    body = html.split("</head>", 1)[-1]
    parser = _Tags()
    parser.feed(body)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag not in FORBIDDEN_TAGS, html
        if tag == "meta":
            assert "refresh" not in attrs.get("http-equiv", "").lower(), html
        for name, value in attrs.items():
            lowered = value.lower().strip()
            assert not name.startswith("on"), html
            assert name not in {"srcset", "background", "poster", "action", "formaction"}, html
            if name in {"src", "data"}:
                assert lowered.startswith("data:image/"), html
            if name == "href":
                assert not lowered.startswith(("javascript:", "data:", "vbscript:")), html
            if name == "style":
                assert "url" not in lowered and "expression" not in lowered, html
                assert "\\" not in lowered, html


def test_each_attack_is_neutralised() -> None:
    for attack in ATTACKS:
        html = clean_html(attack).html
        _assert_safe(html)
        _assert_safe(sanitize_html(attack))
        assert "<script" not in html.lower()
        assert 'src="http' not in html and 'src="//' not in html


def test_remote_images_blocked_and_reported() -> None:
    result = clean_html("<p>hi</p><img src='https://t.example/p.gif' alt=pixel>")
    assert result.remote_content_blocked
    assert "t.example" not in result.html
    assert "<p>hi</p>" in result.html
    assert not clean_html("<p>nothing remote</p>").remote_content_blocked
    harmless = (
        "<p style='background-color: #fff'>a <a href='https://example.org/'>link</a>"
        "</p><img src='data:image/png;base64,iVBORw=='>"
    )
    assert not clean_html(harmless).remote_content_blocked
    for remote in (
        "<link rel=stylesheet href='https://t.example/s.css'>",
        "<style>@import 'https://t.example/i.css';</style>",
        "<table background='//t.example/b.png'>",
        "<img srcset='https://t.example/a.png 2x'>",
    ):
        assert clean_html(remote).remote_content_blocked, remote
    assert clean_html(
        "<div style='background:url(https://t.example/)'>x</div>"
    ).remote_content_blocked


def test_allow_remote_keeps_http_images_only() -> None:
    html = (
        "<img src='https://t.example/p.gif'><img src='//t.example/q.gif'>"
        "<div style='background:url(https://t.example/)'>x</div><script>x()</script>"
    )
    result = clean_html(html, allow_remote=True)
    assert 'src="https://t.example/p.gif"' in result.html
    assert 'src="https://t.example/q.gif"' in result.html
    assert "url(" not in result.html and "<script" not in result.html
    assert "img-src data: http: https:" in sanitize_html(html, allow_remote=True)


def test_cid_images_become_data_urls() -> None:
    parts = {"logo@example.com": ("image/png", b"\x89PNG"), "doc@x": ("text/html", b"<script>")}
    html = (
        "<img src='cid:logo@example.com'><img src='CID:<logo@example.com>'>"
        "<img src='cid:missing@example.com'><img src='cid:doc@x'>"
    )
    result = clean_html(html, cid_resolver=parts.get)
    assert result.html.count('src="data:image/png;base64,iVBORw=="') == 2
    assert "missing" not in result.html and "text/html" not in result.html
    assert not result.remote_content_blocked


def test_data_urls_only_for_raster_images() -> None:
    ok = "<img src='data:image/png;base64,iVBORw=='>"
    assert "data:image/png" in clean_html(ok).html
    svg = "<img src='data:image/svg+xml;base64,PHN2Zz4='>"
    assert "data:" not in clean_html(svg).html
    assert "data:" not in clean_html("<a href='data:text/html,<script>x</script>'>x</a>").html


def test_document_has_a_restrictive_csp() -> None:
    doc = sanitize_html("<p>x</p>")
    assert doc.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in doc and "img-src data:;" in doc


def test_links_and_formatting_survive() -> None:
    html = (
        "<h1>Title</h1><p style='color: red; position: fixed'>Red <b>bold</b> "
        "<a href='https://example.org/x'>link</a> <a href='mailto:a@example.com'>mail</a>"
        "</p><table><tr><td>cell</td></tr></table>"
    )
    result = clean_html(html).html
    assert '<p style="color:red">' in result
    assert 'href="https://example.org/x"' in result and 'href="mailto:a@example.com"' in result
    assert "<table>" in result and "<h1>Title</h1>" in result


def test_hostile_message_html() -> None:
    v = view((HOSTILE / "html_script_remote.eml").read_bytes())
    assert v.html is not None
    _assert_safe(v.html)
    assert v.remote_content_blocked
    assert "Title text" not in v.body_text and "alert" not in v.body_text
    cid = view((HOSTILE / "cid_images.eml").read_bytes())
    assert cid.html is not None and 'src="data:image/png;base64,iVBOR' in cid.html
    assert not cid.remote_content_blocked


def test_html_to_text_is_readable() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<p>Caf&eacute; &amp; &#8364;5</p><p>Read <a href='https://example.org/a'>this</a>"
        " or <a href='https://example.org/b'>https://example.org/b</a>.</p>"
        "<ol><li>first</li><li>second</li></ol><ul><li>dot</li></ul>"
        "<blockquote>quoted<br>two</blockquote><pre>  keep\n    spacing</pre>"
        "<script>var x = 1;</script><img src=x alt='logo'></body></html>"
    )
    text = html_to_text(html)
    assert "Café & €5" in text
    assert "this <https://example.org/a>" in text
    assert "https://example.org/b <https" not in text  # the URL is not repeated
    assert "1. first\n2. second" in text and "* dot" in text
    assert "> quoted\n> two" in text
    assert "  keep\n    spacing" in text
    assert "var x" not in text and "color:red" not in text and "T\n" not in text
    assert "[logo]" in text


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *ATTACKS,
                "<p>",
                "</p>",
                "text",
                "<a href='",
                "'>",
                '"',
                "<img src=",
                "http://x.example/",
                "<div style='",
                "url(",
                "<!--",
                "-->",
                "<![CDATA[",
                "]]>",
                "&",
                "#",
                "</",
            ]
        ),
        max_size=12,
    )
)
def test_fuzzed_combinations_stay_safe(pieces: list[str]) -> None:
    _assert_safe(clean_html("".join(pieces)).html)


def test_a_big_cid_image_stays_a_reference_instead_of_megabytes_of_page() -> None:
    from pymailgui.message.html import MAX_INLINE_IMAGE_BYTES, clean_html

    small, big = b"\x89PNG" + b"s" * 100, b"\x89PNG" + b"b" * (MAX_INLINE_IMAGE_BYTES + 1)
    parts = {"small@x": ("image/png", small), "big@x": ("image/png", big)}
    page = clean_html(
        '<p><img src="cid:small@x"><img src="cid:big@x"></p>', cid_resolver=parts.get
    ).html
    assert "data:image/png;base64," in page and 'src="cid:big@x"' in page
    assert len(page) < 10_000
