"""The baseline: a classic stdlib-poplib client, as the book's PyMailGUI/mailtools works.

One command at a time, every answer read as a list of lines. Headers are parsed with
the email package (what a client must do to show a list), so the baseline does the
same useful work as ours, just without pipelining or a header cache.
"""

from __future__ import annotations

import email.parser
import email.policy
import poplib
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from bench.lab import PASSWORD

TIMEOUT = 30.0
_PARSER = email.parser.BytesHeaderParser(policy=email.policy.default)


@contextmanager
def session(
    host: str, port: int, user: str = "alice", password: str = PASSWORD
) -> Iterator[poplib.POP3]:
    """USER/PASS login; QUIT on a normal exit, a plain close on an error."""
    pop = poplib.POP3(host, port, timeout=TIMEOUT)
    try:
        pop.user(user)
        pop.pass_(password)
        yield pop
        pop.quit()
    finally:
        pop.close()


def summary(lines: list[bytes]) -> tuple[str, str, str]:
    """From, Subject and Date of a header block, as a classic client shows a list."""
    msg = _PARSER.parsebytes(b"\r\n".join(lines))
    return str(msg["From"] or ""), str(msg["Subject"] or ""), str(msg["Date"] or "")


def uid_map(pop: poplib.POP3) -> dict[str, int]:
    """UIDL listing: unique id -> message number in this session."""
    _, lines, _ = pop.uidl()
    pairs = (line.split() for line in lines)
    return {uid.decode("ascii"): int(num) for num, uid in pairs}


def refresh(
    host: str, port: int, user: str = "alice", limit: int | None = None
) -> list[tuple[str, str, str]]:
    """A full header load: STAT, LIST, UIDL, then ``TOP n 0`` for each, one at a time
    (only the first ``limit`` when given: the bench extrapolates from two limits)."""
    with session(host, port, user) as pop:
        count, _ = pop.stat()
        pop.list()
        pop.uidl()
        count = count if limit is None else min(limit, count)
        return [summary(pop.top(n, 0)[1]) for n in range(1, count + 1)]


def refresh_incremental(host: str, port: int, known: int, user: str = "alice") -> int:
    """The book's reload with nothing new: LIST, and TOP of the last known message to
    check that the mailbox is still in sync (mailtools' header comparison); returns the
    number of new messages (whose headers would then be loaded)."""
    with session(host, port, user) as pop:
        _, listing, _ = pop.list()
        if known:
            summary(pop.top(known, 0)[1])
        return len(listing) - known


def _whole(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\r\n" for line in lines)


def fetch_one_session(
    host: str, port: int, uids: Sequence[str], user: str = "alice"
) -> list[bytes]:
    """Several messages in one session: UIDL map, then RETR each."""
    with session(host, port, user) as pop:
        nums = uid_map(pop)
        return [_whole(pop.retr(nums[uid])[1]) for uid in uids]


def fetch_each(host: str, port: int, uids: Sequence[str], user: str = "alice") -> list[bytes]:
    """Each message opened on its own, as a user opens them: a session per message."""
    out = []
    for uid in uids:
        with session(host, port, user) as pop:
            out.append(_whole(pop.retr(uid_map(pop)[uid])[1]))
    return out


def delete(host: str, port: int, uids: Sequence[str], user: str = "alice") -> int:
    """UIDL map, DELE each, QUIT; returns how many were marked."""
    with session(host, port, user) as pop:
        nums = uid_map(pop)
        for uid in uids:
            pop.dele(nums[uid])
        return len(uids)


def main(argv: list[str]) -> int:
    """``python -m bench.baseline HOST PORT USER [LIMIT]``: the classic header load as
    a whole command; prints the number of messages listed."""
    host, port, user = argv[:3]
    limit = int(argv[3]) if len(argv) > 3 else None
    print(len(refresh(host, int(port), user, limit)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
