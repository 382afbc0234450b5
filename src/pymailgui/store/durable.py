"""Durable file writes: a crash or power cut never leaves a half-written message.

Maildir delivery (https://cr.yp.to/proto/maildir.html): create a unique file in tmp/,
write it, fsync it, then rename it into new/ or cur/, and fsync that directory so the
rename itself survives a power cut. Only then may a caller tell the POP server DELE
(POP-NOTES: "Send DELE only after a message is stored durably"). CPython's
``mailbox.Maildir.add`` fsyncs neither the file nor the directory, hence this module.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from pymailgui.errors import LocalStoreError

FILE_MODE = 0o600  # mail is private
DIR_MODE = 0o700

_counter = itertools.count()
_counter_lock = threading.Lock()


def _hostname() -> str:
    # The Maildir spec escapes "/" and ":" in the host part: ":" starts the info suffix.
    host = socket.gethostname() or "localhost"
    return host.replace("/", r"\057").replace(":", r"\072")


def unique_name() -> str:
    """A Maildir unique name: time, microseconds, pid, a counter and 64 random bits.

    The random part keeps names unique across processes sharing a pid namespace (forked
    workers, containers) without relying on the clock. Microseconds are zero-padded so
    that names from one process sort in creation order (the listing's last tie-break).
    """
    with _counter_lock:
        n = next(_counter)
    now = time.time()
    sec = int(now)
    usec = int((now - sec) * 1_000_000)
    return f"{sec}.M{usec:06d}P{os.getpid()}Q{n}R{secrets.token_hex(8)}.{_hostname()}"


# unique_name()'s shape: the writer's pid and host say whether it can still be writing.
_UNIQUE = re.compile(r"\d+\.M\d+P(?P<pid>\d+)Q\d+R[0-9a-f]+\.(?P<host>.+)")
#: The Maildir spec's rule for tmp/: a file not touched for 36 hours is debris.
TMP_MAX_AGE = 36 * 3600.0


def _gone(pid: int) -> bool:
    """Whether no process ``pid`` runs on this host (a reused pid only keeps a file)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists (another user's) or we cannot tell: keep the file
    return False


def is_debris(name: str, mtime: float, *, now: float | None = None) -> bool:
    """Whether a file in a tmp/ directory was left by a writer that cannot finish it.

    Its writer on this host is gone (killed midway: nothing will rename it), or it is
    older than :data:`TMP_MAX_AGE` (the Maildir rule, for writers elsewhere).
    """
    if (now if now is not None else time.time()) - mtime > TMP_MAX_AGE:
        return True
    match = _UNIQUE.fullmatch(name)
    if match is None:
        return False
    return match["host"] == _hostname() and _gone(int(match["pid"]))


def _sweep(directory: Path, writer_name: Callable[[str], str | None]) -> list[str]:
    """Remove the files of ``directory`` whose ``writer_name`` is :func:`is_debris`."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        name = writer_name(entry.name)
        if name is None:
            continue
        try:
            if entry.is_file(follow_symlinks=False) and is_debris(
                name, entry.stat(follow_symlinks=False).st_mtime
            ):
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:
            continue  # renamed or removed by its writer meanwhile
    return removed


def sweep_debris(tmp_dir: Path) -> list[str]:
    """Remove the :func:`is_debris` files of a Maildir's ``tmp_dir``; return their names."""
    return _sweep(tmp_dir, lambda name: name)


def aside_name(target: Path) -> str:
    """The hidden name a file for ``target`` is written under before its rename."""
    return f".{target.name}.{unique_name()}.tmp"


def sweep_aside(target: Path) -> list[str]:
    """Remove files :func:`aside_name` gave for ``target`` whose writer is gone.

    Only names of exactly that shape: this runs in a directory the user chose.
    """
    prefix = f".{target.name}."

    def writer_name(name: str) -> str | None:
        inner = name.removeprefix(prefix).removesuffix(".tmp")
        shaped = name.startswith(prefix) and name.endswith(".tmp")
        return inner if shaped and _UNIQUE.fullmatch(inner) else None

    return _sweep(target.parent, writer_name)


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink in ``path`` durable (POSIX: fsync the directory)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class TmpFile:
    """A file being written in a tmp directory; :meth:`commit` fsyncs and renames it.

    Use it as a context manager: leaving the block without committing (an exception,
    a full disk) removes the partial file, so tmp/ never keeps debris.
    """

    def __init__(self, tmp_dir: Path, name: str | None = None) -> None:
        self.name = name or unique_name()
        self.path = tmp_dir / self.name
        self.size = 0
        self._committed = False
        try:
            # O_EXCL: never reuse or truncate someone else's file (Maildir rule).
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except OSError as exc:
            raise LocalStoreError(
                f"Cannot create a file in {tmp_dir}: {exc.strerror or exc}."
            ) from exc
        self._file = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        try:
            self._file.write(data)
        except OSError as exc:
            raise LocalStoreError(f"Cannot write {self.path}: {exc.strerror or exc}.") from exc
        self.size += len(data)

    def set_mtime(self, when: float) -> None:
        """Set the modification time (Maildir readers use it as the delivery date)."""
        self._file.flush()
        os.utime(self._file.fileno(), (when, when))

    def commit(self, target: Path, *, replace: bool = True) -> os.stat_result:
        """Flush, fsync, rename to ``target`` and fsync its directory.

        With ``replace=False`` an existing ``target`` is never overwritten: the file is
        hard-linked (which fails atomically when the name exists) and then unlinked.
        Returns the file's final status (size, mtime).
        """
        status = self.sync()
        self.publish(target, replace=replace)
        return status

    def sync(self) -> os.stat_result:
        """Flush and fsync the file (still invisible in tmp/); return its status.

        Split from :meth:`publish` so a caller can record what the file is (its
        provenance) after the bytes are safe and before the file becomes visible.
        """
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            status = os.fstat(self._file.fileno())
            self._file.close()
        except OSError as exc:
            raise LocalStoreError(f"Cannot store {self.path}: {exc.strerror or exc}.") from exc
        return status

    def publish(self, target: Path, *, replace: bool = True) -> None:
        """Rename the synced file to ``target`` (see :meth:`commit`), fsync its directory."""
        try:
            if replace:
                os.replace(self.path, target)
            else:
                _link_no_replace(self.path, target)
            fsync_dir(target.parent)
        except FileExistsError as exc:
            raise LocalStoreError(f"{target} already exists; nothing was overwritten.") from exc
        except OSError as exc:
            raise LocalStoreError(f"Cannot store {target}: {exc.strerror or exc}.") from exc
        self._committed = True

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        if not self._committed:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass

    def __enter__(self) -> TmpFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.discard()


def _link_no_replace(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        # File systems without hard links (FAT, some network mounts): check, then rename.
        # Not atomic against a concurrent writer, but never overwrites a file seen first.
        if target.exists():
            raise FileExistsError(target) from None
        os.rename(source, target)
        return
    source.unlink()
