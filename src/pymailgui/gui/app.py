"""``pymailgui``: the command line, the QApplication, and the one place that shows errors.

    pymailgui [--demo] [--config PATH] [--account NAME] [--screenshots DIR] [-v] [mailto:...]
    pymailgui --install-desktop

Errors: a known :class:`~pymailgui.errors.MailError` becomes a non-modal message box
(a cancel only a status line); anything else is a bug and gets the crash dialog with
the log's path, through ``sys.excepthook`` - the same hook catches exceptions raised in
Qt slots. Windows never show errors themselves; they hand them to
:mod:`pymailgui.gui.report`, which lands here.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    qFormatLogMessage,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication, QImageReader
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from pymailgui import paths
from pymailgui.config import Config
from pymailgui.config.load import load
from pymailgui.errors import (
    AuthenticationError,
    Cancelled,
    ConfigError,
    ConnectionFailed,
    LocalStoreError,
    MailError,
    SendError,
    TLSError,
)
from pymailgui.gui import icons, look, report
from pymailgui.tasks import Level, Notice

log = logging.getLogger(__name__)

_TITLES: list[tuple[type[MailError], str]] = [
    (TLSError, "Secure connection failed"),
    (ConnectionFailed, "Connection failed"),
    (AuthenticationError, "Login refused"),
    (ConfigError, "Settings problem"),
    (LocalStoreError, "Local storage problem"),
    (SendError, "Not sent"),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pymailgui", description="PyMailGUI, the desktop POP3/SMTP mail client."
    )
    parser.add_argument(
        "--demo", action="store_true", help="open the demo account (local servers, sample mail)"
    )
    parser.add_argument("--config", type=Path, help="read this config file instead of the default")
    parser.add_argument("--account", help="open this account (default: the configured default)")
    parser.add_argument(
        "--screenshots",
        type=Path,
        metavar="DIR",
        help="drive the windows through a fixed script on a private demo account, "
        "save a PNG of each in DIR, then exit",
    )
    parser.add_argument(
        "--install-desktop",
        action="store_true",
        help="install the launcher entry (it handles mailto: links) and the icon for this "
        "user, then exit",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debugging details")
    parser.add_argument("mailto", nargs="?", help="a mailto: URL to open in a compose window")
    return parser


def title_for(exc: MailError) -> str:
    return next((t for cls, t in _TITLES if isinstance(exc, cls)), "PyMailGUI")


class Presenter(QObject):
    """Shows what the windows report: the one place errors and notices reach the user."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.boxes: list[QMessageBox] = []
        report.bridge().error.connect(self.show_error)
        report.bridge().notice.connect(self.show_notice)

    def show_error(self, exc: BaseException, window: QWidget | None = None) -> None:
        if isinstance(exc, Cancelled):
            self._status(window, str(exc))
        elif isinstance(exc, MailError):
            self._box(QMessageBox.Icon.Warning, title_for(exc), str(exc), window, "error_box")
        else:
            self.show_crash(exc)

    def show_notice(self, notice: Notice, window: QWidget | None = None) -> None:
        self._status(window, notice.text)
        if notice.level is Level.WARNING:  # a warning must not scroll away unseen
            self._box(QMessageBox.Icon.Information, "PyMailGUI", notice.text, window, "notice_box")

    def show_crash(self, exc: BaseException) -> None:
        where = paths.append_crash_log(exc)
        self._box(
            QMessageBox.Icon.Critical,
            "PyMailGUI ran into a bug",
            f"Something went wrong inside PyMailGUI ({type(exc).__name__}: {exc}). "
            f"Nothing was deleted by this error. Details are in {where}; please include "
            "that file in a bug report.",
            None,
            "crash_box",
            details="".join(traceback.format_exception(exc)),
        )

    def _status(self, window: QWidget | None, text: str) -> bool:
        target = window.window() if window is not None else QApplication.activeWindow()
        if isinstance(target, QMainWindow):
            target.statusBar().showMessage(text, 30_000)
            return True
        return False

    def _box(
        self,
        icon: QMessageBox.Icon,
        title: str,
        text: str,
        window: QWidget | None,
        name: str,
        details: str = "",
    ) -> None:
        parent = window.window() if window is not None and window.isVisible() else None
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Close, parent)
        box.setObjectName(name)
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if details:
            box.setDetailedText(details)
        self.boxes.append(box)
        box.finished.connect(lambda _r, b=box: self.boxes.remove(b) if b in self.boxes else None)
        box.show()


