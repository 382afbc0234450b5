"""The folder window through its widgets, on the demo account: save server messages into a
new folder (and save-and-delete from the server), create, rename and delete folders,
move and copy by the menu and by dropping rows on a folder, view and delete messages,
export a folder to mbox and import it again."""

from __future__ import annotations

import mailbox

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from pymailgui.gui.folderwin import FolderWindow
from tests.gui.support import WAIT_MS, activate, click_row, get_mail, gone, subjects, top_level


def open_folders(qtbot, window) -> FolderWindow:
    activate(qtbot, window)
    qtbot.keyClick(
        window.table,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    folder_window = window.desktop.folder_windows[window.context.name]
    qtbot.waitUntil(lambda: folder_window.folder_list.count() > 0, timeout=WAIT_MS)
    return folder_window


def save_to(qtbot, window, subject: str, folder: str, *, delete: bool = False) -> None:
    click_row(qtbot, window, subject)
    qtbot.keyClick(window.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.save_dialog.isVisible(), timeout=WAIT_MS)  # noqa: PLW0108
    dialog = window.save_dialog
    dialog.folder.setCurrentText(folder)
    button = dialog.move_button if delete else dialog.save_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.context.worker.busy, timeout=WAIT_MS)


def shown(folder_window: FolderWindow) -> list[str]:
    model = folder_window.model
    return [model.row_at(i).subject for i in range(model.rowCount())]


def folder_labels(folder_window: FolderWindow) -> list[str]:
    folders = folder_window.folder_list
    return [folders.item(i).text() for i in range(folders.count())]


def pick(qtbot, folder_window: FolderWindow, name: str) -> None:
    qtbot.waitUntil(lambda: folder_window.folder_list.row_of(name) is not None, timeout=WAIT_MS)
    folder_window.folder_list.setCurrentRow(folder_window.folder_list.row_of(name))
    qtbot.waitUntil(lambda: folder_window.current == name, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not folder_window.context.local.busy, timeout=WAIT_MS)


def name_folder(qtbot, folder_window: FolderWindow, name: str) -> None:
    dialog = folder_window.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.edit.selectAll()
    qtbot.keyClicks(dialog.edit, name)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)


def drop_rows(folder_window: FolderWindow, keys: list[str], target: str, *, copy: bool) -> None:
    """What a drag of the rows ends with: the drop on the target folder's row."""
    model, folders = folder_window.model, folder_window.folder_list
    indexes = [model.index(model.display_row(k), 0) for k in keys]
    data = model.mimeData(indexes)
    at = QPointF(folders.point_of(target))
    action = Qt.DropAction.CopyAction if copy else Qt.DropAction.MoveAction
    mods = Qt.KeyboardModifier.ControlModifier if copy else Qt.KeyboardModifier.NoModifier
    left = Qt.MouseButton.LeftButton
    enter = QDragEnterEvent(at.toPoint(), action, data, left, mods)
    QApplication.sendEvent(folders.viewport(), enter)
    move = QDragMoveEvent(at.toPoint(), action, data, left, mods)
    QApplication.sendEvent(folders.viewport(), move)
    assert move.isAccepted()
    QApplication.sendEvent(folders.viewport(), QDropEvent(at, action, data, left, mods))


def test_folders_create_move_drag_copy_rename_export_import_and_delete(demo, qtbot, tmp_path):
    _desktop, window = demo
    save_to(qtbot, window, "Team lunch on Thursday?", "Projects")
    save_to(qtbot, window, "Invoice 2026-0147 and the site photo", "Projects")
    assert window.model.rowCount() == 13  # copies: still on the server
    folder_window = open_folders(qtbot, window)
    pick(qtbot, folder_window, "Projects")
    assert sorted(shown(folder_window)) == [
        "Invoice 2026-0147 and the site photo",
        "Team lunch on Thursday?",
    ]
    assert folder_window.folder_list.currentItem().text() == "Projects (2)"
    # New Folder.
    activate(qtbot, folder_window)
    folder_window.acts["new_folder"].trigger()
    name_folder(qtbot, folder_window, "Archive")
    qtbot.waitUntil(lambda: folder_window.current == "Archive", timeout=WAIT_MS)
    # Move by the menu: Projects -> Archive.
    pick(qtbot, folder_window, "Projects")
    key = folder_window.model.key_at(shown(folder_window).index("Team lunch on Thursday?"))
    folder_window.table.select_keys([key])
    folder_window.acts["move"].trigger()
    picker = folder_window.dialog
    qtbot.waitUntil(picker.isVisible, timeout=WAIT_MS)
    picker.folder.setCurrentText("Archive")
    qtbot.mouseClick(picker.ok_button, Qt.MouseButton.LeftButton)
    only_invoice = ["Invoice 2026-0147 and the site photo"]
    qtbot.waitUntil(lambda: shown(folder_window) == only_invoice, timeout=WAIT_MS)
    # Drag the other row onto Archive (a move), then copy it back with Ctrl.
    invoice = folder_window.model.key_at(0)
    drop_rows(folder_window, [invoice], "Archive", copy=False)
    qtbot.waitUntil(lambda: shown(folder_window) == [], timeout=WAIT_MS)
    pick(qtbot, folder_window, "Archive")
    assert len(shown(folder_window)) == 2
    invoice = folder_window.model.key_at(
        shown(folder_window).index("Invoice 2026-0147 and the site photo")
    )
    drop_rows(folder_window, [invoice], "Projects", copy=True)
    qtbot.waitUntil(lambda: "Projects (1)" in folder_labels(folder_window), timeout=WAIT_MS)
    assert len(shown(folder_window)) == 2  # a copy: Archive keeps both
    # Export Archive to an mbox file.
    target = tmp_path / "archive-2026.mbox"
    folder_window.acts["export_mbox"].trigger()
    dialog = folder_window.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.setDirectory(str(tmp_path))
    dialog.selectFile(str(target))
    dialog.accept()
    qtbot.waitUntil(target.exists, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not folder_window.context.local.busy, timeout=WAIT_MS)
    box = mailbox.mbox(str(target), create=False)
    exported = [m["Subject"] for m in box]
    box.close()
    assert sorted(exported) == ["Invoice 2026-0147 and the site photo", "Team lunch on Thursday?"]
    assert "Exported 2 messages" in folder_window.statusBar().currentMessage()
    # Import it again: a folder named after the file.
    folder_window.acts["import_mbox"].trigger()
    dialog = folder_window.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.setDirectory(str(tmp_path))
    dialog.selectFile(str(target))
    dialog.accept()
    qtbot.waitUntil(lambda: folder_window.current == "archive-2026", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(shown(folder_window)) == 2, timeout=WAIT_MS)
    # Rename it, then delete it (it holds messages: asked first).
    folder_window.acts["rename_folder"].trigger()
    name_folder(qtbot, folder_window, "Imported")
    qtbot.waitUntil(lambda: folder_window.current == "Imported", timeout=WAIT_MS)
    folder_window.acts["remove_folder"].trigger()
    prompt = folder_window.dialog
    qtbot.waitUntil(prompt.isVisible, timeout=WAIT_MS)
    yes = next(b for b in prompt.buttons() if b.objectName() == "remove_folder_yes")
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: folder_window.folder_list.row_of("Imported") is None, timeout=WAIT_MS)
    assert "Imported" not in window.context.mailbox.folders.names()


