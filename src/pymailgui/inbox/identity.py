"""Message identity on the server: UIDL, or a header-and-size fingerprint without it.

POP numbers are valid only inside one session (RFC 1939 §3), so the index keys every
message by a stable identity and maps it to the current number in the same session
right before RETR or DELE. Servers without UIDL get a fingerprint of the whole header
block plus the LIST size; two messages with the same fingerprint cannot be told apart,
and any request that would have to pick one of them is refused (POP-NOTES: Thunderbird
and NeoMutt refuse, fetchmail's guessing is "severely broken").
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from pymailgui.inbox.summary import header_block

FP_PREFIX = "fp:"


def fingerprint(header_or_message: bytes, size: int) -> str:
    """A hash of the exact header block bytes and the LIST size."""
    digest = hashlib.sha256()
    digest.update(header_block(header_or_message))
    digest.update(b"\x00")
    digest.update(str(size).encode("ascii"))
    return digest.hexdigest()[:40]


def fingerprint_keys(fingerprints: Mapping[int, str]) -> dict[int, str]:
    """Index keys for a no-UIDL listing: ``fp:HASH``, ``fp:HASH#2``... for look-alikes.

    Keys of look-alikes are only labels: requests for them are always refused, since
    which of them is "#2" can change with any deletion.
    """
    seen: Counter[str] = Counter()
    keys: dict[int, str] = {}
    for num in sorted(fingerprints):
        fp = fingerprints[num]
        seen[fp] += 1
        keys[num] = f"{FP_PREFIX}{fp}" if seen[fp] == 1 else f"{FP_PREFIX}{fp}#{seen[fp]}"
    return keys


def is_fingerprint_key(key: str) -> bool:
    """Whether ``key`` names a message by fingerprint (a server without UIDL)."""
    return key.startswith(FP_PREFIX)


def fingerprint_of_key(key: str) -> str | None:
    if not is_fingerprint_key(key):
        return None
    return key[len(FP_PREFIX) :].split("#", 1)[0]


@dataclass
class Listing:
    """The server's maildrop as seen inside one session."""

    sizes: dict[int, int]  # number -> LIST size
    uids: dict[int, str] | None  # number -> UIDL, or None on servers without UIDL
    fingerprints: dict[int, str] = field(default_factory=dict)  # number -> fingerprint
    headers: dict[int, bytes] = field(default_factory=dict)  # number -> header block

    @property
    def by_uidl(self) -> bool:
        return self.uids is not None

    def keys(self) -> dict[int, str]:
        """number -> identity key for every message in this session."""
        if self.uids is not None:
            return dict(self.uids)
        return fingerprint_keys(self.fingerprints)

    def locate(self, key: str) -> list[int]:
        """Current numbers that may be the message ``key`` (0, 1 or several)."""
        if self.uids is not None:
            return [n for n, u in self.uids.items() if u == key]
        fp = fingerprint_of_key(key)
        return [n for n, f in self.fingerprints.items() if f == fp]
