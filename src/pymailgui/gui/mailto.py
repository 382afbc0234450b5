"""``mailto:`` links (RFC 6068) into a compose window's draft, with what was left out.

Used by ``pymailgui mailto:...`` (the desktop hands links to the ``.desktop`` entry)
and by a click on a mailto: link in a message. What was refused or ignored - a header
value with a line break, an ``attach=`` asking for a local file, which is never read -
comes back as notices the compose window shows. (A stand-in parser until the core's
``pymailgui.message.mailto`` is merged; the interface stays.)
"""

from __future__ import annotations

from pymailgui.errors import MessageError
from pymailgui.message import Draft
from pymailgui.tasks import Level, Notice

#: The longest link taken (RFC 6068 sets none; a 10 MB "link" is not one).
MAX_URL = 64 * 1024
_ATTACH = frozenset({"attach", "attachment", "attachments"})
_HEADERS = ("to", "cc", "bcc", "subject", "in-reply-to", "references")


def mailto_draft(url: str) -> tuple[Draft, list[Notice]]:
    """The draft ``url`` describes and the notices about what was not taken."""
    from urllib.parse import parse_qsl, unquote

    if len(url) > MAX_URL:
        raise MessageError("The mailto: link is too long to be a real one; it was not opened.")
    if not url.lower().startswith("mailto:"):
        raise MessageError("This is not a mailto: link.")
    target, _, query = url[7:].partition("?")
    query = query.partition("#")[0]
    notices: list[Notice] = []
    values: dict[str, list[str]] = {"to": [unquote(target, errors="replace")] if target else []}
    body = ""
    for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
        key = name.lower()
        if key in _ATTACH:
            notices.append(
                Notice(
                    "The link asked to attach a file from this computer; that was ignored "
                    "(a link never picks files to send).",
                    Level.WARNING,
                    "mailto-attachment-ignored",
                )
            )
        elif key == "body":
            body = value.replace("\x00", "")
        elif key in _HEADERS:
            if any(c in value for c in "\r\n\x00"):
                notices.append(
                    Notice(
                        f"The link's {name} contained a line break and was left out.",
                        Level.WARNING,
                        "mailto-refused",
                    )
                )
                continue
            values.setdefault(key, []).append(value)
    joined = {k: ", ".join(v for v in vs if v.strip()) for k, vs in values.items()}
    draft = Draft(
        to=[joined["to"]] if joined.get("to") else [],
        cc=[joined["cc"]] if joined.get("cc") else [],
        bcc=[joined["bcc"]] if joined.get("bcc") else [],
        subject=joined.get("subject", ""),
        body=body,
        in_reply_to=joined.get("in-reply-to", ""),
        references=joined.get("references", "").split(),
    )
    return draft, notices
