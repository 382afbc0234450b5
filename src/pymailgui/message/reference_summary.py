"""The list summary as the full ``email`` parser makes it: the reference, nothing else.

This was :func:`~pymailgui.message.summary.summarize_headers` until the lean summarizer
replaced it: the stdlib's header registry under ``policy.default``, then the lenient
fallbacks of :mod:`pymailgui.message.headers`. It is 10-20 times slower, quadratic on
hostile address headers (minutes for one From of 100,000 dots), and it can raise. It is
kept only as the reference the lean summarizer is compared with (the tests) and timed
against (``bench/bench_summary.py``); no list uses it.
"""

from __future__ import annotations

from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.parser import BytesHeaderParser

from pymailgui.message.headers import (
    attachments_from_headers,
    header_date,
    header_text,
    raw_header,
)
from pymailgui.message.summary import MAX_HEADER_BYTES, HeaderFields, clean, header_block


class _CachingRegistry(HeaderRegistry):
    """``HeaderRegistry`` builds a new class on every lookup; the classes depend only on
    the header name, so keep them."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(key)
        return made


#: ``email.policy.default`` semantics, with the faster header factory.
_POLICY = policy.default.clone(header_factory=_CachingRegistry(), max_line_length=0)


def reference_summary(block: bytes) -> HeaderFields:
    """The list columns of one header block (or whole message) as the full parser reads them."""
    parser = BytesHeaderParser(policy=_POLICY)
    msg = parser.parsebytes(header_block(block[:MAX_HEADER_BYTES]) + b"\r\n\r\n")
    return HeaderFields(
        from_=clean(header_text(msg, "From")),
        to=clean(header_text(msg, "To")),
        cc=clean(header_text(msg, "Cc")),
        subject=clean(header_text(msg, "Subject")),
        date=header_date(msg),
        message_id=clean(raw_header(msg, "Message-ID") or ""),
        has_attachments=attachments_from_headers(msg),
    )
