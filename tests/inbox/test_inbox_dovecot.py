"""The inbox model against a real Dovecot over TLS, with another IMAP client at work."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.dovecot import DovecotServer
from tests.support.dovecot_mailbox import DovecotUser
from tests.support.mail import make_message, twin_messages

from pymailgui.config import Security, ServerConfig
from pymailgui.errors import SyncError
from pymailgui.inbox import Inbox, IndexCache
from pymailgui.pop import POP3Client, open_session
from pymailgui.tasks import Task

pytestmark = pytest.mark.dovecot


def tls_inbox(
    dovecot: DovecotServer, user: DovecotUser, cache: IndexCache, *, starttls: bool = False
) -> Inbox:
    server = ServerConfig(
        host=dovecot.host,
        port=dovecot.pop3_port if starttls else dovecot.pop3s_port,
        security=Security.STARTTLS if starttls else Security.TLS,
        ca_file=str(dovecot.ca_file),
        timeout=10.0,
    )

    def connect(task: Task) -> POP3Client:
        return open_session(server, user.name, user.password, task=task)

    return Inbox(user.name, cache, connect)


@pytest.fixture
def cache(tmp_path: Path) -> IndexCache:
    return IndexCache(tmp_path / "cache.sqlite3")


def msgid(i: int) -> str:
    return f"<dc-{i}@example.com>"


@pytest.mark.parametrize("starttls", [False, True], ids=["tls", "starttls"])
def test_other_client_deletes_around_selection(
    dovecot: DovecotServer, dovecot_user: DovecotUser, cache: IndexCache, starttls: bool
) -> None:
    for i in range(1, 9):
        dovecot_user.deliver(make_message(f"m{i}", f"body {i}\r\n", message_id=msgid(i)))
    inbox = tls_inbox(dovecot, dovecot_user, cache, starttls=starttls)
    assert inbox.refresh().total == 8
    by_subject = {e.subject: e.key for e in inbox.rows()}
    # another client expunges before, between and after the messages we will pick
    dovecot_user.imap_delete([msgid(1), msgid(4), msgid(8)])
    # new mail arrives between our list and our delete
    dovecot_user.deliver(make_message("late", "late\r\n", message_id=msgid(9)))
    data = inbox.fetch(by_subject["m5"])
    assert b"Subject: m5\r\n" in data and b"body 5" in data
    report = inbox.delete([by_subject["m3"], by_subject["m6"], by_subject["m4"]])
    assert sorted(report.deleted) == sorted([by_subject["m3"], by_subject["m6"]])
    assert report.already_gone == [by_subject["m4"]]
    remaining = dovecot_user.imap_message_ids()
    assert remaining == [msgid(2), msgid(5), msgid(7), msgid(9)]
    assert [e.subject for e in inbox.rows()] == ["m2", "m5", "m7"]
    report2 = inbox.refresh()
    assert [e.subject for e in inbox.rows()] == ["m2", "m5", "m7", "late"]
    assert len(report2.added) == 1 and report2.removed == []


def test_fetch_of_a_message_expunged_elsewhere_is_refused(
    dovecot: DovecotServer, dovecot_user: DovecotUser, cache: IndexCache
) -> None:
    for i in range(1, 4):
        dovecot_user.deliver(make_message(f"m{i}", message_id=msgid(i)))
    inbox = tls_inbox(dovecot, dovecot_user, cache)
    inbox.refresh()
    target = inbox.rows()[1].key
    dovecot_user.imap_delete([msgid(2)])
    with pytest.raises(SyncError, match="no longer on the server"):
        inbox.fetch(target)
    with pytest.raises(SyncError):
        inbox.fetch(target)  # still refused: nothing was guessed or cached
    assert inbox.delete([target]).already_gone == [target]
    assert dovecot_user.imap_message_ids() == [msgid(1), msgid(3)]


def test_identical_headers_are_told_apart_by_uidl(
    dovecot: DovecotServer, dovecot_user: DovecotUser, cache: IndexCache
) -> None:
    a, b = twin_messages()
    dovecot_user.deliver(a)
    dovecot_user.deliver(b)
    inbox = tls_inbox(dovecot, dovecot_user, cache)
    inbox.refresh()
    first, second = inbox.rows()
    assert first.fingerprint == second.fingerprint and first.key != second.key
    assert inbox.fetch(second.key).endswith(b"other body\r\n")
    inbox.delete([first.key])
    (left,) = inbox.rows()
    assert left.key == second.key
    files = [
        p.read_bytes() for sub in ("new", "cur") for p in (dovecot_user.maildir / sub).iterdir()
    ]
    assert files == [b]


def test_delete_of_many_then_index_matches_server(
    dovecot: DovecotServer, dovecot_user: DovecotUser, cache: IndexCache
) -> None:
    for i in range(1, 41):
        dovecot_user.deliver(make_message(f"m{i}", message_id=msgid(i)))
    inbox = tls_inbox(dovecot, dovecot_user, cache)
    inbox.refresh()
    chosen = [e.key for e in inbox.rows() if int(e.subject[1:]) % 3 == 0]
    assert len(inbox.delete(chosen).deleted) == 13
    expected = [msgid(i) for i in range(1, 41) if i % 3 != 0]
    assert dovecot_user.imap_message_ids() == expected
    assert [e.number for e in inbox.rows()] == list(range(1, 28))
    assert inbox.refresh().removed == []