def test_standard_folders_cannot_be_renamed_or_deleted(demo, qtbot):
    _desktop, window = demo
    folder_window = open_folders(qtbot, window)
    pick(qtbot, folder_window, folder_window.folder_list.name_at(0))
    assert folder_window.current in ("Inbox", "Saved", "Sent", "Drafts", "Outbox")
    assert not folder_window.acts["rename_folder"].isEnabled()
    assert not folder_window.acts["remove_folder"].isEnabled()


def test_view_and_delete_a_folder_message_with_undo(demo, qtbot):
    _desktop, window = demo
    save_to(qtbot, window, "Team lunch on Thursday?", "Saved")
    folder_window = open_folders(qtbot, window)
    pick(qtbot, folder_window, "Saved")
    folder_window.table.selectRow(0)
    activate(qtbot, folder_window)
    folder_window.table.setFocus()
    qtbot.keyClick(folder_window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(top_level("viewer_window")), timeout=WAIT_MS)
    viewer = top_level("viewer_window")[0]
    qtbot.waitUntil(lambda: viewer.prepared is not None, timeout=WAIT_MS)
    assert "Thursday" in viewer.text.toPlainText() or viewer.html.toPlainText()
    assert viewer.folder == "Saved"
    viewer.close()
    folder_window.deleter.seconds = 30
    activate(qtbot, folder_window)
    folder_window.table.selectRow(0)
    qtbot.keyClick(folder_window.table, Qt.Key.Key_Delete)
    assert shown(folder_window) == [] and folder_window.undo_bar.isVisible()
    assert "deleted from Saved" in folder_window.undo_bar.text
    qtbot.mouseClick(folder_window.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert shown(folder_window) == ["Team lunch on Thursday?"]
    folder_window.table.selectRow(0)
    qtbot.keyClick(folder_window.table, Qt.Key.Key_Delete)
    qtbot.mouseClick(folder_window.undo_bar.now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.context.mailbox.folders.rows("Saved") == [], timeout=WAIT_MS)
    assert folder_window.model.rowCount() == 0
    assert folder_window.table.empty_text == "This folder is empty"


def test_save_and_delete_from_server_stores_first_then_deletes(demo, qtbot):
    _desktop, window = demo
    save_to(qtbot, window, "Nightly sensor export (one very long line)", "Sensors", delete=True)
    qtbot.waitUntil(
        lambda: "Nightly sensor export (one very long line)" not in subjects(window),
        timeout=WAIT_MS,
    )
    assert "Saved 1 message in Sensors" in window.statusBar().currentMessage()
    rows = window.context.mailbox.folders.rows("Sensors")
    assert [r.subject for r in rows] == ["Nightly sensor export (one very long line)"]
    get_mail(qtbot, window)  # the server agrees: it is gone there
    assert "Nightly sensor export (one very long line)" not in subjects(window)


def test_a_draft_opens_in_a_compose_window(demo, qtbot):
    _desktop, window = demo
    from pymailgui.message import Draft

    window.context.mailbox.save_draft(Draft(to=["bob@example.com"], subject="Unfinished"))
    folder_window = open_folders(qtbot, window)
    pick(qtbot, folder_window, "Drafts")
    folder_window.table.selectRow(0)
    activate(qtbot, folder_window)
    folder_window.table.setFocus()
    qtbot.keyClick(folder_window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(top_level("compose_window")), timeout=WAIT_MS)
    compose = top_level("compose_window")[0]
    assert compose.subject.text() == "Unfinished" and compose.store.kept is not None
    compose.close()
    qtbot.waitUntil(lambda: gone(compose), timeout=WAIT_MS)
