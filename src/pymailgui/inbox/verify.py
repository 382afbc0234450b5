"""Finding the message the user picked in the current session, or refusing.

Rules (POP-NOTES "Identity and deletion"):
- A row keyed by a usable UIDL is the message with that id, whatever its size now: a
  server may rewrite a message it has served (a ``Status: R`` header), and RFC 1939 §7
  makes the id the identity.
- If that id has become unusable (another message now claims it), the row's recorded
  fingerprint must match exactly one fingerprinted message.
- A fingerprint row must match exactly one message that has no usable id, must have
  no look-alike in the index, and must not sit after a message the index cannot know
  (new mail is appended, so such a candidate may be a newly arrived look-alike).
Anything else is a SyncError: nothing is shown or deleted on a guess.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property

from pymailgui.errors import SyncError
from pymailgui.inbox.identity import Listing, is_fingerprint_key
from pymailgui.message.summary import MessageRow, header_block

# Header fields that mail stores rewrite when a message is read or moved (mbox status
# lines, Dovecot/UW keywords, lengths); they do not make it another message.
_VOLATILE = re.compile(
    rb"^(status|x-status|x-uid|x-keywords|x-imap|x-imapbase|content-length|lines"
    rb"|x-mozilla-status2?|x-mozilla-keys):",
    re.IGNORECASE,
)


def label(row: MessageRow) -> str:
    """How an error names a message: its subject and sender, else its key."""
    if row.subject:
        return f"{row.subject!r} from {row.from_}" if row.from_ else repr(row.subject)
    return repr(row.key)


def same_message(row: MessageRow, indexed_header: bytes, data: bytes) -> bool:
    """Whether retrieved ``data`` is the message indexed with ``indexed_header``.

    Fingerprint rows need the exact header block (it is their identity). UIDL rows may
    differ only in the fields a server rewrites on its own.
    """
    got = header_block(data)
    if got == indexed_header:
        return True
    if is_fingerprint_key(row.key):
        return False
    return _stable_fields(got) == _stable_fields(indexed_header)


def _stable_fields(block: bytes) -> list[bytes]:
    fields: list[bytes] = []
    for line in block.replace(b"\r\n", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\n" + line
        else:
            fields.append(line)
    return [f for f in fields if not _VOLATILE.match(f)]


class Locator:
    """Locates index rows in one session's listing."""

    def __init__(self, listing: Listing, index: list[MessageRow]) -> None:
        self.listing = listing  # complete: it does not change while the locator is used
        self._index = index

    # The listing's numbers_of_* scan the whole listing: fine for one message, but
    # locating every message of a big mailbox (download all, a big delete) that way
    # was quadratic. These maps hold the same answers, in the same order.
    @cached_property
    def _uid_numbers(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for num, uid in (self.listing.uids or {}).items():
            found.setdefault(uid, []).append(num)
        return found

    @cached_property
    def _fingerprint_numbers(self) -> dict[str, list[int]]:
        uids = self.listing.uids
        found: dict[str, list[int]] = {}
        for num, fp in self.listing.fingerprints.items():
            if uids is None or num not in uids:
                found.setdefault(fp, []).append(num)
        return found

    @cached_property
    def _index_fingerprints(self) -> Counter[str]:
        return Counter(r.fingerprint for r in self._index)

    def number(self, row: MessageRow) -> int:
        """``row``'s current number, verified; SyncError when it can't be known."""
        if not is_fingerprint_key(row.key):
            nums = self._uid_numbers.get(row.key)
            if nums:
                return nums[0]  # usable ids are unique in a listing by construction
        return self._by_fingerprint(row)

    def present(self, row: MessageRow) -> bool:
        """Whether anything on the server could be ``row`` (even if not provably)."""
        if not is_fingerprint_key(row.key) and self._uid_numbers.get(row.key):
            return True
        return bool(self._fingerprint_numbers.get(row.fingerprint))

    def _by_fingerprint(self, row: MessageRow) -> int:
        nums = self._fingerprint_numbers.get(row.fingerprint, [])
        if not nums:
            raise SyncError(
                f"The message {label(row)} is no longer on the server (deleted by another "
                "program).",
                keys=(row.key,),
                gone=True,
            )
        twins = self._index_fingerprints[row.fingerprint]
        nums = self._drop_arrivals(nums)
        if not nums:
            raise SyncError(
                f"The message {label(row)} is no longer on the server (a message that looks "
                "the same arrived since).",
                keys=(row.key,),
                gone=True,
            )
        if len(nums) > 1 or twins > 1:
            raise SyncError(
                f"The message {label(row)} cannot be told apart from another one with the "
                "same headers and size, and the server gives them no usable id; nothing "
                "was done.",
                keys=(row.key,),
            )
        num = nums[0]
        if self.listing.sizes.get(num) != row.size:  # a fingerprint covers the size
            raise SyncError(
                f"The message {label(row)} changed on the server; nothing was done.",
                keys=(row.key,),
            )
        return num

    def _drop_arrivals(self, nums: list[int]) -> list[int]:
        """Leave out candidates that must have arrived after the index was made.

        New mail is appended to a maildrop, so every message after one that the index
        can't know (an id, size or fingerprint it has never seen) is new too, even one
        that looks like the picked message. (Servers that reorder only make this refuse
        more often.)
        """
        first_new = self._first_new
        if first_new is None:
            return nums
        return [n for n in nums if n < first_new]

    @cached_property
    def _first_new(self) -> int | None:
        keys = {r.key for r in self._index}
        sizes = {r.size for r in self._index}
        fingerprints = {r.fingerprint for r in self._index}
        listing = self.listing
        unknown = []
        for num, size in listing.sizes.items():
            uid = listing.uid(num)
            if uid is not None:
                if uid not in keys:
                    unknown.append(num)
            elif size not in sizes or (
                num in listing.fingerprints and listing.fingerprints[num] not in fingerprints
            ):
                unknown.append(num)
        return min(unknown) if unknown else None
