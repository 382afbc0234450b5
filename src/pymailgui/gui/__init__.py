"""``pymailgui``, the desktop client: the only package that imports Qt (PySide6).

Windows and dialogs, one module each, over the same core verbs as the console client.
Server work runs in one worker thread per account (``worker.py``), short CPU work in
the thread pool (``pool.py``); widgets live on the GUI thread only.
"""

from __future__ import annotations

import ctypes
import sys


def _pin_singletons() -> None:
    """Keep PySide6 from deallocating ``None`` and ``True`` (and aborting the interpreter).

    Measured with PySide6 6.12.0 on CPython 3.11: every wrapped C++ method that returns
    void (``update()``, ``setText()``, ``processEvents()``...) hands back ``None``
    without a new reference, and ``SignalInstance.emit()`` does the same with ``True``:
    each call drops one reference. After some thousands of calls CPython aborts with
    "none_dealloc: deallocating None" or "bool_dealloc: deallocating True". CPython 3.12
    made these objects immortal; this does the same here, with a reference count no
    session can use up (2**48). Harmless where the bug is gone.
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 48


_pin_singletons()
