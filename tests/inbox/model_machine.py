"""A model-based test of the inbox: another client adds and deletes at random while we
refresh, fetch and delete. After every step it checks that only messages the user
selected were ever deleted, and that every fetch returned the selected message.

The machine is generic over a backend (the scripted server with or without UIDL, or
Dovecot); each backend has its own oracle of what is on the server, independent of the
code under test. Every message carries a unique token in its body; "twins" share a
byte-identical header block and size with an earlier message (the no-UIDL trap).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from pymailgui.errors import ConnectionFailed, ProtocolError, SyncError
from pymailgui.inbox import Inbox, IndexCache
from pymailgui.inbox.session import Connector
from pymailgui.message.summary import header_block

TOKEN_RE = re.compile(rb"token: (T\d{6})")
_tokens = itertools.count(1)


def examples(default: int) -> int:
    """How many interleavings to run (PYMAILGUI_MODEL_EXAMPLES overrides)."""
    return int(os.environ.get("PYMAILGUI_MODEL_EXAMPLES", default))


def token_of(data: bytes) -> str:
    found = TOKEN_RE.search(data)
    assert found, "a message without a token"
    return found.group(1).decode()


def new_message(token: str) -> bytes:
    return (
        f"From: Sender {token} <s{token}@example.com>\r\nTo: user@example.com\r\n"
        f"Subject: message {token}\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n"
        f"Message-ID: <{token}@example.com>\r\n\r\ntoken: {token}\r\n"
    ).encode()


def twin_of(original: bytes, token: str) -> bytes:
    """Same header block and size as ``original``, another body."""
    head = header_block(original)
    body = TOKEN_RE.sub(f"token: {token}".encode(), original[len(head) :])
    assert len(body) == len(original) - len(head)
    return head + body


class Backend(Protocol):
    by_uidl: bool

    def connector(self) -> Connector: ...
    def add(self, data: bytes) -> None: ...
    def other_delete(self, token: str) -> None: ...
    def contents(self) -> dict[str, bytes]: ...
    def uid_tokens(self) -> dict[str, str]: ...
    def arm_fault(self, kind: str) -> bool: ...
    def disarm(self) -> None: ...


@dataclass
class Stats:
    steps: int = 0
    fetches_ok: int = 0
    fetches_refused: int = 0
    deletes_ok: int = 0
    deletes_refused: int = 0
    deleted_messages: int = 0
    other_deletes: int = 0
    arrivals: int = 0
    examples: int = 0
    substitutions: int = 0


class InboxMachine(RuleBasedStateMachine):
    """Subclasses set ``make_backend`` and ``stats``."""

    make_backend: Callable[[], Backend]
    stats: Stats
    faults: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self.backend = self.make_backend()
        self.cache = IndexCache(self.backend_cache_path())
        self.inbox = Inbox(f"acct{next(_tokens)}", self.cache, self.backend.connector())
        self.candidates: dict[str, set[str]] = {}  # index key -> tokens it may be
        self.stats.examples += 1

    def backend_cache_path(self):  # type: ignore[no-untyped-def]
        import tempfile
        from pathlib import Path

        self._tmp = tempfile.TemporaryDirectory()
        return Path(self._tmp.name) / "cache.sqlite3"

    def teardown(self) -> None:
        self.cache.close()
        self._tmp.cleanup()

    # -- oracle helpers ----------------------------------------------------------------
    def _candidates_now(self) -> dict[str, set[str]]:
        """For each index entry, the tokens on the server it may denote right now."""
        contents = self.backend.contents()
        result: dict[str, set[str]] = {}
        uid_tokens = self.backend.uid_tokens() if self.backend.by_uidl else {}
        for entry in self.inbox.rows():
            if self.backend.by_uidl:
                tok = uid_tokens.get(entry.key)
                result[entry.key] = {tok} if tok else set()
            else:
                header = self.cache.header(self.inbox.account, entry.key)
                result[entry.key] = {
                    t
                    for t, data in contents.items()
                    if header_block(data) == header and len(data) == entry.size
                }
        return result

    def _lookalikes_now(self, key: str) -> int:
        header = self.cache.header(self.inbox.account, key)
        size = self.inbox.row(key).size
        return sum(
            1
            for data in self.backend.contents().values()
            if header_block(data) == header and len(data) == size
        )

    # -- another client ----------------------------------------------------------------
    @initialize(n=st.integers(0, 6), twins=st.integers(0, 2))
    def seed(self, n: int, twins: int) -> None:
        made: list[bytes] = []
        for _ in range(n):
            made.append(new_message(f"T{next(_tokens):06d}"))
            self.backend.add(made[-1])
        for i in range(min(twins, n)):
            self.backend.add(twin_of(made[i], f"T{next(_tokens):06d}"))
        self.refresh()  # the user starts by loading the index

    @rule(twin=st.booleans(), pick=st.integers(0, 1000))
    def arrive(self, twin: bool, pick: int) -> None:
        self.stats.steps += 1
        self.stats.arrivals += 1
        contents = self.backend.contents()
        token = f"T{next(_tokens):06d}"
        if twin and contents:
            original = list(contents.values())[pick % len(contents)]
            self.backend.add(twin_of(original, token))
        else:
            self.backend.add(new_message(token))

    @rule(pick=st.integers(0, 1000))
    def other_client_deletes(self, pick: int) -> None:
        self.stats.steps += 1
        tokens = sorted(self.backend.contents())
        if tokens:
            self.backend.other_delete(tokens[pick % len(tokens)])
            self.stats.other_deletes += 1

    # -- the user ----------------------------------------------------------------------
    @rule()
    def refresh(self) -> None:
        self.stats.steps += 1
        self.inbox.refresh()
        self.candidates = self._candidates_now()
        keys = {e.key for e in self.inbox.rows()}
        contents = self.backend.contents()
        # the index now lists exactly what is on the server (nothing changed meanwhile)
        assert len(keys) == len(contents)

    @rule(pick=st.integers(0, 1000), use_cache=st.booleans())
    def fetch(self, pick: int, use_cache: bool) -> None:
        self.stats.steps += 1
        entries = [e for e in self.inbox.rows() if e.key in self.candidates]
        if not entries:
            return
        entry = entries[pick % len(entries)]
        picked = self.candidates[entry.key]
        contents = self.backend.contents()
        try:
            data = self.inbox.fetch(entry.key, use_cache=use_cache)
        except SyncError:
            self.stats.fetches_refused += 1
            (only,) = picked if len(picked) == 1 else (None,)
            must_work = (
                only is not None
                and only in contents
                and (self.backend.by_uidl or self._lookalikes_now(entry.key) == 1)
            )
            assert not must_work, f"refused to fetch {only} although it is unambiguous"
            return
        self.stats.fetches_ok += 1
        assert len(picked) == 1, "fetched a message that could not be told apart"
        got = token_of(data)
        if got not in picked:
            self._check_substitute(entry.key, picked, got, contents)
        assert data == contents.get(got, data)

    def _check_substitute(
        self, key: str, picked: set[str], got: str, contents: dict[str, bytes]
    ) -> None:
        header = self.cache.header(self.inbox.account, key)
        assert header is not None
        self._substitute_ok(header, self.inbox.row(key).size, picked, got, contents)

    def _substitute_ok(
        self, header: bytes, size: int, picked: set[str], got: str, contents: dict[str, bytes]
    ) -> None:
        """Without UIDL a message is its header block and size (the issue's definition).

        Touching another message is wrong, except in the one case no POP client can
        see: the picked one was deleted by another client and a message with the same
        header bytes and size arrived after the last refresh. Counted, never silent.
        """
        assert not self.backend.by_uidl, f"WRONG: got {got}, the user picked {picked}"
        (want,) = picked
        assert want not in contents, f"WRONG: got {got} while the picked {want} is there"
        data = contents[got]
        assert header_block(data) == header and len(data) == size, (
            f"WRONG: got {got}, which does not even look like the picked {want}"
        )
        self.stats.substitutions += 1

    @rule(picks=st.lists(st.integers(0, 1000), min_size=1, max_size=4), fault=st.integers(0, 9))
    def delete(self, picks: list[int], fault: int) -> None:
        self.stats.steps += 1
        entries = [e for e in self.inbox.rows() if e.key in self.candidates]
        if not entries:
            return
        chosen = list(dict.fromkeys(entries[p % len(entries)].key for p in picks))
        allowed = set().union(*(self.candidates[k] for k in chosen if len(self.candidates[k]) == 1))
        before = self.backend.contents()
        looks = {
            k: (self.cache.header(self.inbox.account, k) or b"", self.inbox.row(k).size)
            for k in chosen
        }
        armed = (
            bool(self.faults)
            and fault < len(self.faults)
            and self.backend.arm_fault(self.faults[fault])
        )
        try:
            report = self.inbox.delete(chosen)
        except (SyncError, ConnectionFailed, ProtocolError):
            self.stats.deletes_refused += 1
            after = self.backend.contents()
            assert set(before) == set(after), "a refused or failed delete removed messages"
            return
        finally:
            self.backend.disarm()
        after = self.backend.contents()
        removed = set(before) - set(after)
        for token in removed - allowed:
            matches = [
                k
                for k in chosen
                if len(self.candidates[k]) == 1
                and looks[k] == (header_block(before[token]), len(before[token]))
            ]
            assert matches, f"WRONG DELETE: removed {token}, which was not selected"
            self._substitute_ok(*looks[matches[0]], self.candidates[matches[0]], token, before)
        assert not (armed and report.deleted), "a delete succeeded without an acknowledged QUIT"
        self.stats.deletes_ok += 1
        self.stats.deleted_messages += len(removed)
        for key in chosen:
            cands = self.candidates[key]
            if len(cands) == 1 and next(iter(cands)) in before:
                assert next(iter(cands)) in removed, "a selected message was not deleted"
        assert set(report.deleted) | set(report.already_gone) == set(chosen)
        keys = {e.key for e in self.inbox.rows()}
        assert not keys & set(chosen), "the index still lists a deleted message"
        for key in chosen:
            self.candidates.pop(key, None)

    @invariant()
    def index_keys_unique(self) -> None:
        keys = [e.key for e in self.inbox.rows()]
        assert len(keys) == len(set(keys))
