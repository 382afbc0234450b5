"""Short CPU jobs (parse a message, build a list) on ``QThreadPool``, results as signals.

Parsing 4,000 messages on the GUI thread froze it for 3.4 s here; in a worker the worst
gap was 36 ms. These jobs need no server session, so they do not queue behind the
account's worker: opening a cached message stays instant while a refresh runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_pending: set[_Carrier] = set()


class _Carrier(QObject):
    done = Signal(object, object)  # result, error

    def __init__(
        self,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None,
        owner: QObject | None,
    ) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self._owner = owner
        self.done.connect(self._deliver)

    def _deliver(self, result: object, error: BaseException | None) -> None:
        _pending.discard(self)
        if self._owner is not None and not shiboken6.isValid(self._owner):
            return  # the window that asked was closed meanwhile
        if error is None:
            self._on_done(result)
        elif self._on_error is not None:
            self._on_error(error)
        else:
            raise error  # the application's excepthook shows it


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], carrier: _Carrier) -> None:
        super().__init__()
        self.fn = fn
        self.carrier = carrier

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:
            self.carrier.done.emit(None, exc)
        else:
            self.carrier.done.emit(result, None)


def run(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None] | None = None,
    *,
    owner: QObject | None = None,
) -> None:
    """Run ``fn()`` in the pool; ``on_done(result)`` or ``on_error(exc)`` in the GUI thread
    - unless ``owner`` (the widget that asked) was deleted meanwhile."""
    carrier = _Carrier(on_done, on_error, owner)
    _pending.add(carrier)
    QThreadPool.globalInstance().start(_Job(fn, carrier))


def wait_all(msecs: int = 30_000) -> bool:
    """Wait for every pool job (at exit, so none writes into a closed cache)."""
    return bool(QThreadPool.globalInstance().waitForDone(msecs))
