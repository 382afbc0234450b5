"""The maildrop: ids, the session lock, thread safety and the on-disk form."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pymailgui.devserver.maildrop import Maildrop
from pymailgui.errors import LocalStoreError


def test_add_get_delete_snapshot() -> None:
    drop = Maildrop()
    a = drop.add(b"Subject: a\r\n\r\na\r\n")
    b = drop.add(b"Subject: b\n\nb\n")
    assert drop.uids() == [a, b] and len(drop) == 2
    assert drop.get(b) == b"Subject: b\r\n\r\nb\r\n"
    assert drop.snapshot() == [(a, drop.get(a)), (b, drop.get(b))]
    assert drop.delete(a) is True
    assert drop.delete(a) is False
    assert a not in drop and b in drop
    with pytest.raises(KeyError):
        drop.get(a)
    assert drop.other_client_deletes == [a]
    assert drop.remove_committed([a, b]) == [b]
    assert drop.quit_deletes == [b] and len(drop) == 0


def test_uid_shape_is_dovecot_like() -> None:
    drop = Maildrop(uid_validity=0x5F00AA01)
    assert drop.add(b"x") == "000000015F00AA01"
    assert drop.add(b"y") == "000000025F00AA01"


def test_lock_is_per_session() -> None:
    drop = Maildrop()
    assert drop.try_lock("s1") and drop.try_lock("s1")
    assert not drop.try_lock("s2")
    drop.unlock("s2")  # not the owner: no effect
    assert drop.locked_by == "s1"
    drop.unlock()
    assert drop.try_lock("s2") and drop.locked_by == "s2"


def test_lock_waits_for_the_holder_to_let_go() -> None:
    drop = Maildrop()
    assert drop.try_lock("old")
    threading.Timer(0.05, drop.unlock, args=("old",)).start()
    assert drop.try_lock("new", wait=5)
    assert drop.locked_by == "new"
    assert not drop.try_lock("third", wait=0.05)


def test_concurrent_adds_and_deletes_keep_ids_unique() -> None:
    drop = Maildrop()
    results: list[list[str]] = [[] for _ in range(8)]

    def work(slot: int) -> None:
        for i in range(200):
            uid = drop.add(f"Subject: {slot}-{i}\r\n\r\n".encode())
            results[slot].append(uid)
            if i % 2:
                drop.delete(uid)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [uid for slot in results for uid in slot]
    assert len(set(every)) == 1600
    assert len(drop) == 800


def test_persistent_maildrop_survives_reopen(tmp_path: Path) -> None:
    drop = Maildrop.open_dir(tmp_path / "md")
    assert drop.created and drop.path == tmp_path / "md"
    a = drop.add(b"Subject: a\n\nA\n")
    b = drop.add(b"Subject: b\n\nB\n")
    c = drop.add(b"Subject: c\n\nC\n")
    drop.delete(b)
    assert sorted(p.name for p in (tmp_path / "md" / "cur").iterdir()) == [a, c]
    assert not list((tmp_path / "md" / "tmp").iterdir())

    again = Maildrop.open_dir(tmp_path / "md")
    assert not again.created
    assert again.snapshot() == [(a, b"Subject: a\r\n\r\nA\r\n"), (c, b"Subject: c\r\n\r\nC\r\n")]
    d = again.add(b"Subject: d\n\n")
    assert d not in {a, b, c}  # the counter lives on disk: ids never come back
    assert int(d[:8], 16) == 4 and d[8:] == a[8:]


def test_ids_not_reused_even_when_newest_message_deleted(tmp_path: Path) -> None:
    drop = Maildrop.open_dir(tmp_path)
    first = drop.add(b"x")
    drop.remove_committed([first])
    assert Maildrop.open_dir(tmp_path).add(b"y") != first


def test_counter_recovered_from_files_when_state_lost(tmp_path: Path) -> None:
    drop = Maildrop.open_dir(tmp_path)
    uids = [drop.add(b"m%d" % i) for i in range(3)]
    (tmp_path / "pymailgui-uidlist").unlink()
    (tmp_path / "tmp" / "half-written").write_bytes(b"partial")
    again = Maildrop.open_dir(tmp_path)
    assert again.uids() == uids and not again.created
    assert again.add(b"new") not in uids
    assert not (tmp_path / "tmp" / "half-written").exists()  # never visible: dropped


def test_damaged_state_is_a_local_store_error(tmp_path: Path) -> None:
    Maildrop.open_dir(tmp_path).add(b"x")
    (tmp_path / "pymailgui-uidlist").write_text("garbage")
    with pytest.raises(LocalStoreError, match="damaged"):
        Maildrop.open_dir(tmp_path)


def test_unwritable_directory_is_a_local_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(LocalStoreError, match="could not be opened"):
        Maildrop.open_dir(blocker / "md")
