"""New-mail notifications: the periodic check finds new mail and PyMailGUI calls
``org.freedesktop.Notifications.Notify`` on a private D-Bus session bus started here,
where a small recording service (dbus_recorder.py) owns the name and accepts only the
specification's exact signature. The window title shows the unread count.

Needs ``dbus-daemon``: skipped without it, failed under CI (scripts/test installs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pymailgui.gui.notify import Notifier
from tests.gui.dbus_support import Bus, running_bus, start_bus
from tests.gui.support import WAIT_MS, get_mail, wait_idle
from tests.support.mail import make_message


@pytest.fixture(params=[False, True], ids=["notify", "click"])
def session_bus(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bus]:
    with running_bus(tmp_path, click=request.param) as bus:
        yield bus


def test_new_mail_from_the_periodic_check_is_notified_over_dbus(open_inbox, qtbot, session_bus):
    opened = open_inbox([make_message("Old news")], check_minutes=5)
    window, desktop = opened.window, opened.desktop
    notifier = Notifier(session_bus.address, desktop)
    notifier.opened.connect(desktop.open_account)
    desktop.notifier = notifier
    get_mail(qtbot, window)
    window.model.mark_seen(window.model.key_at(0))
    assert window.windowTitle() == "test (1 message)"
    # Mail arrives on the server, and the check (every 5 minutes) runs.
    drop = opened.server.maildrop("alice")
    drop.add(make_message("Lunch <b>today</b> & more", sender="Bob Chen <bob@example.com>"))
    drop.add(make_message("Release notes", sender="Carol <carol@example.com>"))
    assert window.context.check_timer.interval() == 5 * 60_000
    opened_accounts: list[str] = []
    notifier.opened.connect(opened_accounts.append)
    window.context.check_timer.timeout.emit()
    qtbot.waitUntil(lambda: len(session_bus.calls()) == 1, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    call = session_bus.calls()[0]
    assert call["app"] == "PyMailGUI" and call["replaces"] == 0
    assert call["summary"] == "2 new messages (test)"
    # Markup in a subject is escaped: a server with body-markup shows it as text.
    assert "Bob Chen: Lunch &lt;b&gt;today&lt;/b&gt; &amp; more" in call["body"]
    assert "Carol: Release notes" in call["body"]
    assert call["actions"] == ["default", "Open"]
    assert call["hints"]["desktop-entry"] == "pymailgui" and call["timeout"] == -1
    qtbot.waitUntil(lambda: notifier.available is True, timeout=WAIT_MS)
    assert window.windowTitle() == "test (2 unread, 3 messages)"
    if session_bus.click:  # a click on "Open" brings the account's inbox forward
        qtbot.waitUntil(lambda: opened_accounts == ["test"], timeout=WAIT_MS)
    else:
        assert opened_accounts == []
    # The next arrival replaces the notification instead of piling up another one.
    drop.add(make_message("One more"))
    window.context.check_timer.timeout.emit()
    qtbot.waitUntil(lambda: len(session_bus.calls()) == 2, timeout=WAIT_MS)
    assert session_bus.calls()[1]["replaces"] == call["id"]
    assert session_bus.calls()[1]["summary"] == "1 new message (test)"


def test_no_notification_server_is_not_an_error(open_inbox, qtbot, tmp_path):
    daemon, address = start_bus(tmp_path)  # a bus where nobody owns the name
    try:
        opened = open_inbox([make_message("Old news")], check_minutes=5)
        notifier = Notifier(address, opened.desktop)
        opened.desktop.notifier = notifier
        get_mail(qtbot, opened.window)
        opened.server.maildrop("alice").add(make_message("New"))
        opened.window.context.check_timer.timeout.emit()
        qtbot.waitUntil(lambda: notifier.available is False, timeout=WAIT_MS)
        assert "1 unread" in opened.window.windowTitle()
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        assert daemon.stdout is not None
        daemon.stdout.close()


def test_a_click_that_arrives_before_the_reply_still_opens_the_account(qtbot):
    notifier = Notifier("unix:path=/nonexistent")
    opened: list[str] = []
    notifier.opened.connect(opened.append)
    for foreign in range(100, 130):  # other programs' notifications, clicked
        notifier._action(foreign, "default")
    notifier._action(7, "default")  # the server's signal overtook its Notify reply
    assert opened == []
    notifier._delivered(7, "work")
    assert opened == ["work"]
    notifier._delivered(100, "home")  # forgotten long ago: no stray open
    assert opened == ["work"]
