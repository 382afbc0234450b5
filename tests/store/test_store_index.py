"""The per-folder side index: provenance for safe POP deletes, summary cache, damage."""

from __future__ import annotations

import os
import sqlite3

import pytest
from tests.store.conftest import make_message

from pymailgui.errors import LocalStoreError
from pymailgui.store import Folder, FolderStore, MessageSource
from pymailgui.store.index import INDEX_NAME, SCHEMA_VERSION


def test_has_source_after_add_survives_a_new_store_object(store: FolderStore) -> None:
    inbox = store.folder("Inbox")
    key = inbox.add(make_message(1), source_uid="00000001abc", account="work")
    fresh = FolderStore(store.root).folder("inbox")
    assert fresh.has_source("work", "00000001abc")
    assert fresh.source_of(key) == MessageSource("work", "00000001abc")
    assert not fresh.has_source("home", "00000001abc")
    assert not fresh.has_source("work", "00000002abc")
    assert fresh.source_of(inbox.add(make_message(2))) is None
    db = sqlite3.connect(inbox.path / INDEX_NAME)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        db.close()


def test_message_bytes_are_never_modified_by_provenance(inbox: Folder) -> None:
    data = make_message(3)
    key = inbox.add(data, source_uid="UID3", account="a")
    assert inbox.get(key) == data
    assert (inbox.path / "new" / key).read_bytes() == data


def test_copies_are_counted_and_only_existing_files_count(inbox: Folder) -> None:
    k1 = inbox.add(make_message(1), source_uid="U", account="a")
    k2 = inbox.add(make_message(1), source_uid="U", account="a")
    assert inbox.source_count("a", "U") == 2
    inbox.remove(k1)
    assert inbox.source_count("a", "U") == 1
    # Deleted by another program: the index still names it, but the file is gone.
    (inbox.path / "new" / k2).unlink()
    assert inbox.source_count("a", "U") == 0
    assert not inbox.has_source("a", "U")


def test_flag_changes_keep_provenance(inbox: Folder) -> None:
    key = inbox.add(make_message(1), source_uid="U", account="a")
    inbox.set_flags(key, "S")
    assert inbox.has_source("a", "U")


def test_source_arguments_are_checked(inbox: Folder) -> None:
    with pytest.raises(ValueError, match="without source_uid"):
        inbox.add(make_message(), account="a")
    with pytest.raises(ValueError, match="empty"):
        inbox.add(make_message(), source_uid="", account="a")
    with pytest.raises(ValueError, match="too long"):
        inbox.add(make_message(), source_uid="U" * 513, account="a")
    assert len(inbox) == 0
    # The account defaults to "" (a caller with a single, unnamed account).
    inbox.add(make_message(), source_uid="U")
    assert inbox.has_source("", "U")
    assert not inbox.has_source("a", "U")


def test_a_source_that_cannot_be_recorded_means_no_message(inbox: Folder) -> None:
    # The caller must not DELE a message whose provenance is not on disk, so the add
    # fails as a whole: no message without its record.
    (inbox.path / INDEX_NAME).mkdir()
    with pytest.raises(LocalStoreError, match="index of folder Inbox"):
        inbox.add(make_message(), source_uid="U", account="a")
    assert len(inbox) == 0
    assert os.listdir(inbox.path / "tmp") == []
    # Without provenance, adding still works and listing degrades to no cache.
    key = inbox.add(make_message(9))
    assert [e.key for e in inbox.entries()] == [key]


def test_a_damaged_index_is_moved_aside_and_rebuilt(inbox: Folder) -> None:
    k1 = inbox.add(make_message(1), source_uid="U1", account="a")
    assert inbox.entries()[0].subject == "Message 1"
    (inbox.path / INDEX_NAME).write_bytes(b"this is not an sqlite database" * 100)
    for suffix in ("-wal", "-shm"):
        (inbox.path / (INDEX_NAME + suffix)).unlink(missing_ok=True)
    # The listing is rebuilt from the files; provenance is lost on the safe side.
    assert [e.subject for e in inbox.entries()] == ["Message 1"]
    assert not inbox.has_source("a", "U1")
    assert inbox.get(k1) == make_message(1)
    aside = [n for n in os.listdir(inbox.path) if ".damaged-" in n]
    assert len(aside) == 1
    inbox.add(make_message(2), source_uid="U2", account="a")
    assert inbox.has_source("a", "U2")


