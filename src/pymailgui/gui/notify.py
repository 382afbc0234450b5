"""Desktop notifications of new mail, over ``org.freedesktop.Notifications`` (D-Bus).

The Desktop Notifications Specification's ``Notify`` method has the signature
``susssasa{sv}i``, and notification servers (GNOME Shell, KDE, dunst, mako) refuse a
call whose arguments have other types. PySide6 turns a Python int into a D-Bus int32
(or worse), never the uint32 ``replaces_id`` needs; so the call goes through the
meta-object that QtDBus builds from the service's own introspection data, with each
argument's C++ type named (``Q_ARG("uint", ...)``), which QtDBus marshals exactly.

The call runs in the thread pool (introspection and the call are round trips, and a
hung notification server must not freeze the windows), with a short timeout. A click
on the notification's "Open" action raises the account's inbox window. No session
bus or no notification service is not an error: the window title still shows the
unread count, and the tray icon (where the desktop has a tray) its tooltip.
"""

from __future__ import annotations

import html
import itertools
import logging
import threading

from PySide6.QtCore import Q_ARG, Q_RETURN_ARG, SLOT, QMetaObject, QObject, Qt, Signal, Slot
from PySide6.QtDBus import QDBusConnection, QDBusInterface

from pymailgui.gui import pool
from pymailgui.message.summary import MessageRow

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
#: Milliseconds a notification server may take to answer before we give up.
TIMEOUT_MS = 5000
#: At most this many messages are named in one notification.
SHOWN = 3
_names = itertools.count(1)


def describe(account: str, rows: list[MessageRow]) -> tuple[str, str]:
    """The summary and body of a new-mail notification (the body escaped: servers that
    support body markup would read "<b>" in a subject as markup)."""
    n = len(rows)
    summary = f"{n} new message{'s' if n != 1 else ''} ({account})"
    lines = []
    for row in rows[:SHOWN]:
        sender = row.from_.split("<")[0].strip().strip('"') or row.from_
        lines.append(f"{sender}: {row.subject or '(no subject)'}")
    if n > SHOWN:
        lines.append(f"and {n - SHOWN} more")
    return summary, html.escape("\n".join(lines), quote=False)


class Notifier(QObject):
    #: A notification was shown: its id on the notification server.
    shown = Signal(int)
    #: The user clicked "Open" on one of our notifications: the account named in it.
    opened = Signal(str)
    _result = Signal(int, str)

    def __init__(self, address: str | None = None, parent: QObject | None = None) -> None:
        """``address``: a D-Bus address (tests start a private bus); default the
        session bus of the desktop."""
        super().__init__(parent)
        self.address = address
        self._bus: QDBusConnection | None = None
        self._lock = threading.Lock()
        self._accounts: dict[int, str] = {}  # notification id -> account
        self._replaces: dict[str, int] = {}  # account -> its last notification id
        # A click may arrive before the Notify reply reached this thread: kept for it.
        self._early: dict[int, str] = {}  # notification id -> action
        self.available: bool | None = None  # None: not tried yet
        self._result.connect(self._delivered)

    def _connection(self) -> QDBusConnection | None:
        if self._bus is None:
            if self.address is None:
                bus = QDBusConnection.sessionBus()
            else:
                bus = QDBusConnection.connectToBus(self.address, f"pymailgui-notify-{next(_names)}")
            if not bus.isConnected():
                self.available = False
                return None
            # The stubs say bytes; only SLOT()'s own string is accepted (measured).
            slot = SLOT("_action(uint,QString)")
            bus.connect(SERVICE, PATH, INTERFACE, "ActionInvoked", self, slot)  # type: ignore[call-overload]
            self._bus = bus
        return self._bus

    def new_mail(self, account: str, rows: list[MessageRow]) -> None:
        """Say that ``rows`` arrived in ``account`` (replacing its previous notification)."""
        if not rows:
            return
        bus = self._connection()
        if bus is None:
            return
        summary, body = describe(account, rows)
        replaces = self._replaces.get(account, 0)
        pool.run(
            lambda: self._call(bus, replaces, summary, body),
            lambda found: self._result.emit(found, account),
            lambda error: log.warning("notification failed: %s", error),
            owner=self,
        )

    def _call(self, bus: QDBusConnection, replaces: int, summary: str, body: str) -> int:
        """In a pool thread: Notify through the introspected interface; 0 when no
        notification service answered."""
        with self._lock:
            iface = QDBusInterface(SERVICE, PATH, INTERFACE, bus)
            iface.setTimeout(TIMEOUT_MS)
            if not iface.isValid():
                log.info("no notification service: %s", iface.lastError().message())
                return 0
            found = QMetaObject.invokeMethod(
                iface,
                "Notify",
                Qt.ConnectionType.DirectConnection,
                Q_RETURN_ARG("uint"),
                Q_ARG(str, "PyMailGUI"),
                Q_ARG("uint", replaces),
                Q_ARG(str, "pymailgui"),
                Q_ARG(str, summary),
                Q_ARG(str, body),
                Q_ARG("QStringList", ["default", "Open"]),
                Q_ARG("QVariantMap", {"desktop-entry": "pymailgui", "category": "email.arrived"}),
                Q_ARG(int, -1),
            )
            if iface.lastError().isValid():
                log.info("notification refused: %s", iface.lastError().message())
                return 0
            return found if isinstance(found, int) else 0

    def _delivered(self, found: int, account: str) -> None:
        self.available = found > 0
        if found:
            self._accounts[found] = account
            self._replaces[account] = found
            self.shown.emit(found)
            early = self._early.pop(found, None)
            if early is not None:
                self._action(found, early)

    @Slot("uint", str)
    def _action(self, found: int, action: str) -> None:
        account = self._accounts.get(found)
        if account is None and found:
            # Ours or another program's (the signal goes to every listener): known
            # when the reply comes; a few kept, the oldest forgotten first.
            self._early[found] = action
            if len(self._early) > 16:
                del self._early[next(iter(self._early))]
        elif account is not None and action in ("default", "Open"):
            self.opened.emit(account)