def install_excepthook(presenter: Presenter) -> None:
    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if exc.__traceback__ is None and tb is not None:
            exc = exc.with_traceback(tb)
        if isinstance(exc, KeyboardInterrupt):
            QApplication.quit()
            return
        log.error("uncaught %s", kind.__name__, exc_info=(kind, exc, tb))
        try:
            presenter.show_error(exc, QApplication.activeWindow())
        except Exception:  # the dialog itself failed: at least the log has it
            sys.__excepthook__(kind, exc, tb)

    sys.excepthook = hook


def setup_logging(verbose: bool) -> None:
    from pymailgui.config.secrets import RedactingFilter

    root = logging.getLogger("pymailgui")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    try:
        handler: logging.Handler = logging.FileHandler(
            paths.private_file(paths.logs_dir() / "pymailgui.log"), encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())  # a password never reaches a log file
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.handlers[:] = [handler]


#: Messages the offscreen platform prints for every window it cannot size or raise
#: (dozens per screenshot run): true of that platform, and of no use to anyone.
_PLATFORM_NOISE = (
    "This plugin does not support propagateSizeHints()",
    "This plugin does not support raise()",
)


def quiet_offscreen_noise() -> None:
    """Drop the offscreen platform's "does not support" notes; everything else Qt says
    still reaches stderr, formatted as Qt would. (Not in tests: pytest-qt installs its
    own handler there and turns Qt warnings into failures.)"""

    def handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if message in _PLATFORM_NOISE and QGuiApplication.platformName() == "offscreen":
            return
        sys.stderr.write(qFormatLogMessage(mode, context, message) + "\n")

    qInstallMessageHandler(handler)


def application() -> QApplication:
    """The QApplication, made once with PyMailGUI's look and image limits."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        look.before_application()
        app = QApplication(sys.argv[:1])
    app.setApplicationName("PyMailGUI")
    app.setApplicationDisplayName("PyMailGUI")
    app.setDesktopFileName("pymailgui")
    app.setWindowIcon(icons.application())
    app.setQuitOnLastWindowClosed(False)  # the Desktop decides (quit asks first)
    # A worker thread building a 100,000-row list must hand the GIL back to the GUI
    # thread within a millisecond, not the default 5 (fewer, shorter stalls).
    sys.setswitchinterval(0.001)
    # A hostile image must not make Qt allocate gigabytes (decompression bombs).
    QImageReader.setAllocationLimit(128)
    look.install(app)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.install_desktop:
        from pymailgui.gui import desktopfile

        return desktopfile.main()
    if args.screenshots is not None:
        from pymailgui.gui.screenshots import private_home

        private_home()  # a private demo: nothing of the user's is read or changed
        # The pictures are grabbed from the widgets: no window needs to appear on the
        # user's screen, and a machine without a display can make them too.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    setup_logging(args.verbose)
    quiet_offscreen_noise()
    app = application()
    presenter = Presenter(app)
    install_excepthook(presenter)
    if args.screenshots is not None:
        from pymailgui.gui.screenshots import run_script

        return run_script(args.screenshots.resolve())
    from pymailgui.gui.launcher import Launcher

    launcher = Launcher(args)
    launcher.finished.connect(app.quit)
    if not launcher.start():
        return 2
    code = app.exec()
    launcher.stop()
    return code


def config_for(args: argparse.Namespace) -> Config:
    return load(args.config)


if __name__ == "__main__":
    sys.exit(main())
