"""The server inbox: the index model, message identity, refresh, fetch, safe delete."""

from pymailgui.inbox.cache import IndexCache
from pymailgui.inbox.model import DeleteReport, Inbox, RefreshReport
from pymailgui.inbox.summary import MessageSummary

__all__ = ["DeleteReport", "Inbox", "IndexCache", "MessageSummary", "RefreshReport"]
