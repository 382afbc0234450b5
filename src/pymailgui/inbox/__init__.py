"""The server inbox: the index model, message identity, refresh, fetch, safe delete."""

from pymailgui.inbox.cache import IndexCache
from pymailgui.inbox.model import Inbox
from pymailgui.inbox.reports import DeleteReport, RefreshReport
from pymailgui.inbox.session import Connector, PopSession
from pymailgui.message.summary import MessageRow

MessageSummary = MessageRow  # transitional name for the console (issue 6 rework)

__all__ = [
    "Connector",
    "DeleteReport",
    "Inbox",
    "IndexCache",
    "MessageSummary",
    "PopSession",
    "RefreshReport",
]
