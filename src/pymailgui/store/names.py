"""Folder names: the standard folders and the rules a user-chosen name must follow.

A folder name becomes a directory name under the folders root, so it is checked before
it ever reaches the file system: no path separators, no "..", no leading dot (Maildir++
uses a leading dot for subfolders and it would hide the folder), no control characters,
and a bounded length. Names compare case-insensitively ("inbox" is "Inbox") so the
same folders work on case-insensitive file systems too.
"""

from __future__ import annotations

import unicodedata

from pymailgui.errors import UsageError

INBOX = "Inbox"
SAVED = "Saved"
SENT = "Sent"
DRAFTS = "Drafts"
OUTBOX = "Outbox"

#: Created on first use, in this display order; they can be neither renamed nor deleted.
STANDARD_FOLDERS: tuple[str, ...] = (INBOX, SAVED, SENT, DRAFTS, OUTBOX)

#: Characters, and UTF-8 bytes (most file systems cap a name at 255 bytes).
MAX_NAME_CHARS = 100
MAX_NAME_BYTES = 200

# Windows-reserved characters are refused too: folders may be copied to such a disk.
_FORBIDDEN = set('/\\:*?"<>|')


def name_key(name: str) -> str:
    """The form two names are compared in (case- and normalization-insensitive)."""
    return unicodedata.normalize("NFC", name).casefold()


def is_standard(name: str) -> bool:
    return name_key(name) in {name_key(s) for s in STANDARD_FOLDERS}


def validate_folder_name(name: str) -> str:
    """Return ``name`` in NFC form, or raise :class:`UsageError` saying what is wrong."""
    name = unicodedata.normalize("NFC", name)
    problem = _problem(name)
    if problem:
        raise UsageError(f"{name!r} cannot be a folder name: {problem}.")
    return name


def _problem(name: str) -> str | None:
    checks: tuple[tuple[bool, str], ...] = (
        (not name.strip(), "it is empty"),
        (name != name.strip(), "it starts or ends with a space"),
        (
            len(name) > MAX_NAME_CHARS
            or len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES,
            f"it is longer than {MAX_NAME_CHARS} characters",
        ),
        (name.startswith("."), "it starts with a dot"),
        (".." in name, 'it contains ".."'),
        (name.endswith("."), "it ends with a dot"),
        (
            any(c in _FORBIDDEN for c in name),
            "it contains one of " + " ".join(sorted(_FORBIDDEN)),
        ),
        # Cc: control characters (NUL, newline, DEL...); Cs: lone surrogates from
        # undecodable bytes; Cf: invisible format characters such as RTL overrides.
        (
            any(unicodedata.category(c) in {"Cc", "Cs", "Cf", "Zl", "Zp"} for c in name),
            "it contains control or invisible characters",
        ),
    )
    return next((problem for failed, problem in checks if failed), None)
