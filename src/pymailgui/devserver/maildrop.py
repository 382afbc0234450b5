"""A thread-safe POP3 maildrop: messages with stable unique ids, optionally on disk.

Ids follow Dovecot's default ``pop3_uidl_format = %08Xu%08Xv`` shape (a 32-bit counter
and a 32-bit validity, in hex): RFC 1939 §7 wants a unique-id that persists across
sessions and is never reused, so the counter only ever grows and is written to disk
*before* a message becomes visible. The persistent form is a Maildir-style directory
(``tmp/`` then an atomic rename into ``cur/``, with fsync) so the demo account's
deletions and new mail survive restarts.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

from pymailgui import paths
from pymailgui.errors import LocalStoreError
from pymailgui.lines import to_crlf

_UID_FILE = re.compile(r"^[0-9A-F]{16}$")
_STATE_FILE = "pymailgui-uidlist"
_MAX_COUNTER = 0xFFFFFFFF


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(path: Path, data: bytes, tmp_dir: Path) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file, fsync, rename, fsync dir."""
    tmp = tmp_dir / f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    # The maildrop holds the demo user's mail: 0600 whatever the umask.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, paths.PRIVATE_FILE)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class Maildrop:
    """The messages of one POP3 user, in arrival order, each with a never-reused uid.

    Every method is safe to call from any thread: the POP3 sessions and the test (acting
    as "another client") share one instance.
    """

    def __init__(self, *, uid_validity: int | None = None) -> None:
        self._lock = threading.RLock()
        self._released = threading.Condition(self._lock)
        self._messages: dict[str, bytes] = {}
        self._hidden: dict[str, bytes] = {}  # still stored, no longer listed (Gmail)
        self._validity = uid_validity if uid_validity is not None else int(time.time())
        self._validity &= _MAX_COUNTER
        self._next = 1
        self._owner: str | None = None
        self._dir: Path | None = None
        #: True when :meth:`open_dir` created the directory (the caller may seed it).
        self.created = False
        #: Uids removed by :meth:`delete` ("another client"), in order.
        self.other_client_deletes: list[str] = []
        #: Uids removed by :meth:`remove_committed` (a POP3 session's QUIT), in order.
        self.quit_deletes: list[str] = []

    # -- persistence -------------------------------------------------------------------

    @classmethod
    def open_dir(cls, path: Path) -> Maildrop:
        """Open (creating if needed) a persistent maildrop stored under ``path``."""
        path = Path(path)
        try:
            return cls._open_dir(path)
        except OSError as exc:
            raise LocalStoreError(
                f"The demo mailbox at {path} could not be opened ({exc.strerror or exc}); "
                "check that the directory is writable."
            ) from exc

    @classmethod
    def _open_dir(cls, path: Path) -> Maildrop:
        for sub in ("tmp", "new", "cur"):
            paths.ensure_dir(path / sub)
        # A crash between write and rename leaves only tmp/ files: they were never
        # visible, so they are dropped (the Maildir rule).
        for leftover in (path / "tmp").iterdir():
            leftover.unlink()
        names = sorted(p.name for p in (path / "cur").iterdir() if _UID_FILE.match(p.name))
        state = path / _STATE_FILE
        drop = cls()
        drop._dir = path
        if state.exists():
            validity, nxt = cls._read_state(state)
        else:
            drop.created = not names
            validity = int(names[0][8:], 16) if names else drop._validity
            nxt = 1
        # Never hand out a counter at or below one already on disk, even if the state
        # file was lost or is stale.
        for name in names:
            nxt = max(nxt, int(name[:8], 16) + 1)
        drop._validity, drop._next = validity, nxt
        for name in names:
            drop._messages[name] = (path / "cur" / name).read_bytes()
        drop._save_state()
        return drop

    @staticmethod
    def _read_state(state: Path) -> tuple[int, int]:
        match = re.fullmatch(r"V(\d+) N(\d+)\s*", state.read_text("ascii"))
        if match is None:
            raise LocalStoreError(f"The uid state file {state} is damaged; remove it to rebuild.")
        return int(match.group(1)), int(match.group(2))

    def _save_state(self) -> None:
        if self._dir is not None:
            data = f"V{self._validity} N{self._next}\n".encode("ascii")
            _write_durably(self._dir / _STATE_FILE, data, self._dir / "tmp")

    @property
    def path(self) -> Path | None:
        """The directory of a persistent maildrop, else None."""
        return self._dir

    # -- the store ---------------------------------------------------------------------

    def _new_uid(self) -> str:
        if self._next > _MAX_COUNTER:
            raise LocalStoreError("The maildrop ran out of unique ids.")
        uid = f"{self._next:08X}{self._validity:08X}"
        self._next += 1
        # Persist the counter before the message appears: a crash can skip an id but
        # never reuse one (RFC 1939 §7).
        self._save_state()
        return uid

    def add(self, data: bytes) -> str:
        """Store a message and return its new uid.

        A message line ends in CRLF on the wire (RFC 1939 §3): a bare LF is stored as
        CRLF and a final CRLF is added, as Dovecot does; a lone CR is kept.
        """
        data = to_crlf(bytes(data))
        with self._lock:
            uid = self._new_uid()
            if self._dir is not None:
                try:
                    _write_durably(self._dir / "cur" / uid, data, self._dir / "tmp")
                except OSError as exc:
                    raise LocalStoreError(
                        f"A message could not be written to {self._dir} ({exc.strerror})."
                    ) from exc
            self._messages[uid] = data
            return uid

    def rewrite(self, uid: str, data: bytes) -> bool:
        """Replace a message's bytes under the same uid, as servers that add a Status
        header on read do; False if it is not there."""
        data = to_crlf(bytes(data))
        with self._lock:
            if uid not in self._messages:
                return False
            if self._dir is not None:
                _write_durably(self._dir / "cur" / uid, data, self._dir / "tmp")
            self._messages[uid] = data
            return True

    def _remove(self, uid: str) -> bool:
        if self._messages.pop(uid, None) is None and self._hidden.pop(uid, None) is None:
            return False
        if self._dir is not None:
            try:
                (self._dir / "cur" / uid).unlink(missing_ok=True)
                _fsync_dir(self._dir / "cur")
            except OSError as exc:
                raise LocalStoreError(
                    f"A message could not be removed from {self._dir} ({exc.strerror})."
                ) from exc
        return True

    def delete(self, uid: str) -> bool:
        """Remove a message as another client would; False if it was not there."""
        with self._lock:
            removed = self._remove(uid)
            if removed:
                self.other_client_deletes.append(uid)
            return removed

    def remove_committed(self, uids: list[str]) -> list[str]:
        """Remove the messages a session deleted at QUIT; return those that were present."""
        with self._lock:
            removed = [uid for uid in uids if self._remove(uid)]
            self.quit_deletes.extend(removed)
            return removed

    def hide(self, uids: list[str]) -> list[str]:
        """Stop listing these messages without deleting them (Gmail after a QUIT).

        Hidden messages are kept in memory only; they are never listed again.
        """
        with self._lock:
            hidden = [uid for uid in uids if uid in self._messages]
            for uid in hidden:
                self._hidden[uid] = self._messages.pop(uid)
            return hidden

    @property
    def hidden(self) -> list[str]:
        """Uids of the messages stored but no longer listed."""
        with self._lock:
            return list(self._hidden)

    def clear(self) -> None:
        """Remove every message (uids are still never reused)."""
        with self._lock:
            for uid in [*self._messages, *self._hidden]:
                self._remove(uid)

    def uids(self) -> list[str]:
        """The uids of the present messages, in arrival order."""
        with self._lock:
            return list(self._messages)

    def get(self, uid: str) -> bytes:
        """The message with ``uid``; KeyError when it is not (or no longer) present."""
        with self._lock:
            return self._messages[uid]

    def __contains__(self, uid: object) -> bool:
        with self._lock:
            return uid in self._messages

    def snapshot(self) -> list[tuple[str, bytes]]:
        """(uid, message) of every present message, in arrival order, at one instant."""
        with self._lock:
            return list(self._messages.items())

    def __len__(self) -> int:
        with self._lock:
            return len(self._messages)

    # -- RFC 1939 §8: one session at a time holds the maildrop --------------------------

    def try_lock(self, session_id: str, wait: float = 0.0) -> bool:
        """Take the maildrop for ``session_id``; False when another session holds it.

        ``wait`` seconds are granted for the holder to let go: a client that dropped
        its connection and reconnects at once must not find its own dead session
        still holding the lock because the server has not read the EOF yet.
        """
        deadline = time.monotonic() + wait
        with self._released:
            while self._owner is not None and self._owner != session_id:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._released.wait(left)
            self._owner = session_id
            return True

    def unlock(self, session_id: str | None = None) -> None:
        """Release the lock (only if ``session_id`` holds it, when one is given)."""
        with self._released:
            if session_id is None or self._owner == session_id:
                self._owner = None
                self._released.notify_all()

    @property
    def locked_by(self) -> str | None:
        """The session id holding the lock, if any."""
        with self._lock:
            return self._owner
