"""The raw source of a message, exactly as the server sent it (Ctrl+U)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFileDialog, QMainWindow, QPlainTextEdit, QWidget

from pymailgui.errors import LocalStoreError
from pymailgui.gui import commands, report, settings
from pymailgui.message.parts import write_new_file

#: A larger source is shown cut here (QPlainTextEdit slows down beyond a few MB);
#: "Save As" always writes all of it.
MAX_SHOWN_BYTES = 4 * 1024 * 1024


def source_text(raw: bytes) -> str:
    shown = raw[:MAX_SHOWN_BYTES]
    # Headers and 8-bit bodies in unknown charsets: show bytes, never fail on them.
    text = shown.decode("utf-8", "replace").replace("\r\n", "\n").replace("\x00", "\ufffd")
    if len(raw) > MAX_SHOWN_BYTES:
        text += f"\n\n[… the first {MAX_SHOWN_BYTES:,} of {len(raw):,} bytes are shown; "
        text += "Save As writes the whole message.]\n"
    return text


class SourceWindow(QMainWindow):
    def __init__(self, raw: bytes, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("source_window")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"Source: {title}")
        self.raw = raw
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("source_text")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(source_text(raw))
        self.setCentralWidget(self.text)
        menu = self.menuBar().addMenu("&File")
        save = commands.action(self, "save", self.save_as)
        save.setText("Save &As…")
        menu.addAction(save)
        menu.addAction(commands.action(self, "close", self.close))
        self.resize(780, 600)
        settings.restore_geometry("source", self)
        self.dialog: QFileDialog | None = None

    def save_as(self) -> None:
        dialog = QFileDialog(self, "Save the message as")
        dialog.setObjectName("save_source_dialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setNameFilter("Messages (*.eml)")
        dialog.setDefaultSuffix("eml")
        dialog.selectFile("message.eml")
        dialog.fileSelected.connect(self._write)
        dialog.setModal(False)
        self.dialog = dialog
        dialog.show()

    def _write(self, chosen: str) -> None:
        target = Path(chosen)
        try:
            written = write_new_file(target.parent, target.name, self.raw)
        except LocalStoreError as exc:
            report.error(exc, self)
            return
        self.statusBar().showMessage(f"Saved {written}.", 8000)

    def closeEvent(self, event: object) -> None:
        settings.save_geometry("source", self)
        super().closeEvent(event)  # type: ignore[arg-type]
