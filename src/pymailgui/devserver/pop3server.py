"""The project's scripted POP3 server: honest by default, faulty on request.

Used by the fault and hostile-case tests of the POP client, by the model-based tests
(the test acts as "another client" on the :class:`Maildrop`) and by ``pymail --demo``.
One thread per connection; :meth:`ScriptedPOP3Server.stop` closes every socket and joins
every thread.
"""

from __future__ import annotations

import logging
import selectors
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.maildrop import Maildrop
from pymailgui.devserver.pop3log import SessionLog
from pymailgui.devserver.pop3session import POP3Session
from pymailgui.devserver.running import Running

log = logging.getLogger(__name__)

_JOIN_TIMEOUT = 10.0


class ScriptedPOP3Server(Running):
    """A POP3 server on loopback for tests and the demo.

    ``users`` maps a user name to (password, maildrop). ``behavior`` may be replaced at
    any time; each session uses the behavior current when it was accepted.
    """

    def __init__(
        self,
        users: Mapping[str, tuple[str, Maildrop]] | None = None,
        behavior: ServerBehavior | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.users: dict[str, tuple[str, Maildrop]] = dict(users or {})
        self.behavior = behavior or ServerBehavior()
        self._bind = (host, port)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._waker: tuple[socket.socket, socket.socket] | None = None
        self._acceptor: threading.Thread | None = None
        self._active: dict[int, tuple[POP3Session, threading.Thread]] = {}
        self._threads: list[threading.Thread] = []
        self._idle = threading.Condition(self._lock)
        self.address: tuple[str, int] | None = None
        #: Every session so far, in connection order.
        self.sessions: list[SessionLog] = []
        #: Uids removed by a QUIT of one of our sessions, in order (all users).
        self.deleted_log: list[str] = []

    # -- configuration -----------------------------------------------------------------

    def add_user(self, name: str, password: str, maildrop: Maildrop | None = None) -> Maildrop:
        """Add (or replace) a user and return its maildrop."""
        drop = maildrop if maildrop is not None else Maildrop()
        self.users[name] = (password, drop)
        return drop

    def maildrop(self, name: str) -> Maildrop:
        """The maildrop of user ``name``."""
        return self.users[name][1]

    def set_behavior(self, **changes: Any) -> ServerBehavior:
        """Change some knobs for the sessions that start from now on."""
        self.behavior = replace(self.behavior, **changes)
        return self.behavior

    # -- what happened -----------------------------------------------------------------

    @property
    def transcript(self) -> list[list[tuple[int, str]]]:
        """Per session: (read batch, command) in the order received, secrets redacted."""
        with self._lock:
            return [list(zip(s.batches, s.commands, strict=True)) for s in self.sessions]

    @property
    def session_count(self) -> int:
        with self._lock:
            return len(self.sessions)

    @property
    def quit_count(self) -> int:
        """Sessions that received QUIT (whatever the answer)."""
        with self._lock:
            return sum(1 for s in self.sessions if s.quit_received)

    @property
    def other_client_deletes(self) -> list[str]:
        """Uids removed by "another client" (:meth:`Maildrop.delete`), all users."""
        return [uid for _, drop in self.users.values() for uid in drop.other_client_deletes]

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no session is running (the server saw every disconnect)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._active:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    # -- life cycle --------------------------------------------------------------------

    @property
    def host(self) -> str:
        return self._require_address()[0]

    @property
    def port(self) -> int:
        return self._require_address()[1]

    def _require_address(self) -> tuple[str, int]:
        if self.address is None:
            raise RuntimeError("the server is not started")
        return self.address

    def start(self) -> tuple[str, int]:
        """Listen (127.0.0.1, a free port by default) and return (host, port)."""
        if self._listener is not None:
            return self._require_address()
        host, port = self._bind
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((host, port))
            listener.listen(64)
            listener.setblocking(False)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self._waker = socket.socketpair()
        self._stop.clear()
        bound = listener.getsockname()
        self.address = (bound[0], bound[1])
        self._acceptor = threading.Thread(target=self._accept_loop, name="pop3-accept", daemon=True)
        self._acceptor.start()
        return self.address

    def stop(self) -> None:
        """Stop accepting, end every session (no commit) and join every thread."""
        if self._listener is None:
            return
        self._stop.set()
        assert self._waker is not None
        self._waker[1].send(b"x")
        if self._acceptor is not None:
            self._acceptor.join(_JOIN_TIMEOUT)
        with self._lock:
            running = [session for session, _ in self._active.values()]
            threads, self._threads = self._threads, []
        for session in running:
            session.abort()
        for thread in threads:
            thread.join(_JOIN_TIMEOUT)
        self._listener.close()
        for s in self._waker:
            s.close()
        self._listener = self._waker = self._acceptor = None
        self.address = None

    def _accept_loop(self) -> None:
        assert self._listener is not None and self._waker is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self._listener, selectors.EVENT_READ)
            sel.register(self._waker[0], selectors.EVENT_READ)
            while not self._stop.is_set():
                for key, _ in sel.select():
                    if key.fileobj is self._listener and not self._stop.is_set():
                        self._accept_one()

    def _accept_one(self) -> None:
        assert self._listener is not None
        try:
            conn, peer = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            log.exception("accept failed")
            return
        conn.setblocking(True)
        # Answers are written one by one; without this, a burst of pipelined answers
        # waits for the client's delayed ACK (Nagle), which real servers avoid.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            record = SessionLog(number=len(self.sessions) + 1, peer=(peer[0], peer[1]))
            self.sessions.append(record)
            session = POP3Session(self, conn, record, self.behavior, self._stop)
            thread = threading.Thread(
                target=session.run, name=f"pop3-session-{record.number}", daemon=True
            )
            self._active[record.number] = (session, thread)
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    # -- called by sessions ------------------------------------------------------------

    def _committed(self, uids: list[str]) -> None:
        with self._lock:
            self.deleted_log.extend(uids)

    def _session_ended(self, session: POP3Session) -> None:
        with self._idle:
            self._active.pop(session.log.number, None)
            self._idle.notify_all()
