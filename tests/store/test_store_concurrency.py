"""Several processes using one folder at once: no corruption, no lost message."""

from __future__ import annotations

import multiprocessing as mp
import threading
import traceback
from multiprocessing.queues import Queue
from pathlib import Path

from pymailgui.store import FolderStore, MessageMissing

CTX = mp.get_context("fork")  # children inherit the test module (importlib mode)
PER_WRITER = 200


def _message(writer: int, n: int) -> bytes:
    body = f"writer {writer} message {n}\n" * (1 + n % 7)
    return (
        f"From: w{writer}@example.org\nSubject: w{writer}-{n}\n"
        f"Message-ID: <{writer}.{n}@example.org>\n\n{body}"
    ).encode()


def _writer(root: Path, writer: int, errors: Queue[str]) -> None:
    try:
        inbox = FolderStore(root).folder("Inbox")
        for n in range(PER_WRITER):
            inbox.add(_message(writer, n), source_uid=f"U{writer}-{n}", account=f"acct{writer}")
    except BaseException:
        errors.put(traceback.format_exc())


def _lister(root: Path, stop: mp.synchronize.Event, errors: Queue[str]) -> None:
    try:
        inbox = FolderStore(root).folder("Inbox")
        listings = 0
        while not stop.is_set() or listings < 2:
            for entry in inbox.entries():
                writer, n = (int(x) for x in entry.subject[1:].split("-"))
                if inbox.get(entry.key) != _message(writer, n):
                    errors.put(f"torn message {entry.key}")
            listings += 1
    except BaseException:
        errors.put(traceback.format_exc())


def test_two_writers_and_a_lister_lose_nothing(tmp_path: Path) -> None:
    root = tmp_path / "folders"
    FolderStore(root).list_folders()  # the standard folders exist before the race
    errors: Queue[str] = CTX.Queue()
    stop = CTX.Event()
    lister = CTX.Process(target=_lister, args=(root, stop, errors))
    writers = [CTX.Process(target=_writer, args=(root, w, errors)) for w in (1, 2)]
    lister.start()
    for p in writers:
        p.start()
    for p in writers:
        p.join(120)
    stop.set()
    lister.join(120)
    assert [p.exitcode for p in (*writers, lister)] == [0, 0, 0]
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert problems == []

    inbox = FolderStore(root).folder("Inbox")
    entries = inbox.entries()
    assert len(entries) == 2 * PER_WRITER
    assert len({e.key for e in entries}) == 2 * PER_WRITER
    expected = {_message(w, n) for w in (1, 2) for n in range(PER_WRITER)}
    assert {inbox.get(e.key) for e in entries} == expected
    assert all(inbox.has_source(f"acct{w}", f"U{w}-{n}") for w in (1, 2) for n in (0, 199))
    assert list((inbox.path / "tmp").iterdir()) == []


def _flagger(root: Path, keys: list[str], errors: Queue[str]) -> None:
    try:
        inbox = FolderStore(root).folder("Inbox")
        for i, key in enumerate(keys):
            if i % 2:
                inbox.remove(key)
            else:
                inbox.set_flags(key, "S")
                inbox.set_flags(key, "RS")
    except BaseException:
        errors.put(traceback.format_exc())


def test_listing_and_reading_while_another_process_flags_and_removes(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "folders")
    inbox = store.folder("Inbox")
    keys = [inbox.add(_message(0, n)) for n in range(150)]
    errors: Queue[str] = CTX.Queue()
    flagger = CTX.Process(target=_flagger, args=(store.root, keys, errors))
    flagger.start()
    while flagger.is_alive():
        for entry in inbox.entries():
            try:
                data = inbox.get(entry.key)
            except MessageMissing:
                continue  # removed since the listing: the only acceptable failure
            n = int(entry.subject.split("-")[1])
            assert data == _message(0, n)
    flagger.join(60)
    assert flagger.exitcode == 0
    assert errors.empty()
    entries = inbox.entries()
    assert sorted(e.key for e in entries) == sorted(keys[0::2])
    assert all(e.flags == "RS" for e in entries)


def test_threads_sharing_one_folder_object(tmp_path: Path) -> None:
    inbox = FolderStore(tmp_path / "folders").folder("Inbox")
    keys: list[str] = []

    def work(t: int) -> None:
        for n in range(25):
            keys.append(inbox.add(_message(t, n), source_uid=f"T{t}-{n}", account="a"))
            inbox.entries()

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(set(keys)) == 100
    assert sorted(inbox.keys()) == sorted(keys)
    assert all(inbox.has_source("a", f"T{t}-24") for t in range(4))
