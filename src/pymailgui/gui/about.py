"""The About box: what this is, and the versions a bug report needs."""

from __future__ import annotations

import platform
from importlib import metadata

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from pymailgui.gui import icons


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> list[tuple[str, str]]:
    return [
        ("PyMailGUI", _version("pymailgui")),
        ("Python", platform.python_version()),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("nh3", _version("nh3")),
        (
            "Platform",
            f"{platform.system()} {platform.release()} ({QGuiApplication.platformName()})",
        ),
    ]


def about_text() -> str:
    rows = "".join(f"<tr><td>{name}</td><td><b>{value}</b></td></tr>" for name, value in versions())
    return (
        "<p>A desktop and console POP3/SMTP mail client that never shows or deletes "
        "the wrong message.</p>"
        f"<table cellspacing='0' cellpadding='2'>{rows}</table>"
        "<p>MIT license. Inspired by the classic PyMailGUI of <i>Programming Python</i>.</p>"
    )


class AboutBox(QMessageBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_box")
        self.setModal(False)
        self.setWindowTitle("About PyMailGUI")
        self.setIconPixmap(icons.application().pixmap(64, 64))
        self.setText(f"<h2>PyMailGUI {_version('pymailgui')}</h2>")
        self.setInformativeText(about_text())
        self.setStandardButtons(QMessageBox.StandardButton.Close)