def test_an_index_from_a_newer_version_is_refused(inbox: Folder) -> None:
    inbox.add(make_message(1), source_uid="U1", account="a")
    db = sqlite3.connect(inbox.path / INDEX_NAME)
    try:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        db.commit()
    finally:
        db.close()
    with pytest.raises(LocalStoreError, match="newer PyMailGUI"):
        inbox.has_source("a", "U1")


def test_summary_cache_is_used_and_checked_against_the_files(inbox: Folder) -> None:
    key = inbox.add(make_message(1, subject="original"))
    assert inbox.entries()[0].subject == "original"
    db = sqlite3.connect(inbox.path / INDEX_NAME)
    try:
        assert db.execute("SELECT subject FROM summaries").fetchall() == [("original",)]
        db.execute("UPDATE summaries SET subject = 'from cache'")
        db.commit()
    finally:
        db.close()
    assert inbox.entries()[0].subject == "from cache"  # the cache is what answered
    # A file whose size changed (not done by Maildir writers, but possible) is re-read.
    path = inbox.path / "new" / key
    path.write_bytes(make_message(1, subject="rewritten, longer"))
    assert inbox.entries()[0].subject == "rewritten, longer"


# The schema of version 1, as released: no Cc column.
_V1 = """
CREATE TABLE sources (msg_key TEXT PRIMARY KEY, account TEXT NOT NULL, uid TEXT NOT NULL,
    stored_at REAL NOT NULL);
CREATE INDEX sources_by_uid ON sources (account, uid);
CREATE TABLE summaries (msg_key TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime REAL NOT NULL,
    from_ TEXT NOT NULL, to_ TEXT NOT NULL, subject TEXT NOT NULL, date TEXT,
    message_id TEXT NOT NULL, has_attachments INTEGER NOT NULL);
"""


def test_a_version_1_index_is_migrated_keeping_provenance(inbox: Folder) -> None:
    """An index written before the Cc column keeps working: provenance stays, the old
    summaries (no Cc, another summarizer) are dropped and rebuilt from the files."""
    data = make_message(1).replace(b"To: me@example.org\n", b"To: me@example.org\nCc: c@x.org\n")
    key = inbox.add(data)
    stat = (inbox.path / "new" / key).stat()
    (inbox.path / INDEX_NAME).unlink()
    for suffix in ("-wal", "-shm"):
        (inbox.path / (INDEX_NAME + suffix)).unlink(missing_ok=True)
    db = sqlite3.connect(inbox.path / INDEX_NAME)
    try:
        db.executescript(_V1)
        db.execute("INSERT INTO sources VALUES (?, 'work', 'UID1', 0)", (key,))
        db.execute(
            "INSERT INTO summaries VALUES (?, ?, ?, 'old', 'old', 'stale subject', NULL, '', 0)",
            (key, stat.st_size, stat.st_mtime),
        )
        db.execute("PRAGMA user_version = 1")
        db.commit()
    finally:
        db.close()
    fresh = FolderStore(inbox.path.parent).folder("Inbox")
    assert fresh.has_source("work", "UID1")
    (row,) = fresh.entries()
    assert (row.subject, row.cc) == ("Message 1", "c@x.org")  # re-read, not the stale row
    db = sqlite3.connect(inbox.path / INDEX_NAME)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert db.execute("SELECT subject, cc_ FROM summaries").fetchall() == [
            ("Message 1", "c@x.org")
        ]
    finally:
        db.close()
    assert fresh.entries() == [row]  # and now from the cache


def test_a_cached_row_with_an_unreadable_date_is_parsed_again(inbox: Folder) -> None:
    inbox.add(make_message(1))
    (row,) = inbox.entries()
    db = sqlite3.connect(inbox.path / INDEX_NAME)
    try:
        db.execute("UPDATE summaries SET date = 'not a date', subject = 'cached'")
        db.commit()
    finally:
        db.close()
    assert inbox.entries() == [row]
