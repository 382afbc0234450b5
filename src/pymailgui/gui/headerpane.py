"""The headers of a view window: real addresses always visible, doubtful senders flagged."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from pymailgui.gui.bars import MessageBar
from pymailgui.gui.listmodel import format_date
from pymailgui.gui.lookalike import KnownSenders, warnings
from pymailgui.message import Address, MessageView


def addresses_text(items: list[Address]) -> str:
    # Address.__str__ puts the addr-spec next to any name and quotes a name that
    # looks like an address, so a name can never stand in for the real address.
    return ", ".join(str(a) for a in items)


class HeaderPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 2)
        self.warning_bar = MessageBar("danger", self, closable=False)
        self.warning_bar.setObjectName("sender_warning")
        outer.addWidget(self.warning_bar)
        self.subject = QLabel(self)
        self.subject.setObjectName("subject_label")
        font = QFont(self.subject.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.subject.setFont(font)
        self._prepare(self.subject)
        outer.addWidget(self.subject)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(2)
        self.fields: dict[str, QLabel] = {}
        for name in ("From", "Reply-To", "To", "Cc", "Date"):
            value = QLabel(self)
            value.setObjectName(f"header_{name.lower().replace('-', '_')}")
            self._prepare(value)
            title = QLabel(f"{name}:", self)
            title.setBuddy(value)
            form.addRow(title, value)
            self.fields[name] = value
        self._form = form
        outer.addLayout(form)

    @staticmethod
    def _prepare(label: QLabel) -> None:
        label.setTextFormat(Qt.TextFormat.PlainText)  # mail text is never markup
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def show_view(self, view: MessageView, known: KnownSenders | None = None) -> None:
        self.subject.setText(view.subject or "(no subject)")
        values = {
            "From": addresses_text(view.from_),
            "Reply-To": addresses_text(view.reply_to),
            "To": addresses_text(view.to),
            "Cc": addresses_text(view.cc),
            "Date": format_date(view.date) if view.date else "(no date)",
        }
        if view.reply_to and {a.addr_spec.casefold() for a in view.reply_to} == {
            a.addr_spec.casefold() for a in view.from_
        }:
            values["Reply-To"] = ""
        for name, text in values.items():
            self.fields[name].setText(text)
            self._form.setRowVisible(self.fields[name], bool(text) or name in ("From", "Date"))
        if view.date is not None:
            self.fields["Date"].setToolTip(view.date.strftime("%a, %d %b %Y %H:%M:%S %z"))
        found = [w for sender in view.from_ for w in warnings(sender, known)]
        if len(view.from_) > 1:
            found.append("The message names several senders; check who really sent it.")
        if found:
            self.warning_bar.show_text("Check the sender: " + " ".join(found))
        else:
            self.warning_bar.hide()
