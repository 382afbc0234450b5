"""``pymailgui``, the desktop client: the only package that imports Qt (PySide6).

Windows and dialogs, one module each, over the same core verbs as the console client.
Server work runs in one worker thread per account (``worker.py``), short CPU work in
the thread pool (``pool.py``); widgets live on the GUI thread only.

PySide6 6.12.0 is excluded in pyproject.toml: on CPython 3.11 every void Qt call and
every ``Signal.emit()`` drops a reference to ``None``/``True`` and the interpreter aborts
after a few thousand ("bool_dealloc"); 6.10 and 6.11 do not (measured here).
"""
