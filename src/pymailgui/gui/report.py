"""The one channel every window uses to tell the user something.

Windows never build error boxes themselves: they hand an error or a notice to
:func:`error` or :func:`notice`, and ``gui/app.py`` (the one place that shows them)
decides how - a status line for a cancel, a non-modal box for a known
``MailError``, the crash dialog for a bug. Like qutebrowser's ``message`` bridge, the
signals carry the window the message belongs to.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from pymailgui.tasks import Notice


class Bridge(QObject):
    #: (the error, the window it belongs to or None)
    error = Signal(object, object)
    #: (a Notice, the window it belongs to or None)
    notice = Signal(object, object)


@cache
def bridge() -> Bridge:
    return Bridge()


def error(exc: BaseException, window: QWidget | None = None) -> None:
    bridge().error.emit(exc, window)


def notice(item: Notice | str, window: QWidget | None = None) -> None:
    bridge().notice.emit(item if isinstance(item, Notice) else Notice(item), window)
