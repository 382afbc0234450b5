"""The inbox window against the scripted POP3 server, driven with keys and clicks."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.gui.rowset import Column
from tests.gui.support import (
    WAIT_MS,
    click_row,
    close_desktop,
    desktop_for,
    double_click_row,
    get_mail,
    gone,
    open_by_enter,
    row_of,
    subjects,
    viewer_for,
    visible_boxes,
    wait_idle,
)
from tests.support.mail import make_message


def three() -> list[bytes]:
    return [
        make_message("Alpha", "first\r\n", sender="Ann <ann@example.com>"),
        make_message("Beta", "second\r\n", sender="Bob <bob@example.com>"),
        make_message("Gamma", "third\r\n", sender="Cid <cid@example.com>"),
    ]


def test_nothing_connects_until_the_user_acts_and_f5_loads_the_list(open_inbox, qtbot):
    opened = open_inbox(three())
    window = opened.window
    assert window.model.rowCount() == 0
    assert opened.server.session_count == 0  # the cached (empty) index, no connection
    get_mail(qtbot, window)
    assert subjects(window) == ["Alpha", "Beta", "Gamma"]
    assert "3 messages on the server" in window.statusBar().currentMessage()
    assert window.count_label.text() == "3 messages"
    assert opened.server.session_count == 1


def test_cached_index_shows_at_start_before_any_connection(open_inbox, qtbot):
    opened = open_inbox(three())
    get_mail(qtbot, opened.window)
    close_desktop(opened.desktop, qtbot)
    sessions = opened.server.session_count
    desktop, window = desktop_for(opened.server, qtbot)  # a second start of the program
    try:
        assert subjects(window) == ["Alpha", "Beta", "Gamma"]
        assert opened.server.session_count == sessions
    finally:
        close_desktop(desktop, qtbot)


def test_enter_and_double_click_open_view_windows_and_cached_opens_are_instant(open_inbox, qtbot):
    opened = open_inbox(three())
    window = opened.window
    get_mail(qtbot, window)
    viewer = open_by_enter(qtbot, window, "Beta")
    assert viewer.text.toPlainText().startswith("second")
    assert viewer.headers.fields["From"].text() == "Bob <bob@example.com>"
    beta = window.model.row_at(row_of(window, "Beta"))
    assert beta.seen and not (beta.new and not beta.seen)  # opened: no longer bold
    double_click_row(qtbot, window, "Gamma")
    second = viewer_for(qtbot, window, "Gamma")
    assert second is not viewer and second.isVisible() and viewer.isVisible()
    sessions = opened.server.session_count
    viewer.close()
    again = open_by_enter(qtbot, window, "Beta")  # from the cache now
    assert again.prepared is not None
    assert opened.server.session_count == sessions


def test_filter_as_you_type_and_escape(open_inbox, qtbot):
    opened = open_inbox(three())
    window = opened.window
    get_mail(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.filter.hasFocus()
    qtbot.keyClicks(window.filter, "ci")
    assert subjects(window) == ["Gamma"]
    assert window.count_label.text() == "1 of 3 shown"
    qtbot.keyClick(window.filter, Qt.Key.Key_Backspace)
    qtbot.keyClicks(window.filter, "ZZZ")
    assert subjects(window) == []
    qtbot.keyClick(window.filter, Qt.Key.Key_Escape)
    assert subjects(window) == ["Alpha", "Beta", "Gamma"]
    assert window.table.hasFocus()


def test_sort_by_clicking_a_column_header_keeps_the_selection(open_inbox, qtbot):
    opened = open_inbox(three())
    window = opened.window
    get_mail(qtbot, window)
    click_row(qtbot, window, "Beta")
    header = window.table.horizontalHeader()
    where = QPoint(header.sectionViewportPosition(Column.FROM) + 5, 5)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert subjects(window) == ["Alpha", "Beta", "Gamma"]  # ascending by From
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert subjects(window) == ["Gamma", "Beta", "Alpha"]  # descending by From
    assert window.table.selected_keys() == [window.model.key_at(1)]


def test_delete_with_undo_puts_the_rows_back_untouched(open_inbox, qtbot):
    opened = open_inbox(three(), delete_undo_seconds=30)
    window = opened.window
    get_mail(qtbot, window)
    sessions = opened.server.session_count
    click_row(qtbot, window, "Alpha")
    click_row(qtbot, window, "Gamma", Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert subjects(window) == ["Beta"]
    assert window.undo_bar.isVisible()
    assert "2 messages will be deleted from the server" in window.undo_bar.text
    qtbot.mouseClick(window.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert subjects(window) == ["Alpha", "Beta", "Gamma"]
    assert sorted(window.table.selected_keys()) == sorted(
        window.model.key_at(row_of(window, s)) for s in ("Alpha", "Gamma")
    )
    assert opened.server.session_count == sessions  # nothing went to the server
    assert len(opened.server.maildrop("alice")) == 3


def test_delete_for_real_when_the_undo_time_is_up(open_inbox, qtbot):
    opened = open_inbox(three(), delete_undo_seconds=1)
    window = opened.window
    get_mail(qtbot, window)
    click_row(qtbot, window, "Beta")
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert subjects(window) == ["Alpha", "Gamma"]
    qtbot.waitUntil(lambda: len(opened.server.maildrop("alice")) == 2, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    assert subjects(window) == ["Alpha", "Gamma"]
    assert "Deleted 1 message" in window.statusBar().currentMessage()


def test_a_delete_whose_quit_is_dropped_puts_the_rows_back(open_inbox, qtbot):
    opened = open_inbox(three())
    window = opened.window
    get_mail(qtbot, window)
    opened.server.set_behavior(drop_before_quit_reply=True)
    click_row(qtbot, window, "Beta")
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: bool(visible_boxes("error_box")), timeout=WAIT_MS)
    box = visible_boxes("error_box")[0]
    assert "nothing was deleted" in box.text().lower()
    opened.server.set_behavior(drop_before_quit_reply=False)
    wait_idle(qtbot, window)
    assert subjects(window) == ["Alpha", "Beta", "Gamma"]
    assert len(opened.server.maildrop("alice")) == 3
    box.close()


def test_cancel_of_a_slow_load(open_inbox, qtbot):
    messages = [make_message(f"Slow {i}") for i in range(40)]
    opened = open_inbox(messages, ServerBehavior(reply_delay=0.05))
    window = opened.window
    qtbot.keyClick(window.table, Qt.Key.Key_F5)
    status = window.task_status
    qtbot.waitUntil(
        lambda: status.cancel_button.isVisible() and "Loading headers" in status.label.text(),
        timeout=WAIT_MS,
    )
    qtbot.mouseClick(status.cancel_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert "Cancelled" in window.statusBar().currentMessage()
    assert window.model.rowCount() < 40
    assert not status.cancel_button.isVisible()


def test_a_fetch_refused_for_safety_explains_and_refreshes(open_inbox, qtbot):
    opened = open_inbox(three())
    window = opened.window
    get_mail(qtbot, window)
    key = window.model.key_at(row_of(window, "Beta"))
    opened.server.maildrop("alice").delete(key)  # another client deletes it
    click_row(qtbot, window, "Beta")
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(window.notices), timeout=WAIT_MS)
    notice = window.notices[-1]
    assert "no longer on the server" in notice.reason.text()
    assert "No message was shown in its place" in notice.safety.text()
    qtbot.waitUntil(lambda: "updated" in notice.outcome.text(), timeout=WAIT_MS)
    assert "1 message was removed on the server by another program" in notice.outcome.text()
    assert subjects(window) == ["Alpha", "Gamma"]
    notice.close()


def test_another_client_deleting_while_the_window_is_open(open_inbox, qtbot):
    opened = open_inbox(three())
    window = opened.window
    get_mail(qtbot, window)
    viewer = open_by_enter(qtbot, window, "Gamma")
    click_row(qtbot, window, "Beta")
    drop = opened.server.maildrop("alice")
    drop.delete(window.model.key_at(row_of(window, "Gamma")))  # the one being read
    drop.delete(window.model.key_at(row_of(window, "Alpha")))
    get_mail(qtbot, window)
    assert subjects(window) == ["Beta"]
    assert window.table.selected_keys() == [window.model.key_at(0)]  # the place is kept
    assert "2 messages were removed on the server" in window.statusBar().currentMessage()
    assert viewer.gone_bar.isVisible() and "no longer on the server" in viewer.gone_bar.text
    assert viewer.text.toPlainText().startswith("third")  # still readable
    assert not viewer.actions_by_id["delete"].isEnabled()
    # Deleting what is left still works, verified as always.
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: len(drop) == 0, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    assert subjects(window) == []


def test_quit_while_a_load_runs_asks_and_stop_quits_cleanly(open_inbox, qtbot):
    messages = [make_message(f"Slow {i}") for i in range(40)]
    opened = open_inbox(messages, ServerBehavior(reply_delay=0.05))
    window = opened.window
    qtbot.keyClick(window.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.context.worker.running is not None, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(visible_boxes("quit_prompt")), timeout=WAIT_MS)
    prompt = visible_boxes("quit_prompt")[0]
    assert "Getting mail" in prompt.informativeText()
    assert window.isVisible()
    qtbot.mouseClick(prompt.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gone(window), timeout=WAIT_MS)
    assert not opened.desktop.inboxes


def test_quit_never_cuts_a_delete_between_dele_and_quit(open_inbox, qtbot):
    opened = open_inbox(three(), ServerBehavior(reply_delay=0.3))
    window = opened.window
    get_mail(qtbot, window)
    click_row(qtbot, window, "Alpha")
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    server = opened.server
    # QUIT is on its way (its answer is slow): from here the delete must complete.
    qtbot.waitUntil(
        lambda: any("DELE" in s.verbs and s.quit_received for s in server.sessions),
        timeout=WAIT_MS,
    )
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(visible_boxes("quit_prompt")), timeout=WAIT_MS)
    qtbot.mouseClick(visible_boxes("quit_prompt")[0].stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gone(window), timeout=WAIT_MS)
    assert len(server.maildrop("alice")) == 2  # the delete past DELE completed
    assert server.sessions[-1].committed


def test_select_all_and_the_menu_actions_follow_the_selection(open_inbox, qtbot):
    opened = open_inbox(three())
    window = opened.window
    get_mail(qtbot, window)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(window.table.selected_keys()) == 3
    assert window.acts["delete"].isEnabled() and not window.acts["reply"].isEnabled()
    click_row(qtbot, window, "Alpha")
    assert window.acts["reply"].isEnabled()
    assert QApplication.activeModalWidget() is None


def test_the_list_area_says_not_loaded_then_empty_then_what_the_filter_left(open_inbox, qtbot):
    opened = open_inbox([])
    window = opened.window
    table = window.pane.table
    qtbot.waitUntil(lambda: window.context.loaded, timeout=WAIT_MS)
    assert window.model.rowCount() == 0
    assert table.empty_text == "Not loaded yet - press F5 or Get Mail"
    table.viewport().repaint()  # painted over the empty table, not only kept as text
    get_mail(qtbot, window)
    assert table.empty_text == "The inbox is empty"
    opened.server.maildrop("alice").add(make_message("Alpha", "first\r\n"))
    get_mail(qtbot, window)
    assert subjects(window) == ["Alpha"]
    qtbot.keyClicks(window.pane.filter, "zzz")
    assert window.model.rowCount() == 0
    assert table.empty_text == "No message matches the filter (Escape clears it)"
    qtbot.keyClick(window.pane.filter, Qt.Key.Key_Escape)
    assert subjects(window) == ["Alpha"]
