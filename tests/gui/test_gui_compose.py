"""Compose windows through the real widgets: write with an attachment, send, see it arrive;
address completion; drafts autosaved, saved, continued and discarded; closing asks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from pymailgui.gui.compose import ComposeWindow
from pymailgui.message.drafts import read_draft
from pymailgui.store import DRAFTS, SENT
from tests.gui.support import (
    WAIT_MS,
    activate,
    get_mail,
    gone,
    settle,
    subjects,
    top_level,
)


def new_compose(qtbot, window) -> ComposeWindow:
    count = len(top_level("compose_window"))
    activate(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(top_level("compose_window")) == count + 1, timeout=WAIT_MS)
    compose = top_level("compose_window")[-1]
    activate(qtbot, compose)
    return compose


def attach_with_dialog(qtbot, compose: ComposeWindow, path: Path) -> None:
    qtbot.mouseClick(compose.attachments.add_button, Qt.MouseButton.LeftButton)
    dialog = compose.attachments.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.setDirectory(str(path.parent))
    dialog.selectFile(path.name)
    dialog.accept()
    qtbot.waitUntil(lambda: not compose.attachments.loading, timeout=WAIT_MS)


def drop_files(widget, paths: list[Path]) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    where = QPointF(widget.rect().center())
    for kind in (QDropEvent.Type.DragEnter, QDropEvent.Type.Drop):
        from PySide6.QtGui import QDragEnterEvent

        event = (
            QDragEnterEvent(
                where.toPoint(),
                Qt.DropAction.CopyAction,
                data,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            )
            if kind == QDropEvent.Type.DragEnter
            else QDropEvent(
                where,
                Qt.DropAction.CopyAction,
                data,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            )
        )
        QApplication.sendEvent(widget, event)


def drafts(window) -> list[bytes]:
    folders = window.context.mailbox.folders
    if not folders.exists(DRAFTS):
        return []
    return [folders.get(DRAFTS, r.key) for r in folders.rows(DRAFTS)]


def test_write_with_attachments_send_and_find_it_in_the_inbox_and_in_sent(demo, qtbot, tmp_path):
    desktop, window = demo
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 a small report\n" * 80)
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 3000)
    compose = new_compose(qtbot, window)
    assert compose.body.toPlainText().endswith("-- \nSent from the PyMailGUI demo\n")
    # Completion from the addresses already seen: "Bob" offers Bob Chen.
    qtbot.waitUntil(lambda: compose.to.completer_.model().rowCount() > 0, timeout=WAIT_MS)
    qtbot.keyClicks(compose.to, "bob@ex")
    popup = compose.to.completer_.popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT_MS)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert compose.to.text() == "Bob Chen <bob@example.com>, "
    qtbot.keyClicks(compose.to, "demo@example.com")
    qtbot.keyClicks(compose.subject, "Quarterly report")
    compose.body.setFocus()
    qtbot.keyClicks(compose.body, "Here it is.")
    attach_with_dialog(qtbot, compose, report)
    drop_files(compose, [photo])
    qtbot.waitUntil(lambda: len(compose.attachments.items) == 2, timeout=WAIT_MS)
    assert compose.attachments.list.item(0).text() == "report.pdf  (2 KB)"
    assert "2 attachments, 5 KB" in compose.attachments.total.text()
    compose.attachments.list.setCurrentRow(1)
    qtbot.keyClick(compose.attachments.list, Qt.Key.Key_Delete)
    assert [a.filename for a in compose.attachments.items] == ["report.pdf"]
    drop_files(compose, [photo])
    qtbot.waitUntil(lambda: len(compose.attachments.items) == 2, timeout=WAIT_MS)
    activate(qtbot, compose)  # back from the file dialog
    qtbot.keyClick(compose.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: gone(compose), timeout=WAIT_MS)
    assert "Sent “Quarterly report”" in window.statusBar().currentMessage()
    get_mail(qtbot, window)
    assert "Quarterly report" in subjects(window)
    row = window.model.row_at(subjects(window).index("Quarterly report"))
    assert row.has_attachments
    folders = window.context.mailbox.folders
    sent = [r for r in folders.rows(SENT) if r.subject == "Quarterly report"]
    assert len(sent) == 1 and "bob@example.com" in sent[0].to
    assert drafts(window) == []  # the draft went away once the message was sent
    # The copy in Sent, through the folder window.
    activate(qtbot, window)
    qtbot.keyClick(
        window.table,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    folder_window = desktop.folder_windows[window.context.name]
    qtbot.waitUntil(lambda: folder_window.folder_list.row_of(SENT) is not None, timeout=WAIT_MS)
    folder_window.folder_list.setCurrentRow(folder_window.folder_list.row_of(SENT))
    qtbot.waitUntil(
        lambda: (
            "Quarterly report"
            in [
                folder_window.model.row_at(i).subject for i in range(folder_window.model.rowCount())
            ]
        ),
        timeout=WAIT_MS,
    )


def test_autosave_close_asks_save_continue_and_discard(demo, qtbot):
    desktop, window = demo
    compose = new_compose(qtbot, window)
    compose.keeper.timer.setInterval(200)
    qtbot.keyClicks(compose.to, "carol@example.com")
    qtbot.keyClicks(compose.subject, "Plans")
    compose.body.setFocus()
    qtbot.keyClicks(compose.body, "First thoughts")
    with qtbot.waitSignal(compose.keeper.saved, timeout=WAIT_MS):
        pass
    settle(qtbot, 50)
    saved = drafts(window)
    assert len(saved) == 1 and "First thoughts" in read_draft(saved[0]).body  # autosaved
    # Closing with changes asks; Save keeps the draft.
    compose.close()
    qtbot.waitUntil(
        lambda: compose.prompt is not None and compose.prompt.isVisible(), timeout=WAIT_MS
    )
    assert compose.isVisible()
    qtbot.mouseClick(compose.prompt.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gone(compose), timeout=WAIT_MS)
    assert len(drafts(window)) == 1
    # Opening it from Drafts continues it.
    folder_window = desktop.open_folders(window.context, DRAFTS)
    qtbot.waitUntil(lambda: folder_window.model.rowCount() == 1, timeout=WAIT_MS)
    activate(qtbot, folder_window)
    folder_window.table.selectRow(0)
    folder_window.table.setFocus()
    qtbot.keyClick(folder_window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(top_level("compose_window")), timeout=WAIT_MS)
    again = top_level("compose_window")[0]
    assert again.to.text() == "carol@example.com" and again.subject.text() == "Plans"
    assert again.body.toPlainText().startswith("First thoughts")
    # Changes, then Discard: the draft stays as it was saved.
    again.keeper.timer.setInterval(200)
    again.body.setFocus()
    qtbot.keyClicks(again.body, " and more")
    with qtbot.waitSignal(again.keeper.saved, timeout=WAIT_MS):
        pass
    assert len(drafts(window)) == 2  # the kept draft and the autosave copy
    again.close()
    qtbot.waitUntil(lambda: again.prompt is not None and again.prompt.isVisible(), timeout=WAIT_MS)
    qtbot.mouseClick(again.prompt.discard_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gone(again), timeout=WAIT_MS)
    left = drafts(window)
    assert len(left) == 1 and read_draft(left[0]).body.startswith("First thoughts\n")
    # An untouched window closes without a question and leaves nothing behind.
    plain = new_compose(qtbot, window)
    plain.close()
    qtbot.waitUntil(lambda: gone(plain), timeout=WAIT_MS)
    assert len(drafts(window)) == 1


def test_a_reply_has_the_quote_and_the_signature_and_closes_without_asking(demo, qtbot):
    _desktop, window = demo
    from tests.gui.support import click_row

    click_row(qtbot, window, "Team lunch on Thursday?")
    qtbot.keyClick(window.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(top_level("compose_window")), timeout=WAIT_MS)
    reply = top_level("compose_window")[0]
    body = reply.body.toPlainText()
    # Room for the reply on top (the cursor there), the signature, then the quote.
    assert body.startswith("\n\n-- \nSent from the PyMailGUI demo\n\nOn ")
    assert "Bob Chen wrote:\n> " in body
    assert not reply.keeper.unsaved
    qtbot.waitUntil(reply.body.hasFocus, timeout=WAIT_MS)
    qtbot.keyClicks(reply.body, "Thursday works.")
    assert reply.body.toPlainText().startswith("Thursday works.\n\n-- \n")
    reply.body.undo()  # unchanged again: it closes without asking
    qtbot.waitUntil(lambda: not reply.keeper.unsaved, timeout=WAIT_MS)
    reply.close()
    qtbot.waitUntil(lambda: gone(reply), timeout=WAIT_MS)
