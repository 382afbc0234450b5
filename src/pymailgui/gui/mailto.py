"""``mailto:`` links (RFC 6068) into a compose window's draft, with what was left out.

Used by ``pymailgui mailto:...`` (the desktop hands links to the ``.desktop`` entry)
and by a click on a mailto: link in a message. The parsing is the core's
(:func:`pymailgui.message.mailto.parse_mailto`); what it refused or ignored - a header
value with a line break, an ``attach=`` naming a local file, which is never read -
comes back as notices the compose window shows above the fields.
"""

from __future__ import annotations

from pymailgui.message import Draft
from pymailgui.message.mailto import parse_mailto
from pymailgui.tasks import Notice


def mailto_draft(url: str) -> tuple[Draft, list[Notice]]:
    """The draft ``url`` describes and the notices about what was not taken
    (MessageError: not a mailto: link, or far too long to be one)."""
    parsed = parse_mailto(url)
    return parsed.draft, list(parsed.notices)
