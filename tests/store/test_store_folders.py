"""The folder store: standard folders, names, create/rename/delete."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from tests.store.conftest import make_message

from pymailgui import paths
from pymailgui.errors import LocalStoreError, UsageError
from pymailgui.store import STANDARD_FOLDERS, FolderStore, validate_folder_name
from pymailgui.store import folders as folders_module


def test_standard_folders_are_created_on_first_use_as_private_maildirs(tmp_path: Path) -> None:
    root = tmp_path / "folders"
    store = FolderStore(root)
    assert not root.exists()  # nothing touches the disk before it is used
    assert store.list_folders() == list(STANDARD_FOLDERS)
    assert STANDARD_FOLDERS == ("Inbox", "Saved", "Sent", "Drafts", "Outbox")
    for name in STANDARD_FOLDERS:
        for sub in ("cur", "new", "tmp"):
            d = root / name / sub
            assert d.is_dir()
            assert stat.S_IMODE(d.stat().st_mode) == 0o700
        assert stat.S_IMODE((root / name).stat().st_mode) == 0o700


def test_default_root_honours_pymailgui_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "home"))
    store = FolderStore()
    assert store.root == tmp_path / "home" / "folders"
    store.folder("Sent").add(make_message())
    assert len(FolderStore(tmp_path / "home" / "folders").folder("sent")) == 1


def test_lookup_is_case_insensitive_and_keeps_the_real_name(store: FolderStore) -> None:
    assert store.folder("inbox").name == "Inbox"
    assert store.folder("INBOX").path == store.root / "Inbox"
    store.create("Réunions")
    assert store.folder("RÉUNIONS").name == "Réunions"
    assert store.exists("réunions")
    with pytest.raises(UsageError, match="no folder named 'nope'"):
        store.folder("nope")
    with pytest.raises(UsageError, match="cannot be a folder name"):
        store.folder("../nope")
    made = store.folder("Nope", create=True)
    assert store.folder("nope", create=True) == made
    assert made.name == "Nope"


def test_create_lists_user_folders_after_standard_ones(store: FolderStore) -> None:
    store.create("zeta")
    store.create("Alpha")
    assert store.list_folders() == [*STANDARD_FOLDERS, "Alpha", "zeta"]
    with pytest.raises(UsageError, match="already exists"):
        store.create("ALPHA")
    with pytest.raises(UsageError, match="already exists"):
        store.create("outbox")


def test_stray_files_and_hidden_dirs_are_not_folders(store: FolderStore) -> None:
    store.list_folders()
    (store.root / "notes.txt").write_text("x")
    (store.root / "half").mkdir()
    (store.root / ".hidden" / "cur").mkdir(parents=True)
    assert store.list_folders() == list(STANDARD_FOLDERS)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (" pad", "space"),
        ("a/b", "one of"),
        ("a\\b", "one of"),
        ("..", "dot"),
        ("a..b", '".."'),
        (".hidden", "starts with a dot"),
        ("trailing.", "ends with a dot"),
        ("tab\there", "control"),
        ("nul\x00", "control"),
        ("line\nbreak", "control"),
        ("rtl\u202eevil", "invisible"),
        ("x" * 101, "longer"),
        ("é" * 100 + "x", "longer"),
    ],
)
def test_bad_names_are_refused_with_a_reason(store: FolderStore, name: str, reason: str) -> None:
    store.list_folders()
    with pytest.raises(UsageError, match=reason) as info:
        store.create(name)
    assert "cannot be a folder name" in str(info.value)
    assert sorted(os.listdir(store.root)) == sorted(STANDARD_FOLDERS)


def test_good_names_are_accepted() -> None:
    for name in ("Work", "Projets 2024", "日本語", "a.b", "x" * 100, "stuff-ok_1 (old)"):
        assert validate_folder_name(name) == name
    # NFC: the decomposed and composed forms are one name.
    assert validate_folder_name("e\u0301te") == "\u00e9te"


def test_rename_moves_messages_and_refuses_standard_and_clashes(store: FolderStore) -> None:
    work = store.create("Work")
    key = work.add(make_message(1), source_uid="U1", account="acct")
    renamed = store.rename("work", "Jobs")
    assert renamed.name == "Jobs"
    assert renamed.get(key) == make_message(1)
    assert renamed.has_source("acct", "U1")
    assert "Work" not in store.list_folders()
    store.create("Other")
    with pytest.raises(UsageError, match="already exists"):
        store.rename("Jobs", "other")
    with pytest.raises(UsageError, match="standard folder"):
        store.rename("Inbox", "Mail")
    with pytest.raises(UsageError, match="standard folder"):
        store.rename("Jobs", "sent")
    with pytest.raises(UsageError, match="cannot be a folder name"):
        store.rename("Jobs", "../escape")
    assert store.rename("Jobs", "JOBS").name == "JOBS"  # a change of case only


def test_delete_folder_refuses_standard_and_non_empty_unless_forced(
    store: FolderStore,
) -> None:
    with pytest.raises(UsageError, match="standard folder"):
        store.delete_folder("drafts")
    empty = store.create("Empty")
    store.delete_folder("empty")
    assert not empty.path.exists()
    full = store.create("Full")
    full.add(make_message())
    with pytest.raises(UsageError, match="holds 1 messages"):
        store.delete_folder("Full")
    assert len(store.folder("Full")) == 1
    store.delete_folder("Full", force=True)
    assert "Full" not in store.list_folders()
    assert sorted(os.listdir(store.root)) == sorted(STANDARD_FOLDERS)
    with pytest.raises(UsageError, match="no folder"):
        store.delete_folder("Full")


def test_unwritable_root_is_a_local_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(LocalStoreError):
        FolderStore(blocker / "folders").list_folders()


def test_has_source_counts_copies_in_every_folder(store: FolderStore) -> None:
    inbox, saved = store.folder("Inbox"), store.folder("Saved")
    k1 = inbox.add(make_message(1), source_uid="UID-1", account="home")
    saved.add(make_message(1), source_uid="UID-1", account="home")
    assert store.source_count("home", "UID-1") == 2
    assert store.has_source("home", "UID-1")
    assert not store.has_source("work", "UID-1")
    inbox.remove(k1)
    assert store.source_count("home", "UID-1") == 1


def test_deletions_interrupted_by_a_crash_are_finished_later(
    store: FolderStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.list_folders()
    leftover = store.root / ".deleting-0123456789ab"
    (leftover / "cur").mkdir(parents=True)
    (leftover / "cur" / "msg").write_bytes(b"x")
    # A recent one may still be checked by the process that renamed it: kept.
    FolderStore(store.root).list_folders()
    assert leftover.exists()
    # Once older than the grace period (ctime can't be faked: shrink the period).
    monkeypatch.setattr(folders_module, "_TRASH_GRACE", -1.0)
    FolderStore(store.root).list_folders()
    assert not leftover.exists()
