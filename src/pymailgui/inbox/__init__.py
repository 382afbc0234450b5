"""The server inbox: the index model, message identity, refresh, fetch, safe delete."""

from pymailgui.inbox.cache import IndexCache
from pymailgui.inbox.model import Inbox
from pymailgui.inbox.reports import DeleteReport, RefreshReport
from pymailgui.inbox.session import Connector, PopSession

__all__ = [
    "Connector",
    "DeleteReport",
    "Inbox",
    "IndexCache",
    "PopSession",
    "RefreshReport",
]
