"""The header fields of a compose window: From (the account), To, Cc, Bcc, Subject.

To, Cc and Bcc complete addresses already seen (:mod:`pymailgui.gui.addressedit`);
what is typed is kept as typed - the core checks every address when the message is
built, and a draft must save whatever state it is in.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QWidget

from pymailgui.gui import addresses
from pymailgui.gui.addressedit import AddressEdit
from pymailgui.message import Draft


def joined(values: list[str]) -> str:
    """Addresses as one line, one ", " between each (an item may hold several)."""
    return ", ".join(a for v in values for a in addresses.split(v))


class ComposeForm(QWidget):
    #: Any field changed (typed, pasted, completed, or the account switched).
    edited = Signal()
    #: The user picked another account in From: its name.
    account_chosen = Signal(str)

    def __init__(
        self, accounts: list[tuple[str, str]], current: str, parent: QWidget | None = None
    ) -> None:
        """``accounts``: (account name, "Name <address>") for the From choice."""
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(6, 6, 6, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.from_box = QComboBox(self)
        self.from_box.setObjectName("from_field")
        for name, line in accounts:
            self.from_box.addItem(line if len(accounts) == 1 else f"{line}  ({name})", name)
        self.from_box.setCurrentIndex(max(0, self.from_box.findData(current)))
        self.from_box.activated.connect(
            lambda i: self.account_chosen.emit(str(self.from_box.itemData(i)))
        )
        self.to = AddressEdit("", self)
        self.to.setObjectName("to_field")
        self.cc = AddressEdit("", self)
        self.cc.setObjectName("cc_field")
        self.bcc = AddressEdit("", self)
        self.bcc.setObjectName("bcc_field")
        self.bcc.setToolTip("Recipients who get the message without the others seeing them")
        self.subject = QLineEdit(self)
        self.subject.setObjectName("subject_field")
        form.addRow("&From:", self.from_box)
        form.addRow("&To:", self.to)
        form.addRow("&Cc:", self.cc)
        form.addRow("&Bcc:", self.bcc)
        form.addRow("S&ubject:", self.subject)
        for field in (self.to, self.cc, self.bcc, self.subject):
            field.textChanged.connect(lambda _t: self.edited.emit())

    def fill(self, draft: Draft) -> None:
        self.to.setText(joined(draft.to))
        self.cc.setText(joined(draft.cc))
        self.bcc.setText(joined(draft.bcc))
        self.subject.setText(draft.subject)

    def account(self) -> str:
        return str(self.from_box.currentData())

    def set_completions(self, entries: list[str]) -> None:
        for field in (self.to, self.cc, self.bcc):
            field.set_addresses(entries)

    def recipients(self) -> dict[str, list[str]]:
        return {"to": self.to.addresses(), "cc": self.cc.addresses(), "bcc": self.bcc.addresses()}

    def keep_only(self, wanted: set[str]) -> None:
        """Leave in To, Cc and Bcc only the addresses in ``wanted`` (lower-case
        addr-specs): after a send some recipients refused, the others got it."""
        from pymailgui.message.headers import parse_address_list

        for field in (self.to, self.cc, self.bcc):
            kept = [
                item
                for item in addresses.split(field.text())
                if any(a.addr_spec.casefold() in wanted for a in parse_address_list(item))
            ]
            field.setText(", ".join(kept))

    def set_editable(self, editable: bool) -> None:
        for field in (self.to, self.cc, self.bcc, self.subject):
            field.setReadOnly(not editable)
        self.from_box.setEnabled(editable)
