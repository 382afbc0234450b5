"""One Maildir folder: durable add, get, remove, move, flags, listing."""

from __future__ import annotations

import mailbox
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.store.conftest import make_message

from pymailgui.errors import LocalStoreError, UsageError
from pymailgui.store import Folder, FolderStore, MessageMissing


def test_add_writes_exact_bytes_into_new_and_leaves_tmp_empty(inbox: Folder) -> None:
    data = make_message(1, eol="\r\n") + b"\x00\xff binary tail without newline"
    key = inbox.add(data)
    assert (inbox.path / "new" / key).read_bytes() == data
    assert os.listdir(inbox.path / "tmp") == []
    assert os.listdir(inbox.path / "cur") == []
    mode = stat.S_IMODE((inbox.path / "new" / key).stat().st_mode)
    assert mode == 0o600
    assert inbox.get(key) == data


def test_add_with_flags_goes_to_cur_with_info_suffix(inbox: Folder) -> None:
    key = inbox.add(make_message(), flags="SR")
    assert os.listdir(inbox.path / "cur") == [f"{key}:2,RS"]
    assert inbox.flags(key) == "RS"


def test_keys_are_unique_and_stable_across_flag_changes(inbox: Folder) -> None:
    keys = [inbox.add(make_message(i)) for i in range(20)]
    assert len(set(keys)) == 20
    assert all(":" not in k and "/" not in k for k in keys)
    inbox.set_flags(keys[0], "S")
    inbox.set_flags(keys[0], "FS")
    assert inbox.get(keys[0]) == make_message(0)
    assert inbox.flags(keys[0]) == "FS"
    assert sorted(inbox.keys()) == sorted(keys)
    assert len(inbox) == 20


def test_a_failed_write_leaves_nothing_behind(inbox: Folder) -> None:
    def chunks() -> object:
        yield b"Subject: partial\n\n"
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        inbox.add_stream(chunks())  # type: ignore[arg-type]
    assert os.listdir(inbox.path / "tmp") == []
    assert len(inbox) == 0


def test_flags_are_validated_and_normalized(inbox: Folder) -> None:
    key = inbox.add(make_message())
    inbox.set_flags(key, "SSR")
    assert inbox.flags(key) == "RS"
    inbox.add_flags(key, "F")
    assert inbox.flags(key) == "FRS"
    inbox.remove_flags(key, "RS")
    assert inbox.flags(key) == "F"
    inbox.set_flags(key, "")
    assert inbox.flags(key) == ""
    with pytest.raises(UsageError, match="not message flags"):
        inbox.set_flags(key, "S,")
    entry = inbox.entries()[0]
    assert not entry.seen
    inbox.set_flags(key, "S")
    assert inbox.entries()[0].seen


def test_remove_deletes_the_file(inbox: Folder) -> None:
    k1, k2 = inbox.add(make_message(1)), inbox.add(make_message(2), flags="S")
    inbox.remove(k1)
    inbox.remove(k2)
    assert len(inbox) == 0
    assert k1 not in inbox
    with pytest.raises(MessageMissing, match="not in folder Inbox"):
        inbox.get(k1)
    with pytest.raises(MessageMissing):
        inbox.remove(k2)


