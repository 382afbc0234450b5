"""``pymailgui``, the desktop client: the only package that imports Qt (PySide6).

Windows and dialogs, one module each, over the same core verbs as the console client.
Server work runs in one worker thread per account (``worker.py``), short CPU work in
the thread pool (``pool.py``); widgets live on the GUI thread only.
"""

from __future__ import annotations

import ctypes
import sys


def _pin_true() -> None:
    """Keep PySide6 from deallocating ``True`` (and aborting the interpreter).

    Measured with PySide6 6.12.0 on CPython 3.11: ``SignalInstance.emit()`` returns
    ``True`` without taking a reference, so every emit from Python drops one reference
    to ``True``; after a few thousand emits CPython aborts with "bool_dealloc:
    deallocating True or False". CPython 3.12 made ``True`` immortal, which is what this
    does too: a reference count no session can use up. Harmless where the bug is gone.
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    ctypes.c_ssize_t.from_address(id(True)).value += 1 << 48


_pin_true()
