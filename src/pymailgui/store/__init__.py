"""Local mail folders: Maildir with durable writes, a side index, mboxrd import/export.

Pure library code (no Qt, no printing). Folders live under ``paths.folders_dir()``
unless a root is given.
"""

from __future__ import annotations

from pymailgui.store.entry import (
    DRAFT,
    FLAGGED,
    PASSED,
    REPLIED,
    SEEN,
    TRASHED,
    MessageMissing,
    normalize_flags,
)
from pymailgui.store.folder import Folder
from pymailgui.store.folders import FolderStore
from pymailgui.store.index import MessageSource
from pymailgui.store.mbox import export_mbox, import_mbox
from pymailgui.store.names import (
    DRAFTS,
    INBOX,
    OUTBOX,
    SAVED,
    SENT,
    STANDARD_FOLDERS,
    validate_folder_name,
)

__all__ = [
    "DRAFT",
    "DRAFTS",
    "FLAGGED",
    "INBOX",
    "OUTBOX",
    "PASSED",
    "REPLIED",
    "SAVED",
    "SEEN",
    "SENT",
    "STANDARD_FOLDERS",
    "TRASHED",
    "Folder",
    "FolderStore",
    "MessageMissing",
    "MessageSource",
    "export_mbox",
    "import_mbox",
    "normalize_flags",
    "validate_folder_name",
]
