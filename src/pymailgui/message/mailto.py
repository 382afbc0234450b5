"""``mailto:`` URLs (RFC 6068) turned into a :class:`~pymailgui.message.compose.Draft`.

A mailto link comes from a web page or another program: it is untrusted input that is
shown to the user in a compose window, never sent by itself. So:

- the recipients of the path and of ``to``/``cc``/``bcc`` fields, ``subject``,
  ``body``, ``in-reply-to`` and ``references`` are used (names case-insensitive,
  RFC 6068 §2); every other field is ignored, with a notice for those that would
  change who the message is from, where replies go or what the message is;
- values are percent-decoded as UTF-8, invalid bytes replaced (RFC 6068 §2, §5);
  ``+`` stays a plus sign (§5: it is not a space here);
- a header value that holds a line break or NUL after decoding is refused for that
  field (dropped with a notice), so a link can never inject a header (CWE-93); the
  body may hold line breaks (``%0D%0A``, §2) but not NUL;
- ``attach``, ``attachment`` and ``attachments`` fields (not in RFC 6068, but some
  programs honour them and a link could attach ``/home/you/.ssh/id_rsa``) are ignored
  with a notice: nothing is ever read from disk;
- sizes are bounded: a link longer than :data:`MAX_URL` is refused, at most
  :data:`MAX_FIELDS` fields and :data:`MAX_RECIPIENTS` recipients are used.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from pymailgui.errors import MessageError
from pymailgui.message.compose import Draft
from pymailgui.tasks import Level, Notice

#: Longest mailto URL accepted (characters). Browsers cap URLs near 2 MB; a mail body
#: worth prefilling is far below this.
MAX_URL = 256 * 1024
MAX_FIELDS = 100
MAX_RECIPIENTS = 100

# Characters that end a line for str.splitlines() and for some mail programs: any of
# them in a header value could start a new header somewhere down the line.
_LINE_BREAKS = re.compile("[\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_ADDRESS_FIELDS = ("to", "cc", "bcc")
_TEXT_FIELDS = ("subject", "in-reply-to", "references")
_ATTACH_FIELDS = frozenset({"attach", "attachment", "attachments"})
# Fields a link must not set behind the user's back (RFC 6068 §7): the sender, where
# replies and receipts go, the message's structure or identity.
_DANGEROUS = frozenset(
    {
        "from",
        "sender",
        "reply-to",
        "return-path",
        "return-receipt-to",
        "disposition-notification-to",
        "message-id",
        "date",
        "received",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "content-disposition",
        "resent-from",
        "resent-to",
        "resent-cc",
        "resent-bcc",
    }
)


@dataclass(frozen=True)
class MailtoDraft:
    """The draft a mailto URL describes, and what was left out of it and why."""

    draft: Draft
    notices: tuple[Notice, ...] = ()


def is_mailto(text: str) -> bool:
    """Whether ``text`` is a mailto URL (the scheme is case-insensitive, RFC 3986 §3.1)."""
    return text.strip()[:7].lower() == "mailto:"


def parse_mailto(url: str) -> MailtoDraft:
    """The :class:`Draft` that ``url`` asks for; MessageError when it is not a mailto
    URL or is too long. Nothing in the result names a local file."""
    if len(url) > MAX_URL:
        raise MessageError(
            f"The mailto link is too long ({len(url):,} characters; at most {MAX_URL:,})."
        )
    if not is_mailto(url):
        raise MessageError("This is not a mailto link.")
    builder = _Builder()
    rest = url.strip()[7:]
    rest, hash_mark, _fragment = rest.partition("#")
    if hash_mark:
        # RFC 3986 §3.5: the fragment is not part of the resource; RFC 6068 has none.
        builder.note("The part of the mailto link after “#” was ignored.", "mailto-ignored")
    path, _, query = rest.partition("?")
    if path:
        builder.address("to", _decode(path))
    fields = [f for f in query.split("&") if f] if query else []
    if len(fields) > MAX_FIELDS:
        builder.note(
            f"The mailto link has {len(fields)} fields; only the first {MAX_FIELDS} were used.",
            "mailto-truncated",
        )
        fields = fields[:MAX_FIELDS]
    for field in fields:
        raw_name, _, raw_value = field.partition("=")
        builder.field(_decode(raw_name).strip().lower(), _decode(raw_value))
    return builder.result()


def _decode(text: str) -> str:
    # unquote_to_bytes leaves a malformed "%G1" or a trailing "%" as it is.
    return urllib.parse.unquote_to_bytes(text).decode("utf-8", "replace")


class _Builder:
    def __init__(self) -> None:
        self.draft = Draft()
        self.notices: list[Notice] = []
        self._seen: set[str] = set()
        self._recipients = 0

    def note(self, text: str, kind: str, level: Level = Level.INFO) -> None:
        self.notices.append(Notice(text, level, kind))

    def field(self, name: str, value: str) -> None:
        if name in _ADDRESS_FIELDS:
            self.address(name, value)
        elif name == "body":
            self.body(value)
        elif name in _TEXT_FIELDS:
            self.text(name, value)
        elif name in _ATTACH_FIELDS:
            self.note(
                "The mailto link asked to attach a file; that is never done, attach "
                "files yourself if you want to.",
                "mailto-attachment-ignored",
                Level.WARNING,
            )
        elif name in _DANGEROUS:
            self.note(
                f"The mailto link tried to set the {_shown(name)} header; it was ignored.",
                "mailto-ignored",
                Level.WARNING,
            )

    def address(self, name: str, value: str) -> None:
        value = value.strip()
        if not value or not self._clean(name, value):
            return
        count = value.count("@")
        if self._recipients + count > MAX_RECIPIENTS:
            self.note(
                f"The mailto link names more than {MAX_RECIPIENTS} recipients; "
                f"the {name.capitalize()} addresses “{_short(value)}” were left out.",
                "mailto-truncated",
                Level.WARNING,
            )
            return
        self._recipients += count
        getattr(self.draft, name).append(value)

    def text(self, name: str, value: str) -> None:
        value = value.strip()
        if not self._once(name) or not value or not self._clean(name, value):
            return
        if name == "subject":
            self.draft.subject = value
        elif name == "in-reply-to":
            self.draft.in_reply_to = value
        else:
            self.draft.references = value.split()

    def body(self, value: str) -> None:
        if not self._once("body"):
            return
        if "\x00" in value:
            self.note(
                "The text given by the mailto link contains a NUL character; it was left out.",
                "mailto-refused",
                Level.WARNING,
            )
            return
        self.draft.body = value.replace("\r\n", "\n").replace("\r", "\n")

    def _once(self, name: str) -> bool:
        if name in self._seen:
            self.note(
                f"The mailto link gives the {_shown(name)} more than once; the first was used.",
                "mailto-ignored",
            )
            return False
        self._seen.add(name)
        return True

    def _clean(self, name: str, value: str) -> bool:
        if not _LINE_BREAKS.search(value):
            return True
        self.note(
            f"The {_shown(name)} given by the mailto link contains a line break or NUL "
            "character, which could add hidden headers; it was left out.",
            "mailto-refused",
            Level.WARNING,
        )
        return False

    def result(self) -> MailtoDraft:
        return MailtoDraft(self.draft, tuple(self.notices))


def _shown(name: str) -> str:
    """A field name as the user knows it (``reply-to`` -> ``Reply-To``)."""
    if name == "body":
        return "message text"
    return "-".join(part.capitalize() for part in name.split("-"))[:40] or "unnamed"


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
