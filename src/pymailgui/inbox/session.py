"""What the inbox needs from a POP3 session, and reading a listing inside one.

The inbox depends on this small protocol rather than on the client class, so the rules
of identity can be read (and tested) apart from the wire code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

from pymailgui.inbox.identity import Listing, fingerprint
from pymailgui.inbox.summary import header_block
from pymailgui.pop.client import CommandNotSupported

#: progress(phase, done, total), called from the worker's thread.
Progress = Callable[[str, int, int], None]


class PopSession(Protocol):
    """The commands of :class:`pymailgui.pop.POP3Client` the inbox uses."""

    supports_top: bool | None

    def listing(self) -> tuple[dict[int, int], dict[int, str] | None]: ...
    def identify(self, num: int) -> tuple[str | None, int | None]: ...
    def top_many(
        self, nums: Sequence[int], lines: int = 0
    ) -> Iterator[tuple[int, bytes | None]]: ...
    def retr(self, num: int) -> bytes: ...
    def retr_many(self, nums: Sequence[int]) -> Iterator[tuple[int, bytes | None]]: ...
    def dele_many(self, nums: Sequence[int]) -> dict[int, bool]: ...
    def quit(self) -> None: ...
    def abort(self) -> None: ...


def fetch_headers(
    client: PopSession,
    nums: Sequence[int],
    progress: Progress | None = None,
) -> Iterator[tuple[int, bytes, bytes | None]]:
    """``(num, header block, whole message or None)`` for each number still there.

    ``TOP n 0`` when the server has it (pipelined by the client); otherwise RETR, whose
    whole text the caller may keep. Numbers that answer -ERR (deleted meanwhile by
    another client) are left out.
    """
    total = len(nums)
    answered: set[int] = set()
    if client.supports_top is not False:
        try:
            for num, data in client.top_many(nums, 0):
                if data is not None:
                    answered.add(num)
                if progress:
                    progress("headers", len(answered), total)
                if data is not None:
                    yield num, header_block(data), None
        except CommandNotSupported:
            pass  # proven on the first message: read whole messages instead
        if _top_works(client):
            return  # the -ERR ones were deleted meanwhile
    for num, data in client.retr_many([n for n in nums if n not in answered]):
        if data is not None:
            answered.add(num)
            yield num, header_block(data), data
        if progress:
            progress("headers", len(answered), total)


def _top_works(client: PopSession) -> bool:
    """Whether TOP is (still) believed to work; a first -ERR to TOP may have changed it."""
    return client.supports_top is not False


def read_listing(
    client: PopSession,
    *,
    fingerprint_sizes: Iterable[int] | None = None,
    progress: Progress | None = None,
) -> tuple[Listing, dict[int, bytes]]:
    """The maildrop as seen now: LIST sizes, UIDLs, and fingerprints where needed.

    Without UIDL, fingerprints need each candidate's header block: all messages, or only
    those whose size is in ``fingerprint_sizes`` (a fingerprint covers the size, so no
    other message can match). Returns the listing and any whole messages read by RETR.
    """
    sizes, uids = client.listing()  # LIST and UIDL in one round trip when pipelining
    listing = Listing(sizes=sizes, uids=uids)
    bodies: dict[int, bytes] = {}
    if uids is None:
        wanted = set(fingerprint_sizes) if fingerprint_sizes is not None else None
        nums = [n for n in sorted(sizes) if wanted is None or sizes[n] in wanted]
        for num, header, whole in fetch_headers(client, nums, progress):
            listing.headers[num] = header
            listing.fingerprints[num] = fingerprint(header, sizes[num])
            if whole is not None:
                bodies[num] = whole
        # Messages whose headers could not be read are gone: leave them out.
        listing.sizes = {
            n: s
            for n, s in sizes.items()
            if n in listing.fingerprints or (wanted is not None and s not in wanted)
        }
    return listing, bodies
