"""Start-up: the demo, the config file, or - on a first start - setting one up.

``pymailgui --demo`` starts the project's demo servers on 127.0.0.1 (sample mail, an
SMTP receiver that delivers into the demo inbox) and opens that account. Without an
account configured, a first start offers the settings dialog (where the account is
typed, tested and saved, and then opens) or the demo, instead of failing.
"""

from __future__ import annotations

import argparse

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from pymailgui import paths
from pymailgui.config import Config
from pymailgui.config.load import load
from pymailgui.demo import Demo, start_demo
from pymailgui.errors import MailError
from pymailgui.gui import report
from pymailgui.gui.session import Desktop


class Launcher(QObject):
    #: Nothing is open any more: the application may quit.
    finished = Signal()

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__()
        self.args = args
        self.demo: Demo | None = None
        self.desktop: Desktop | None = None
        self.welcome: QMessageBox | None = None
        self.setup_button: QPushButton | None = None

    def start(self) -> bool:
        """Open the first window; False when there is nothing to run at all."""
        if self.args.demo:
            return self.start_demo()
        try:
            config = load(self.args.config)
        except MailError as exc:
            report.error(exc, None)
            # The error box is the only window: quit once the user has read it.
            QTimer.singleShot(0, self._quit_after_boxes)
            return True
        if not config.accounts:
            self._offer_demo()
            return True
        return self._open(config, None)

    def start_demo(self) -> bool:
        try:
            self.demo = start_demo()
        except (MailError, OSError) as exc:
            report.error(
                exc
                if isinstance(exc, MailError)
                else MailError(f"The demo servers could not start: {exc}."),
                None,
            )
            QTimer.singleShot(0, self._quit_after_boxes)
            return True
        return self._open(self.demo.config, self.demo)

    def _open(self, config: Config, demo: Demo | None) -> bool:
        self.desktop = Desktop(config, demo=demo)
        self.desktop.finished.connect(self.finished)
        if self.desktop.open_account(self.args.account) is None:
            QTimer.singleShot(0, self._quit_after_boxes)
            return True
        if self.args.mailto:
            self.desktop.compose_mailto(self.args.mailto)
        return True

    def _offer_demo(self) -> None:
        """The first start: set up an account (the settings dialog), or try the demo."""
        box = QMessageBox(
            QMessageBox.Icon.Information, "Welcome to PyMailGUI", "No mail account is set up yet."
        )
        box.setObjectName("welcome_box")
        box.setModal(False)
        box.setInformativeText(
            "Set up your account: type your address and PyMailGUI fills in the servers of "
            "common providers, then tests the connection. Or try PyMailGUI right away with "
            "the demo account: its servers run on this computer only and hold sample mail "
            "(an HTML newsletter, attachments, international text). Your settings will be "
            f"kept in {self.args.config or paths.config_file()}."
        )
        self.setup_button = box.addButton("Set Up an Account…", QMessageBox.ButtonRole.AcceptRole)
        self.setup_button.setObjectName("welcome_setup")
        self.demo_button = box.addButton("Open the Demo", QMessageBox.ButtonRole.ActionRole)
        self.demo_button.setObjectName("welcome_demo")
        quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
        quit_button.setObjectName("welcome_quit")
        box.setDefaultButton(self.setup_button)

        def answered(_result: int) -> None:
            chosen = box.clickedButton()
            self.welcome = None
            box.deleteLater()
            if chosen is self.demo_button:
                self.start_demo()
            elif chosen is self.setup_button:
                self.set_up()
            else:
                self.finished.emit()

        box.finished.connect(answered)
        self.welcome = box
        box.show()

    def set_up(self) -> None:
        """The settings dialog on an empty config; the account opens once it is saved."""
        if self.desktop is None:
            self.desktop = Desktop(Config(), fixed_password=None)
            self.desktop.config_path = self.args.config
            self.desktop.finished.connect(self.finished)
        dialog = self.desktop.show_accounts()

        def closed(_obj: object = None) -> None:
            if self.desktop is not None and not self.desktop.inboxes:
                self._offer_demo()  # nothing was set up: the choice again

        dialog.destroyed.connect(closed)

    def _quit_after_boxes(self) -> None:
        visible = [w for w in _top_level_boxes() if w.isVisible()]
        if not visible:
            self.finished.emit()
            return
        for box in visible:
            box.finished.connect(lambda _r: QTimer.singleShot(0, self._quit_after_boxes))

    def stop(self) -> None:
        if self.desktop is not None:
            self.desktop.close_now()
        if self.demo is not None:
            self.demo.stop()
            self.demo = None


def _top_level_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
