"""A stand-in desktop notification server for the tests: records every Notify call.

Run as ``python dbus_recorder.py OUT [click]`` on a private session bus
(``DBUS_SESSION_BUS_ADDRESS``). It owns ``org.freedesktop.Notifications`` and exports
``Notify`` with the specification's exact signature ``susssasa{sv}i`` - like a real
notification server, QtDBus delivers a call only when the argument types match - and
appends each call to OUT as a JSON line. With ``click`` it answers each notification
with an ``ActionInvoked(id, "default")`` signal, as a click on it would. Prints
"ready" once the name is owned.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import ClassInfo, QCoreApplication, QObject, QTimer, Signal, Slot
from PySide6.QtDBus import QDBusConnection


@ClassInfo({"D-Bus Interface": "org.freedesktop.Notifications"})
class Recorder(QObject):
    ActionInvoked = Signal("uint", str)
    NotificationClosed = Signal("uint", "uint")

    def __init__(self, out: str, click: bool) -> None:
        super().__init__()
        self.out = out
        self.click = click
        self.last = 0

    @Slot(str, "uint", str, str, str, "QStringList", "QVariantMap", int, result="uint")
    def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout):
        self.last = replaces or self.last + 1
        call = {
            "app": app,
            "replaces": replaces,
            "icon": icon,
            "summary": summary,
            "body": body,
            "actions": list(actions),
            "hints": {str(k): str(v) for k, v in hints.items()},
            "timeout": timeout,
            "id": self.last,
        }
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(call) + "\n")
        if self.click:
            found = self.last
            QTimer.singleShot(50, lambda: self.ActionInvoked.emit(found, "default"))
        return self.last

    @Slot(result="QStringList")
    def GetCapabilities(self):
        return ["body", "actions"]


def main() -> int:
    app = QCoreApplication(sys.argv[:1])
    bus = QDBusConnection.sessionBus()
    recorder = Recorder(sys.argv[1], len(sys.argv) > 2 and sys.argv[2] == "click")
    options = (
        QDBusConnection.RegisterOption.ExportAllSlots
        | QDBusConnection.RegisterOption.ExportAllSignals
    )
    if not bus.registerObject("/org/freedesktop/Notifications", recorder, options):
        print("could not register the object", flush=True)
        return 1
    if not bus.registerService("org.freedesktop.Notifications"):
        print("could not own the name", flush=True)
        return 1
    print("ready", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
