"""Window geometry, column widths and such: one INI file from ``pymailgui.paths``.

Not Qt's default location (``~/.config/<org>/<app>.conf``): every piece of state lives
under the one base directory, so ``PYMAILGUI_HOME`` isolates a test or a second
profile completely.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QWidget

from pymailgui import paths


@cache
def _settings(path: str) -> QSettings:
    # Created 0600 first: QSettings saves through a temporary file that keeps the mode
    # of the file it replaces (the window sizes are harmless, the recent folders not).
    paths.private_file(Path(path))
    return QSettings(path, QSettings.Format.IniFormat)


def settings() -> QSettings:
    return _settings(str(paths.gui_settings_file()))


def save_bytes(key: str, value: QByteArray) -> None:
    settings().setValue(key, value)


def load_bytes(key: str) -> QByteArray:
    value = settings().value(key)
    return value if isinstance(value, QByteArray) else QByteArray()


def save_geometry(key: str, widget: QWidget) -> None:
    save_bytes(f"{key}/geometry", widget.saveGeometry())
    settings().sync()


def restore_geometry(key: str, widget: QWidget) -> bool:
    state = load_bytes(f"{key}/geometry")
    return not state.isEmpty() and widget.restoreGeometry(state)


def sync() -> None:
    settings().sync()
