"""Why each message in Outbox waits: kept in the index cache's database.

A failed send leaves the message in the Outbox folder; this ledger records, per message,
which account tried, how often, the last error and the state it left the message in
("failed": send again; "uncertain": the server may have it; "delivered": sent, only
filing in Sent failed - never send it again).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass


@dataclass(frozen=True)
class OutboxState:
    """The sending history of one message waiting in Outbox."""

    account: str
    attempts: int
    state: str
    last_error: str | None
    last_attempt: float | None


class OutboxLedger:
    """The ``outbox`` table's verbs, mixed into :class:`~pymailgui.inbox.IndexCache`."""

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _read(self, sql: str, args: Sequence[object] = ()) -> list[tuple[object, ...]]:
        raise NotImplementedError

    def outbox_record(self, key: str, account: str, error: str, state: str) -> None:
        """Note a failed attempt to send Outbox message ``key``: why, and in what state
        it left the message ('failed', 'uncertain', 'delivered')."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO outbox VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT(msg_key) DO UPDATE "
                "SET attempts = attempts + 1, state = excluded.state, "
                "last_error = excluded.last_error, last_attempt = excluded.last_attempt, "
                "account = excluded.account",
                (key, account, state, error, time.time()),
            )

    def outbox_forget(self, key: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM outbox WHERE msg_key = ?", (key,))

    def outbox_states(self) -> dict[str, OutboxState]:
        found = self._read(
            "SELECT msg_key, account, attempts, state, last_error, last_attempt FROM outbox"
        )
        return {
            str(k): OutboxState(
                account=str(a),
                attempts=int(str(n)),
                state=str(st),
                last_error=None if e is None else str(e),
                last_attempt=None if t is None else float(str(t)),
            )
            for k, a, n, st, e, t in found
        }
