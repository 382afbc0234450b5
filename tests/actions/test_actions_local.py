"""Local folders through ``LocalFolders``: key-based verbs, no folder left by a failure.

Everything is checked through the Maildir on disk (another ``FolderStore`` over the
same root), not through the object under test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.mail import make_message

from pymailgui.actions import LocalFolders
from pymailgui.errors import Cancelled, LocalStoreError, UsageError
from pymailgui.store import FolderStore
from pymailgui.tasks import Phase, Progress, Task


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "folders"


@pytest.fixture
def folders(root: Path) -> LocalFolders:
    return LocalFolders(FolderStore(root))


def on_disk(root: Path) -> FolderStore:
    return FolderStore(root)


def fill(root: Path, name: str, n: int) -> list[str]:
    folder = on_disk(root).folder(name, create=True)
    return [
        folder.add(make_message(f"m{i}", date=f"Thu, {10 + i} Nov 2026 10:00:00 +0000"))
        for i in range(n)
    ]


def mbox(path: Path, n: int) -> Path:
    parts = []
    for i in range(n):
        data = make_message(f"boxed {i}").replace(b"\r\n", b"\n")
        parts.append(b"From sender@example.com Thu Nov 26 10:00:00 2026\n" + data + b"\n")
    path.write_bytes(b"".join(parts))
    return path


def cancelling_at(done: int) -> Task:
    """A task that the user cancels when it reports ``done`` items."""
    tasks: list[Task] = []

    def watch(progress: Progress) -> None:
        if progress.done == done:
            tasks[0].cancel()

    tasks.append(Task("test", on_progress=watch))
    return tasks[0]


def test_rows_are_message_rows_keyed_by_maildir_key(root: Path, folders: LocalFolders) -> None:
    keys = fill(root, "Work", 3)
    rows = folders.rows("work")
    assert [r.key for r in rows] == keys
    assert [r.subject for r in rows] == ["m0", "m1", "m2"]
    assert folders.get("Work", keys[1]) == on_disk(root).folder("Work").get(keys[1])


def test_delete_checks_every_key_first(root: Path, folders: LocalFolders) -> None:
    keys = fill(root, "Work", 3)
    with pytest.raises(LocalStoreError, match="no longer in Work"):
        folders.delete("Work", [keys[0], "1.M1P1Q1Rffff.gone"])
    assert on_disk(root).folder("Work").keys() == sorted(keys)  # nothing deleted
    assert folders.delete("Work", [keys[0], keys[0], keys[2]]) == 2
    assert on_disk(root).folder("Work").keys() == [keys[1]]


def test_move_and_copy_return_the_new_keys(root: Path, folders: LocalFolders) -> None:
    keys = fill(root, "Work", 2)
    folders.add_flags("Work", keys[0], "S")
    moved = folders.move("Work", [keys[0]], "Archive")
    assert list(moved) == [keys[0]]
    archive = on_disk(root).folder("Archive")
    assert archive.keys() == [moved[keys[0]]]
    assert archive.flags(moved[keys[0]]) == "S"  # flags travel with the message
    copied = folders.copy("Work", [keys[1]], "Archive")
    assert on_disk(root).folder("Work").keys() == [keys[1]]
    assert sorted(archive.keys()) == sorted([moved[keys[0]], copied[keys[1]]])
    with pytest.raises(UsageError, match="already in Work"):
        folders.move("Work", [keys[1]], "work")


def test_flags(root: Path, folders: LocalFolders) -> None:
    (key,) = fill(root, "Work", 1)
    folders.set_flags("Work", key, "RS")
    folders.remove_flags("Work", key, "R")
    folders.add_flags("Work", key, "F")
    assert on_disk(root).folder("Work").flags(key) == "FS"
    assert folders.rows("Work")[0].seen


def test_create_rename_remove(root: Path, folders: LocalFolders) -> None:
    assert folders.create("Projects") == "Projects"
    with pytest.raises(UsageError, match="already exists"):
        folders.create("projects")
    assert folders.rename("Projects", "Done") == "Done"
    fill(root, "Done", 1)
    with pytest.raises(UsageError):
        folders.remove("Done")
    folders.remove("Done", force=True)
    assert not on_disk(root).exists("Done")
    with pytest.raises(UsageError):
        folders.check_name("../up")


@pytest.mark.parametrize("content", [None, b"", b"Subject: not an mbox\n\nhello\n"])
def test_import_of_a_bad_file_makes_no_folder(
    root: Path, folders: LocalFolders, tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "in.mbox"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UsageError, match=str(path)):
        folders.import_mbox(path, "Fresh")
    assert not on_disk(root).exists("Fresh")


def test_a_failed_move_to_a_new_folder_leaves_no_folder(root: Path, folders: LocalFolders) -> None:
    with pytest.raises(LocalStoreError):
        folders.move("Saved", ["1.M1P1Q1Rffff.gone"], "Elsewhere")
    assert not on_disk(root).exists("Elsewhere")
    with folders.receiving("Kept") as folder:
        folder.add(make_message("kept"))
    with pytest.raises(RuntimeError), folders.receiving("Kept"):
        raise RuntimeError  # an existing folder is never removed
    assert len(on_disk(root).folder("Kept")) == 1


def test_import_and_export_report_progress(
    root: Path, folders: LocalFolders, tmp_path: Path
) -> None:
    seen: list[Progress] = []
    task = Task("import", on_progress=seen.append)
    assert folders.import_mbox(mbox(tmp_path / "in.mbox", 3), "Boxed", task) == 3
    assert [(p.phase, p.done) for p in seen] == [(Phase.IMPORT, n) for n in (1, 2, 3)]
    seen.clear()
    out = tmp_path / "out.mbox"
    assert folders.export_mbox("Boxed", out, task=Task("export", on_progress=seen.append)) == 3
    assert [(p.done, p.total) for p in seen] == [(1, 3), (2, 3), (3, 3)]
    assert out.read_bytes().count(b"\nFrom ") + out.read_bytes().startswith(b"From ") == 3


def test_a_cancelled_import_imports_nothing(
    root: Path, folders: LocalFolders, tmp_path: Path
) -> None:
    path = mbox(tmp_path / "in.mbox", 5)
    with pytest.raises(Cancelled, match="nothing was imported") as info:
        folders.import_mbox(path, "Partial", cancelling_at(3))
    assert info.value.nothing_committed
    assert not on_disk(root).exists("Partial")  # created for it, removed again
    fill(root, "Existing", 1)
    with pytest.raises(Cancelled):
        folders.import_mbox(path, "Existing", cancelling_at(3))
    assert [r.subject for r in folders.rows("Existing")] == ["m0"]


def test_a_cancelled_export_writes_no_file(
    root: Path, folders: LocalFolders, tmp_path: Path
) -> None:
    fill(root, "Work", 4)
    out = tmp_path / "out.mbox"
    task = cancelling_at(2)
    with pytest.raises(Cancelled, match="no file was written"):
        folders.export_mbox("Work", out, task=task)
    assert task.last_progress is not None and task.last_progress.done == 2
    assert list(tmp_path.iterdir()) == [root]  # no out.mbox, no temporary file
