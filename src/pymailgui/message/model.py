"""Typed results of reading a message: what the front ends display."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

# Characters that can make a display name lie about itself on screen: C0/C1 controls and
# the Unicode bidi embedding/override/isolate marks (the "RLO" trick, CVE-2021-42574 class).
_DECEPTIVE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# A display name that contains any of these may pose as an address or as a list of them.
_ADDRESS_LIKE = re.compile(r"[@<>,;:\"]")
# RFC 5322 section 3.2.3 specials: a phrase holding one must be a quoted-string.
_SPECIALS = re.compile(r'[][\\()<>@,:;".]')


def strip_deceptive(text: str) -> str:
    """``text`` without control and bidi formatting characters (tabs become spaces)."""
    return _DECEPTIVE.sub("", text.replace("\t", " "))


@dataclass(frozen=True)
class Address:
    """One mailbox of a From/To/Cc/Reply-To header, decoded."""

    display_name: str
    addr_spec: str

    def __str__(self) -> str:
        """The name next to the real address, always: a name can't hide the addr-spec.

        ``"paypal@paypal.com" <evil@example.net>`` keeps its quotes so the reader sees
        that the first part is only a name.
        """
        name = " ".join(strip_deceptive(self.display_name).split())
        addr = strip_deceptive(self.addr_spec)
        if not addr:
            return name
        if not name or name.casefold() == addr.casefold():
            return addr
        if _ADDRESS_LIKE.search(name):
            escaped = name.replace("\\", "\\\\").replace('"', '\\"')
            name = f'"{escaped}"'
        return f"{name} <{addr}>"

    def mailbox(self) -> str:
        """The mailbox as RFC 5322 text to put in a draft's To or Cc; never raises.

        Written by hand, not by ``email.headerregistry.Address``: its addr-spec parser
        raises HeaderParseError or AttributeError on a received ``x@[bad`` (the class
        of crash a reply to hostile mail hit). The text is re-parsed strictly when the
        draft is sent, so a broken address is refused there, with a sentence.
        """
        name = " ".join(strip_deceptive(self.display_name).split())
        addr = " ".join(strip_deceptive(self.addr_spec).split())
        if not name or not addr:
            return addr or name
        if _SPECIALS.search(name):
            name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{name} <{addr}>"


@dataclass(frozen=True)
class PartInfo:
    """One part of a message as listed to the user (leaves and attached messages)."""

    index: int
    content_type: str
    filename: str | None
    size: int  # bytes after transfer decoding
    disposition: str | None  # "inline", "attachment" or None when absent
    is_attachment: bool
    content_id: str | None = None
    charset: str | None = None


@dataclass
class MessageView:
    """Everything a front end shows for one message; built by :func:`view`, never raises."""

    raw: bytes
    subject: str = ""
    from_: list[Address] = field(default_factory=list)
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    reply_to: list[Address] = field(default_factory=list)
    date: datetime | None = None
    message_id: str = ""
    body_text: str = ""
    body_wrapped: str = ""
    html: str | None = None
    remote_content_blocked: bool = False
    parts: list[PartInfo] = field(default_factory=list)
    malformed: bool = False
    defects: list[str] = field(default_factory=list)

    @property
    def attachments(self) -> list[PartInfo]:
        """The parts a user would save (not the displayed body)."""
        return [p for p in self.parts if p.is_attachment]
