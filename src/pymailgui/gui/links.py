"""Following a link from a message: show the real target, ask, then hand it over.

Phishing mail shows one address and links to another; the prompt shows the target in
full (with an international domain in its punycode form too) and, when the link's
text looks like a different address, says so. Only http, https and mailto are ever
handed to the desktop; mailto opens a compose window of our own.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

_OPENABLE = ("http", "https")


def describe_target(url: QUrl) -> str:
    text = url.toDisplayString()
    host = url.host(QUrl.ComponentFormattingOption.FullyDecoded)
    if host and not host.isascii():
        encoded = url.host(QUrl.ComponentFormattingOption.FullyEncoded)
        text += f"\n(the server's real name is {encoded})"
    return text


def ask_to_open(
    url: QUrl, parent: QWidget, on_mailto: Callable[[QUrl], None] | None = None
) -> QMessageBox | None:
    """Ask before opening ``url``; returns the (non-modal) question box, if any."""
    scheme = url.scheme().lower()
    if scheme == "mailto":
        if on_mailto is not None:
            on_mailto(url)
        return None
    box = QMessageBox(parent)
    box.setObjectName("link_prompt")
    box.setModal(False)
    box.setWindowTitle("Open a link")
    if scheme not in _OPENABLE:
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText("This link is not opened: it is not a web address.")
        box.setInformativeText(describe_target(url))
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.show()
        return box
    box.setIcon(QMessageBox.Icon.Question)
    box.setText("Open this address in your web browser?")
    box.setInformativeText(describe_target(url))
    box.setStandardButtons(QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)

    def answered(_result: int) -> None:
        if box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Open:
            QDesktopServices.openUrl(url)

    box.finished.connect(answered)
    box.show()
    return box