def test_hostile_keys_never_leave_the_folder(inbox: Folder, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_bytes(b"not mail")
    for key in ("../../secret", "/etc/passwd", ".pymailgui-index.sqlite3", "a:2,S", ""):
        with pytest.raises(MessageMissing):
            inbox.get(key)
        assert key not in inbox


def test_move_stores_in_the_other_folder_then_removes(store: FolderStore) -> None:
    inbox, saved = store.folder("Inbox"), store.folder("Saved")
    data = make_message(7)
    key = inbox.add(data, flags="S", source_uid="UID7", account="work")
    new_key = inbox.move(key, saved)
    assert len(inbox) == 0
    assert saved.get(new_key) == data
    assert saved.flags(new_key) == "S"
    assert saved.has_source("work", "UID7")
    assert not inbox.has_source("work", "UID7")
    assert saved.move(new_key, saved) == new_key


def test_entries_decode_headers_and_sort_by_date_then_key(inbox: Folder) -> None:
    late = inbox.add(make_message(1, date="Tue, 03 Jan 2023 10:00:00 +0000"))
    early = inbox.add(make_message(2, date="Mon, 02 Jan 2023 12:00:00 +0200"))
    same_a = inbox.add(make_message(3, date="Wed, 04 Jan 2023 10:00:00 +0000"))
    same_b = inbox.add(make_message(4, date="Wed, 04 Jan 2023 11:00:00 +0100"))
    encoded = (
        b"From: =?utf-8?q?J=C3=BCrgen?= <j@example.org>\n"
        b"To: a@example.org,\n b@example.org\n"
        b"Subject: =?iso-8859-1?q?caf=E9?= au\n lait\n"
        b"Date: Thu, 05 Jan 2023 10:00:00 -0000\n"
        b"Message-ID: <x@y>\n"
        b"Content-Type: multipart/mixed; boundary=b\n\n--b--\n"
    )
    enc = inbox.add(encoded)
    entries = inbox.entries()
    assert len(entries) == 5
    assert {e.number for e in entries} == {0}  # a front end numbers what it shows
    assert [e.key for e in entries[:2]] == [early, late]
    assert {e.key for e in entries[2:4]} == {same_a, same_b}
    assert [e.key for e in entries[2:4]] == sorted([same_a, same_b])
    last = entries[4]
    assert last.key == enc
    assert last.from_ == "Jürgen <j@example.org>"
    assert last.to == "a@example.org, b@example.org"
    assert last.cc == ""
    assert last.subject == "café au lait"
    assert last.date == datetime(2023, 1, 5, 10, tzinfo=UTC)
    assert last.message_id == "<x@y>"
    assert last.has_attachments
    assert not entries[0].has_attachments
    assert entries[0].size == len(make_message(2, date="Mon, 02 Jan 2023 12:00:00 +0200"))
    assert entries[0].subject == "Message 2"
    assert all(e.new and not e.flags for e in entries)  # delivered to new/, never seen


BROKEN = [
    b"",
    b"no header at all, just text",
    b"Subject: =?utf-8?b?!!!notbase64?=\nFrom: <<<@@@>>>\nDate: yesterday-ish\n\nx",
    b"Subject: raw \xe9t\xe9 latin1\nFrom: \xff\xfe\n\n",
    b"Subject: raw \xc3\xa9t\xc3\xa9 utf8\n\n",
    b'From: "unterminated <a@b\nTo: ,,,;;;\nDate: Mon, 32 Foo 99999 99:99:99 +9999\n\n',
    b"Subject: " + b"A" * 300_000 + b"\n\n",
    b"Content-Type: multipart/mixed\n\nno boundary",
    b"Message-ID: <a\x00b>\nSubject: ctl\x07chars\r\n\r\n",
]


def test_broken_mail_lists_without_raising(inbox: Folder) -> None:
    keys = {inbox.add(data): data for data in BROKEN}
    entries = inbox.entries()
    assert len(entries) == len(BROKEN)
    by_key = {e.key: e for e in entries}
    for key, data in keys.items():
        assert inbox.get(key) == data
        assert by_key[key].size == len(data)
    subjects = {e.subject for e in entries}
    assert "raw été utf8" in subjects
    assert "raw été latin1" in subjects
    assert all("\x07" not in e.subject and "\x00" not in e.message_id for e in entries)
    undated = [e for e in entries if e.date is None]
    assert len(undated) >= 3


def test_undated_messages_sort_by_delivery_time(inbox: Folder) -> None:
    k_new = inbox.add(b"Subject: later\n\n")
    k_old = inbox.add(b"Subject: earlier\n\n")
    past = datetime(2001, 1, 1, tzinfo=UTC).timestamp()
    os.utime(inbox.path / "new" / k_old, (past, past))
    assert [e.key for e in inbox.entries()] == [k_old, k_new]


def test_listing_cache_follows_external_changes(inbox: Folder) -> None:
    k1 = inbox.add(make_message(1))
    inbox.add(make_message(2))
    assert len(inbox.entries()) == 2
    # Another program deletes one and delivers one (no side index involved).
    (inbox.path / "new" / k1).unlink()
    (inbox.path / "new" / "1700000000.ext.host").write_bytes(make_message(3, subject="ext"))
    subjects = sorted(e.subject for e in inbox.entries())
    assert subjects == ["Message 2", "ext"]


def test_stdlib_maildir_reads_our_folder_and_we_read_its(inbox: Folder) -> None:
    ours = inbox.add(make_message(1), flags="S")
    md = mailbox.Maildir(inbox.path, factory=None, create=False)
    assert md.get_bytes(ours) == make_message(1)
    assert md.get_message(ours).get_flags() == "S"
    theirs = md.add(mailbox.MaildirMessage(make_message(2)))
    assert inbox.get(theirs) == make_message(2)
    assert {e.key for e in inbox.entries()} == {ours, theirs}


def test_a_folder_deleted_elsewhere_gives_a_local_store_error(store: FolderStore) -> None:
    work = store.create("Work")
    os.rename(work.path, store.root / ".gone")
    with pytest.raises(LocalStoreError, match="Work is gone"):
        work.entries()
    with pytest.raises(LocalStoreError):
        work.add(b"Subject: x\n\n")


def test_add_fsyncs_file_then_renames_then_fsyncs_the_directory(
    inbox: Folder, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        target = os.readlink(f"/proc/self/fd/{fd}")
        events.append(f"fsync {os.path.relpath(target, inbox.path)}")
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        events.append(f"rename {Path(src).parent.name} -> {Path(dst).parent.name}")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    key = inbox.add(make_message())
    assert events[:3] == [f"fsync tmp/{key}", "rename tmp -> new", "fsync new"]


def test_rows_carry_flags_new_and_arrival_time(inbox: Folder) -> None:
    fresh = inbox.add(make_message(1, date="Mon, 02 Jan 2023 10:00:00 +0000"))
    seen = inbox.add(make_message(2, date="Tue, 03 Jan 2023 10:00:00 +0000"), flags="S")
    undated = inbox.add(b"Subject: no date\nCc: Team <team@example.org>, c@example.org\n\nx\n")
    past = 1_600_000_000.0
    os.utime(inbox.path / "new" / undated, (past, past))
    rows = {row.key: row for row in inbox.entries()}
    assert [r.key for r in inbox.entries()] == [undated, fresh, seen]  # 2020 mtime first
    assert rows[fresh].new and not rows[fresh].seen
    assert not rows[seen].new and rows[seen].seen and rows[seen].flags == "S"
    assert rows[undated].date is None and rows[undated].received == past
    assert rows[undated].sort_time() == past
    assert rows[undated].cc == "Team <team@example.org>, c@example.org"
    inbox.add_flags(fresh, "R")  # read and answered: moved to cur/
    moved = {row.key: row for row in inbox.entries()}[fresh]
    assert not moved.new and moved.replied and moved.flags == "R"
