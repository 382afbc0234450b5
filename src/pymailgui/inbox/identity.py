"""Message identity on the server: UIDL, or a header-and-size fingerprint without it.

POP numbers are valid only inside one session (RFC 1939 §3), so the index keys every
message by a stable identity and maps it to the current number in the same session
right before RETR or DELE.

- A message with a valid id that no other message in the listing shares is keyed by
  that UIDL (RFC 1939 §7: the id is the identity, even if the server rewrites the
  message and its size changes).
- Every other message - all of them on a server without UIDL, and on other servers the
  ones whose id breaks the RFC (duplicated, invalid, or taken from an ``X-UIDL:``
  header a sender wrote) - is keyed by a fingerprint of its whole header block plus
  its LIST size. Two such messages with the same fingerprint cannot be told apart, and
  any request that would have to pick one of them is refused (POP-NOTES: Thunderbird
  and NeoMutt refuse, fetchmail's guessing is "severely broken").
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from pymailgui.message.summary import header_block

FP_PREFIX = "fp:"


def fingerprint(header_or_message: bytes, size: int) -> str:
    """A hash of the exact header block bytes and the LIST size."""
    digest = hashlib.sha256()
    digest.update(header_block(header_or_message))
    digest.update(b"\x00")
    digest.update(str(size).encode("ascii"))
    return digest.hexdigest()[:40]


def is_fingerprint_key(key: str) -> bool:
    """Whether ``key`` names a message by fingerprint (no usable UIDL)."""
    return key.startswith(FP_PREFIX)


def fingerprint_of_key(key: str) -> str | None:
    if not is_fingerprint_key(key):
        return None
    return key[len(FP_PREFIX) :].split("#", 1)[0]


def usable_uid(uid: str) -> bool:
    """Whether a (valid, unique) UIDL can be an index key.

    An id that starts like a fingerprint key could be chosen by a sender (``X-UIDL:``)
    to collide with another message's fingerprint key, so it is not used as one.
    """
    return not is_fingerprint_key(uid)


class FingerprintLabeler:
    """Index keys for fingerprinted messages, given in server order: ``fp:HASH``, then
    ``fp:HASH#2``... for look-alikes.

    Keys of look-alikes are only labels: requests for them are always refused, since
    which of them is "#2" can change with any deletion.
    """

    def __init__(self) -> None:
        self._seen: Counter[str] = Counter()

    def key(self, fp: str) -> str:
        self._seen[fp] += 1
        n = self._seen[fp]
        return f"{FP_PREFIX}{fp}" if n == 1 else f"{FP_PREFIX}{fp}#{n}"


@dataclass
class Listing:
    """The server's maildrop as seen inside one session.

    ``uids`` holds the usable ids only (None: the server has no UIDL at all); a
    message absent from it is identified by ``fingerprints`` (filled as headers are
    read).
    """

    sizes: dict[int, int]  # number -> LIST size
    uids: dict[int, str] | None  # number -> usable UIDL; None without UIDL
    fingerprints: dict[int, str] = field(default_factory=dict)  # number -> fingerprint
    problems: dict[int, str] = field(default_factory=dict)  # number -> why no usable id

    @classmethod
    def of(
        cls, sizes: dict[int, int], uids: dict[int, str] | None, problems: dict[int, str]
    ) -> Listing:
        if uids is None:
            return cls(sizes=sizes, uids=None)
        usable = {n: u for n, u in uids.items() if n in sizes and usable_uid(u)}
        why = {n: problems.get(n, "reserved") for n in sizes if n not in usable}
        return cls(sizes=sizes, uids=usable, problems=why)

    @property
    def by_uidl(self) -> bool:
        """Whether the server has UIDL (some messages may still lack a usable id)."""
        return self.uids is not None

    def uid(self, num: int) -> str | None:
        return self.uids.get(num) if self.uids is not None else None

    def unidentified(self) -> list[int]:
        """Numbers that need a fingerprint, in server order."""
        if self.uids is None:
            return sorted(self.sizes)
        return sorted(n for n in self.sizes if n not in self.uids)

    def keys(self) -> dict[int, str]:
        """number -> identity key for every message whose identity is known now."""
        keys = dict(self.uids) if self.uids is not None else {}
        labels = FingerprintLabeler()
        for num in sorted(self.fingerprints):
            if num not in keys:
                keys[num] = labels.key(self.fingerprints[num])
        return keys

    def numbers_of_uid(self, uid: str) -> list[int]:
        return [n for n, u in (self.uids or {}).items() if u == uid]

    def numbers_of_fingerprint(self, fp: str) -> list[int]:
        """Fingerprinted messages (no usable id) whose fingerprint is ``fp``."""
        return [
            n
            for n, f in self.fingerprints.items()
            if f == fp and (self.uids is None or n not in self.uids)
        ]
