"""What the inbox needs from a POP3 session, and reading a listing inside one.

The inbox depends on this small protocol rather than on the client class, so the rules
of identity can be read (and tested) apart from the wire code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

from pymailgui.inbox.identity import Listing, fingerprint
from pymailgui.message.summary import header_block
from pymailgui.pop.client import CommandNotSupported
from pymailgui.tasks import Phase, Task


class PopSession(Protocol):
    """The commands of :class:`pymailgui.pop.POP3Client` the inbox uses."""

    supports_top: bool | None
    uidl_problems: dict[int, str]

    def listing(self) -> tuple[dict[int, int], dict[int, str] | None]: ...
    def identify(self, num: int) -> tuple[str | None, int | None]: ...
    def top_many(
        self, nums: Sequence[int], lines: int = 0
    ) -> Iterator[tuple[int, bytes | None]]: ...
    def retr_many(self, nums: Sequence[int]) -> Iterator[tuple[int, bytes | None]]: ...
    def dele_many(self, nums: Sequence[int]) -> dict[int, bool]: ...
    def quit(self) -> None: ...
    def abort(self) -> None: ...
    def interrupt(self) -> None: ...


#: Opens a logged-in session for a task (connect, log in, wait out [IN-USE]).
Connector = Callable[[Task], PopSession]


def fetch_headers(
    client: PopSession, nums: Sequence[int], task: Task
) -> Iterator[tuple[int, bytes, bytes | None]]:
    """``(num, header block, whole message or None)`` for each number still there.

    ``TOP n 0`` when the server has it (pipelined by the client); otherwise RETR, whose
    whole text the caller may keep. Numbers that answer -ERR (deleted meanwhile by
    another client) are left out. Progress is reported per answer.
    """
    total = len(nums)
    answered: set[int] = set()
    done = 0
    if client.supports_top is not False:
        try:
            for num, data in client.top_many(nums, 0):
                done += 1
                task.report(Phase.HEADERS, done, total)
                if data is not None:
                    answered.add(num)
                    yield num, header_block(data), None
        except CommandNotSupported:
            pass  # proven on the first message: read whole messages instead
        if _top_works(client):
            return  # the -ERR ones were deleted meanwhile
    for num, data in client.retr_many([n for n in nums if n not in answered]):
        done += 1
        task.report(Phase.HEADERS, done, total)
        if data is not None:
            yield num, header_block(data), data


def _top_works(client: PopSession) -> bool:
    """Whether TOP is (still) believed to work; a first -ERR to TOP may have changed it."""
    return client.supports_top is not False


def read_listing(
    client: PopSession,
    task: Task,
    *,
    fingerprint_sizes: Iterable[int] | None = None,
) -> Listing:
    """The maildrop as seen now: LIST sizes, usable UIDLs, fingerprints where needed.

    Messages without a usable id need their header block for a fingerprint: all of
    them, or only those whose size is in ``fingerprint_sizes`` (a fingerprint covers
    the size, so no other message can match). Messages whose headers could not be read
    (deleted meanwhile) are left out of the sizes.
    """
    task.report(Phase.LIST)
    sizes, uids = client.listing()  # LIST and UIDL in one round trip when pipelining
    listing = Listing.of(sizes, uids, client.uidl_problems)
    wanted = set(fingerprint_sizes) if fingerprint_sizes is not None else None
    nums = [n for n in listing.unidentified() if wanted is None or sizes[n] in wanted]
    if nums:
        for num, header, _whole in fetch_headers(client, nums, task):
            listing.fingerprints[num] = fingerprint(header, sizes[num])
        gone = set(nums) - set(listing.fingerprints)
        listing.sizes = {n: s for n, s in sizes.items() if n not in gone}
    return listing
