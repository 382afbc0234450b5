"""A latency-injecting TCP proxy on loopback: a slow link between a client and a server.

Every chunk read in either direction is forwarded ``delay`` seconds after it arrived, so
``delay=0.025`` gives a 50 ms round trip. Chunks are *not* serialized behind each other's
delay: a burst of pipelined commands crosses the link in one delay, as on a real network
where latency and bandwidth are separate. (The TCP handshake itself is not delayed, which
understates the cost of each new connection for every client alike.)

Bounded everywhere: at most ``max_in_flight`` bytes are queued per direction (the reader
then waits, which is TCP back-pressure), every socket has a timeout, and the proxy stops
itself after ``lifetime`` seconds even if nobody calls :meth:`LatencyProxy.stop`.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
from collections import deque

from pymailgui.devserver.running import Running

_CHUNK = 65536
_JOIN_TIMEOUT = 5.0


class _DelayLine:
    """A byte-bounded FIFO of (due time, chunk); ``b""`` marks end of stream."""

    def __init__(self, limit: int) -> None:
        self._items: deque[tuple[float, bytes]] = deque()
        self._bytes = 0
        self._limit = limit
        self._cond = threading.Condition()
        self._closed = False

    def put(self, due: float, chunk: bytes) -> bool:
        with self._cond:
            while not self._closed and self._bytes >= self._limit:
                self._cond.wait(0.5)
            if self._closed:
                return False
            self._items.append((due, chunk))
            self._bytes += len(chunk)
            self._cond.notify_all()
            return True

    def get(self) -> tuple[float, bytes] | None:
        with self._cond:
            while not self._items and not self._closed:
                self._cond.wait(0.5)
            if not self._items:
                return None
            due, chunk = self._items.popleft()
            self._bytes -= len(chunk)
            self._cond.notify_all()
            return due, chunk

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._items.clear()
            self._cond.notify_all()


class _Link:
    """One proxied connection: two directions, each a reader and a delayed writer."""

    def __init__(self, client: socket.socket, upstream: socket.socket, proxy: LatencyProxy):
        self.socks = (client, upstream)
        self.proxy = proxy
        self.lines = (_DelayLine(proxy.max_in_flight), _DelayLine(proxy.max_in_flight))
        self.threads: list[threading.Thread] = []
        self._done = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        client, upstream = self.socks
        for name, src, dst, line in (
            ("up", client, upstream, self.lines[0]),
            ("down", upstream, client, self.lines[1]),
        ):
            for role, target in (("read", self._reader), ("write", self._writer)):
                args = (src, line) if role == "read" else (dst, line)
                thread = threading.Thread(
                    target=target, args=args, name=f"proxy-{name}-{role}", daemon=True
                )
                self.threads.append(thread)
        for thread in self.threads:
            thread.start()

    def _reader(self, src: socket.socket, line: _DelayLine) -> None:
        try:
            while not self.proxy.stopped:
                try:
                    chunk = src.recv(_CHUNK)
                except TimeoutError:
                    continue
                due = time.monotonic() + self.proxy.delay
                if not line.put(due, chunk) or not chunk:
                    return
        except OSError:
            line.put(time.monotonic() + self.proxy.delay, b"")

    def _writer(self, dst: socket.socket, line: _DelayLine) -> None:
        try:
            while (item := line.get()) is not None:
                due, chunk = item
                wait = due - time.monotonic()
                if wait > 0 and self.proxy.wait_stopped(wait):
                    return
                if not chunk:  # the sender half-closed: pass the EOF on
                    with contextlib.suppress(OSError):
                        dst.shutdown(socket.SHUT_WR)
                    return
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            self._direction_done()

    def _direction_done(self) -> None:
        with self._lock:
            self._done += 1
            finished = self._done == 2
        if finished:
            self.close()

    def close(self) -> None:
        for line in self.lines:
            line.close()
        for sock in self.socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


class LatencyProxy(Running):
    """Forward 127.0.0.1:<port> to ``upstream`` with ``delay`` seconds each way.

    Use as a context manager or call :meth:`start` / :meth:`stop`. ``port`` is known
    after :meth:`start`.
    """

    def __init__(
        self,
        upstream: tuple[str, int],
        delay: float,
        *,
        host: str = "127.0.0.1",
        lifetime: float = 600.0,
        max_in_flight: int = 4 * 1024 * 1024,
        timeout: float = 30.0,
    ) -> None:
        if delay < 0 or lifetime <= 0 or timeout <= 0 or max_in_flight <= 0:
            raise ValueError("delay must be >= 0; lifetime, timeout and max_in_flight > 0")
        self.upstream = upstream
        self.delay = delay
        self.lifetime = lifetime
        self.max_in_flight = max_in_flight
        self.timeout = timeout
        self._host = host
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._links: list[_Link] = []
        self._lock = threading.Lock()
        self.port = 0
        #: Connections accepted so far.
        self.connections = 0

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def wait_stopped(self, seconds: float) -> bool:
        return self._stop.wait(seconds)

    def start(self) -> tuple[str, int]:
        listener = socket.socket(socket.AF_INET6 if ":" in self._host else socket.AF_INET)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self._host, 0))
        listener.listen(32)
        listener.setblocking(False)
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._acceptor = threading.Thread(
            target=self._accept_loop, name="proxy-accept", daemon=True
        )
        self._acceptor.start()
        return self._host, self.port

    def _accept_loop(self) -> None:
        assert self._listener is not None
        deadline = time.monotonic() + self.lifetime
        with selectors.DefaultSelector() as sel:
            sel.register(self._listener, selectors.EVENT_READ)
            while not self._stop.is_set():
                if time.monotonic() > deadline:  # bounded: the proxy stops itself
                    self._stop.set()
                    break
                if sel.select(0.2):
                    self._accept_one()
        self._close_all()

    def _accept_one(self) -> None:
        assert self._listener is not None
        try:
            client, _ = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        try:
            upstream = socket.create_connection(self.upstream, timeout=self.timeout)
        except OSError:
            client.close()
            return
        for sock in (client, upstream):
            sock.settimeout(self.timeout)
            # Nagle would add its own delays on top of ours and blur the figures.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        link = _Link(client, upstream, self)
        with self._lock:
            self._links = [lk for lk in self._links if any(t.is_alive() for t in lk.threads)]
            self._links.append(link)
            self.connections += 1
        link.start()

    def _close_all(self) -> None:
        with self._lock:
            links, self._links = self._links, []
        for link in links:
            link.close()
        for link in links:
            for thread in link.threads:
                thread.join(_JOIN_TIMEOUT)
        if self._listener is not None:
            self._listener.close()

    def stop(self) -> None:
        """Stop accepting, close every connection and join every thread."""
        self._stop.set()
        if self._acceptor is not None:
            self._acceptor.join(_JOIN_TIMEOUT + 1.0)
            self._acceptor = None
