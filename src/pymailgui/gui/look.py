"""The look: native style, the desktop's light or dark scheme followed live, high DPI.

Qt 6 scales for high-DPI screens by itself; the rounding policy is set to pass the
real factor through (1.25, 1.5), so text is not blurred or oversized on fractional
scaling. Platform themes that follow the desktop (GNOME and KDE through the portal,
Windows, macOS) switch the palette themselves when the user switches to dark; where the
platform gives no dark palette (plain X11, offscreen), a dark Fusion palette is set
here when the desktop asks for dark, and the native palette comes back for light.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory


class _State:
    dark_installed = False
    native_style = ""


_state = _State()


def before_application() -> None:
    """Settings that must be made before the QApplication exists."""
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )


def dark_palette() -> QPalette:
    p = QPalette()
    roles = QPalette.ColorRole
    window, base, text = QColor("#2b2d30"), QColor("#1e1f22"), QColor("#e6e6e6")
    for role, color in {
        roles.Window: window,
        roles.WindowText: text,
        roles.Base: base,
        roles.AlternateBase: QColor("#26282b"),
        roles.ToolTipBase: QColor("#3c3f41"),
        roles.ToolTipText: text,
        roles.PlaceholderText: QColor("#9a9a9a"),
        roles.Text: text,
        roles.Button: QColor("#3c3f41"),
        roles.ButtonText: text,
        roles.BrightText: QColor("#ff6b6b"),
        roles.Highlight: QColor("#2f65ca"),
        roles.HighlightedText: QColor("#ffffff"),
        roles.Link: QColor("#8ab4f8"),
        roles.LinkVisited: QColor("#c58af9"),
        roles.Light: QColor("#4a4d50"),
        roles.Midlight: QColor("#3f4245"),
        roles.Mid: QColor("#313335"),
        roles.Dark: QColor("#1b1c1e"),
        roles.Shadow: QColor("#000000"),
    }.items():
        p.setColor(role, color)
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(disabled, role, QColor("#7a7a7a"))
    return p


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def apply(app: QApplication, scheme: Qt.ColorScheme) -> None:
    """Follow ``scheme`` unless the platform theme already did."""
    if scheme == Qt.ColorScheme.Dark:
        if not is_dark(app.palette()):
            _state.dark_installed = True
            app.setStyle(QStyleFactory.create("Fusion"))  # the native style ignores palettes
            app.setPalette(dark_palette())
    elif _state.dark_installed:
        _state.dark_installed = False
        native = QStyleFactory.create(_state.native_style) if _state.native_style else None
        if native is not None:
            app.setStyle(native)
        app.setPalette(app.style().standardPalette())


def set_scheme(app: QApplication, scheme: Qt.ColorScheme) -> None:
    """Ask for ``scheme`` as the desktop would (the screenshot script's dark pictures).

    Platforms whose theme cannot switch (offscreen, plain X11) ignore the request; the
    palette is then applied the way a desktop switch would apply it.
    """
    hints = app.styleHints()
    hints.setColorScheme(scheme)
    if hints.colorScheme() != scheme:
        apply(app, scheme)


def install(app: QApplication) -> None:
    """Follow the desktop's colour scheme from now on (and apply the current one)."""
    _state.native_style = app.style().name()
    hints = app.styleHints()
    hints.colorSchemeChanged.connect(lambda scheme: apply(app, scheme))
    apply(app, hints.colorScheme())
