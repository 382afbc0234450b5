"""Hostile building blocks shared by the suite: header values, names, and the wire check.

The header shapes are the ones that broke real clients: address lists and display
names built from specials and broken brackets (``"x" <x@[bad>``: the crash of
``reply()``), encoded-words hiding line breaks or NULs, bidi overrides, 8-bit bytes.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

#: Pieces an address header can be made of; joined at random they reach the corners of
#: the stdlib's address parser (unbalanced quotes, brackets, domain literals, comments).
ADDRESS_TOKENS = [
    '"', "<", ">", "@", "[", "]", "(", ")", ",", ";", ":", "\\", ".", " ", "\t",
    "x", "y", "é", "\u202e", "\u200b", "\x00",
    "=?utf-8?q?a?=", "=?utf-8?b?QUJD?=", "=?utf-8?q?a=0D=0Ab?=", "=?x-unknown?q?z?=",
    '""', '"x"', "a@b", "[bad", "@[", "<>", "x@[bad", "evil@example.net",
]  # fmt: skip

header_value = st.lists(st.sampled_from(ADDRESS_TOKENS), max_size=14).map("".join)

#: Fields whose values the client copies into a reply, a forward or a list row.
QUOTED_FIELDS = [
    "From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID", "References",
    "In-Reply-To", "Content-Type", "Content-Disposition",
]  # fmt: skip

hostile_headers = st.lists(st.tuples(st.sampled_from(QUOTED_FIELDS), header_value), max_size=6)


def message_with(headers: list[tuple[str, str]], body: bytes = b"body\r\n") -> bytes:
    """A message made of ``headers`` (values as given, 8-bit kept) and ``body``."""
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return head.encode("utf-8", "surrogateescape") + b"\r\n" + body


_BARE_CR = re.compile(rb"\r(?!\n)")
_BARE_LF = re.compile(rb"(?<!\r)\n")


def crlf_only(data: bytes) -> bool:
    """No CR without LF and no LF without CR (RFC 5321 §2.3.8)."""
    return not _BARE_CR.search(data) and not _BARE_LF.search(data)


def header_names(message: bytes) -> list[str]:
    """The field names of a message's header block, lower-cased, continuations skipped."""
    block = message.split(b"\r\n\r\n", 1)[0]
    names = []
    for line in block.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            continue
        names.append(line.split(b":", 1)[0].decode("ascii", "replace").lower())
    return names
