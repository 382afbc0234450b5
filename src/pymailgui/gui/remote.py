"""Fetching a remote image the user asked to see, with code we control (no Qt network).

Only after the user clicked Show on one message's "Remote content blocked" bar. Only
http and https, at most a few redirects and only to http(s), a timeout on every
socket operation, a size cap read incrementally (a server that sends forever is cut
off), no cookies, and the answer must say it is an image. urllib's default opener
would also follow file:, ftp: and data: URLs; the opener here has no such handlers.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from http.client import HTTPMessage
from typing import IO, Any

from pymailgui.tls import client_context

#: Largest image fetched (bytes); a tracking pixel is 43 bytes, a banner ~200 KB.
MAX_IMAGE_BYTES = 2 * 1024 * 1024
TIMEOUT = 10.0
MAX_REDIRECTS = 3
_SCHEMES = ("http", "https")


class RemoteRefused(Exception):
    """The image was not fetched (wrong scheme, too big, not an image, HTTP error)."""


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if newurl.split(":", 1)[0].lower() not in _SCHEMES:
            raise RemoteRefused(f"redirect to {newurl!r} refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        # The one verifying context: urllib's default is a module global anyone may swap.
        urllib.request.HTTPSHandler(context=client_context()),
        _Redirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch_image(url: str, *, max_bytes: int = MAX_IMAGE_BYTES, timeout: float = TIMEOUT) -> bytes:
    """The bytes of the image at ``url``; :class:`RemoteRefused` when not allowed."""
    if url.split(":", 1)[0].lower() not in _SCHEMES:
        raise RemoteRefused(f"{url!r} is not an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, headers={"User-Agent": "PyMailGUI", "Accept": "image/*"}
    )
    try:
        response: Any = _opener().open(request, timeout=timeout)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise RemoteRefused(f"{url!r} could not be fetched: {exc}") from None
    with response:
        ctype = str(response.headers.get("Content-Type", "")).lower()
        if not ctype.startswith("image/"):
            raise RemoteRefused(f"{url!r} is not an image ({ctype or 'no type'})")
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise RemoteRefused(f"{url!r} is too large ({length} bytes)")
        chunks: list[bytes] = []
        total = 0
        try:
            while chunk := response.read(64 * 1024):
                total += len(chunk)
                if total > max_bytes:
                    raise RemoteRefused(f"{url!r} is larger than {max_bytes} bytes")
                chunks.append(chunk)
        except OSError as exc:
            raise RemoteRefused(f"{url!r} could not be read: {exc}") from None
    return b"".join(chunks)
