"""Every long verb takes a Task: progress, notices, and a cancel that commits nothing.

Each test cancels a verb part-way through against a real server - the project's
scripted POP3 server, Dovecot, aiosmtpd - and checks *through the server* that nothing
was deleted or sent, and on disk that no partial file exists. A cancel is triggered
from the verb's own progress reports (deterministic), or from another thread while
the server stalls (the blocking read must end at once, not at its timeout).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pytest
from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.mail import make_message
from tests.support.popserver import POP_PASSWORD, POP_USER, PopServerFactory
from tests.support.smtp import SMTPOptions, SMTPTestServer

from pymailgui.actions import Account, open_account
from pymailgui.config.load import parse
from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.pop3server import ScriptedPOP3Server
from pymailgui.errors import AccountBusy, Cancelled, MailboxBusy
from pymailgui.inbox import IndexCache
from pymailgui.message import Draft
from pymailgui.store import OUTBOX, SENT, FolderStore
from pymailgui.tasks import Phase, Progress, Task

pytestmark = pytest.mark.timeout(120)


def _config(pop: str, smtp_port: int) -> str:
    return f"""
[general]
use_keyring = false

[accounts.t]
address = "alice@example.com"

[accounts.t.pop]
{pop}
timeout = 10.0

[accounts.t.smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
auth = "none"
timeout = 5.0
"""


def scripted_pop(server: ScriptedPOP3Server) -> str:
    return (
        f'host = "{server.host}"\nport = {server.port}\nsecurity = "none"\n'
        f'username = "{POP_USER}"\npassword_command = "printf {POP_PASSWORD}"'
    )


def dovecot_pop(dovecot: DovecotServer, user: DovecotUser) -> str:
    return (
        f'host = "{dovecot.host}"\nport = {dovecot.pop3s_port}\nsecurity = "tls"\n'
        f"username = \"{user.name}\"\npassword_command = \"printf '%s' '{user.password}'\"\n"
        f'ca_file = "{dovecot.ca_file}"'
    )


class AccountFactory(Protocol):
    def __call__(self, pop: str, smtp_port: int | None = None) -> Account: ...


@pytest.fixture
def relay(make_smtp_server: Callable[[SMTPOptions], SMTPTestServer]) -> SMTPTestServer:
    return make_smtp_server(SMTPOptions())


@pytest.fixture
def make_account(tmp_path: Path, relay: SMTPTestServer) -> Iterator[AccountFactory]:
    opened: list[Account] = []

    def make(pop: str, smtp_port: int | None = None) -> Account:
        n = len(opened)
        account = open_account(
            parse(_config(pop, smtp_port or relay.port)),
            cache=IndexCache(tmp_path / f"cache{n}.sqlite3"),
            folder_store=FolderStore(tmp_path / f"folders{n}"),
        )
        opened.append(account)
        return account

    yield make
    for account in opened:
        account.close()


def cancel_when(phase: Phase, at: int = 1, *, seen: list[Progress] | None = None) -> Task:
    """A task that cancels itself once ``phase`` reports ``done >= at``."""
    holder: list[Task] = []

    def progress(p: Progress) -> None:
        if seen is not None:
            seen.append(p)
        if p.phase is phase and p.done >= at:
            holder[0].cancel()

    task = Task(on_progress=progress)
    holder.append(task)
    return task


def fill(server: ScriptedPOP3Server, n: int, body: str = "body\r\n") -> list[str]:
    drop = server.maildrop(POP_USER)
    return [drop.add(make_message(f"msg {i}", body)) for i in range(1, n + 1)]


def no_partial_files(root: Path) -> bool:
    """Nothing half-written: every Maildir tmp/ is empty."""
    return not [p for p in root.rglob("tmp/*") if p.is_file()]


# -- refresh -----------------------------------------------------------------------------


def test_cancelled_refresh_keeps_what_it_learned_and_deletes_nothing(
    pop_server_factory: PopServerFactory, make_account: AccountFactory
) -> None:
    server = pop_server_factory()
    uids = fill(server, 300)
    account = make_account(scripted_pop(server))
    seen: list[Progress] = []
    with pytest.raises(Cancelled, match="not fully brought up to date"):
        account.refresh(cancel_when(Phase.HEADERS, 40, seen=seen))
    assert any(p.phase is Phase.LIST for p in seen)
    # The rows read before the cancel are real messages; none is invented.
    partial = {r.key for r in account.index()}
    assert 0 < len(partial) < 300 and partial <= set(uids)
    assert server.quit_count == 0 and server.maildrop(POP_USER).uids() == uids
    report = account.refresh()
    assert report.total == 300 and [r.key for r in account.index()] == uids


def test_cancel_ends_a_stalled_read_at_once(
    pop_server_factory: PopServerFactory, make_account: AccountFactory
) -> None:
    server = pop_server_factory()
    fill(server, 3)
    account = make_account(scripted_pop(server))
    server.set_behavior(reply_delay=5.0)
    task = Task()
    threading.Timer(0.5, task.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        account.refresh(task)
    assert time.monotonic() - started < 3.0  # not the 5 s stall nor the 10 s timeout


def test_busy_mailbox_retry_waits_on_the_task(
    pop_server_factory: PopServerFactory, make_account: AccountFactory
) -> None:
    server = pop_server_factory(ServerBehavior(always_in_use=True))
    account = make_account(scripted_pop(server))
    with pytest.raises(MailboxBusy):
        account.refresh()
    attempts = server.session_count
    task = cancel_when(Phase.BUSY, 1)
    with pytest.raises(Cancelled):
        account.refresh(task)
    assert server.session_count - attempts == 1  # no retry after the cancel


# -- fetch ----------------------------------------------------------------------------


def test_cancelled_fetch_returns_nothing_and_caches_only_whole_messages(
    pop_server_factory: PopServerFactory, make_account: AccountFactory
) -> None:
    server = pop_server_factory()
    uids = fill(server, 20, body="x" * 70 + "\r\n" * 2000)
    account = make_account(scripted_pop(server))
    account.refresh()
    with pytest.raises(Cancelled, match="download was not finished"):
        account.fetch_many(uids, cancel_when(Phase.RETRIEVE, 3))
    drop = server.maildrop(POP_USER)
    cached = [u for u in uids if account.cache.body(account.name, u) is not None]
    assert len(cached) < 20
    assert all(account.cache.body(account.name, u) == drop.get(u) for u in cached)


def test_fetch_all_streams_every_message_into_the_cache(
    pop_server_factory: PopServerFactory, make_account: AccountFactory
) -> None:
    server = pop_server_factory()
    uids = fill(server, 30)
    account = make_account(scripted_pop(server))
    account.refresh()
    account.fetch(uids[0])
    seen: list[Progress] = []
    assert account.fetch_all(Task(on_progress=seen.append)) == 29
    assert [p.done for p in seen if p.phase is Phase.RETRIEVE][-1] == 29
    drop = server.maildrop(POP_USER)
    assert all(account.cache.body(account.name, u) == drop.get(u) for u in uids)
    assert account.fetch_all() == 0


# -- delete ---------------------------------------------------------------------------


def test_cancel_after_dele_before_quit_deletes_nothing(
    pop_server_factory: PopServerFactory, make_account: AccountFactory
) -> None:
    server = pop_server_factory()
    uids = fill(server, 10)
    account = make_account(scripted_pop(server))
    account.refresh()
    before = account.index()
    with pytest.raises(Cancelled, match="nothing was deleted") as info:
        account.delete(uids[2:6], cancel_when(Phase.DELETE, 4))
    assert info.value.nothing_committed is True
    commands = [c for _, c in server.transcript[-1]]
    assert "DELE 3" in commands and "QUIT" not in commands
    assert server.maildrop(POP_USER).uids() == uids and server.deleted_log == []
    assert account.index() == before


def test_cancel_during_quit_is_too_late_and_says_so(
    pop_server_factory: PopServerFactory, make_account: AccountFactory
) -> None:
    server = pop_server_factory()
    uids = fill(server, 5)
    account = make_account(scripted_pop(server))
    account.refresh()
    task = cancel_when(Phase.COMMIT, 0)
    report = account.delete([uids[1]], task)
    assert report.deleted == [uids[1]]
    assert [n.kind for n in report.notices] == ["cancel-too-late"]
    assert server.deleted_log == [uids[1]]


def test_delete_reports_progress_with_uidl(
    pop_server_factory: PopServerFactory, make_account: AccountFactory
) -> None:
    server = pop_server_factory()
    uids = fill(server, 6)
    account = make_account(scripted_pop(server))
    account.refresh()
    seen: list[Progress] = []
    account.delete(uids[:3], Task(on_progress=seen.append))
    phases = [p.phase for p in seen]
    assert Phase.DELETE in phases and Phase.COMMIT in phases
    assert [p for p in seen if p.phase is Phase.DELETE][-1].done == 3
    assert str([p for p in seen if p.phase is Phase.DELETE][-1]) == "Deleting messages 3 of 3"


# -- save, and save then delete -----------------------------------------------------


def test_cancelled_save_leaves_no_folder_and_deletes_nothing(
    pop_server_factory: PopServerFactory, make_account: AccountFactory, tmp_path: Path
) -> None:
    server = pop_server_factory()
    uids = fill(server, 10)
    account = make_account(scripted_pop(server))
    account.refresh()
    with pytest.raises(Cancelled, match="nothing was saved"):
        account.save_to_folder(uids, "Projects", delete=True, task=cancel_when(Phase.RETRIEVE, 2))
    assert not account.folders.store.exists("Projects")
    assert server.maildrop(POP_USER).uids() == uids
    assert no_partial_files(tmp_path)


def test_save_then_delete_cancelled_in_the_delete_keeps_both_copies(
    pop_server_factory: PopServerFactory, make_account: AccountFactory, tmp_path: Path
) -> None:
    server = pop_server_factory()
    uids = fill(server, 4)
    account = make_account(scripted_pop(server))
    account.refresh()
    with pytest.raises(Cancelled, match="saved in Saved, and nothing was deleted"):
        account.save_to_folder(uids[:2], "Saved", delete=True, task=cancel_when(Phase.DELETE, 2))
    folder = account.folders.folder("Saved")
    assert sorted(folder.get(k) for k in folder) == sorted(
        server.maildrop(POP_USER).get(u) for u in uids[:2]
    )
    assert server.maildrop(POP_USER).uids() == uids
    # The next "save and delete" does not copy them again, and then deletes them.
    report = account.save_to_folder(uids[:2], "Saved", delete=True)
    assert report.skipped == uids[:2] and report.deleted is not None
    assert server.maildrop(POP_USER).uids() == uids[2:]
    assert len(folder) == 2 and no_partial_files(tmp_path)


# -- sending ----------------------------------------------------------------------------


def test_cancelled_send_sends_nothing_and_waits_in_outbox(
    pop_server_factory: PopServerFactory,
    make_account: AccountFactory,
    relay: SMTPTestServer,
    tmp_path: Path,
) -> None:
    account = make_account(scripted_pop(pop_server_factory()))
    big = ("attachment.bin", bytes(range(256)) * 8192, "application/octet-stream")  # 2 MB
    draft = Draft(to=["bob@example.com"], bcc=["carol@example.com"], subject="big", body="hi\n")
    draft.attachments.append(big)
    with pytest.raises(Cancelled, match="nothing was sent") as info:
        account.send(draft, cancel_when(Phase.SEND, 64 * 1024))
    assert relay.received == []
    waiting = account.outbox()
    assert [e.key for e in waiting] == [info.value.outbox_key]
    assert "waits in Outbox" in str(info.value)
    assert no_partial_files(tmp_path)

    # Resent from Outbox: every recipient, Bcc included, once; then it is in Sent.
    (outcome,) = account.resend_outbox()
    assert outcome.error is None and outcome.result is not None
    (received,) = relay.received
    assert sorted(received.rcpt_tos) == ["bob@example.com", "carol@example.com"]
    assert b"carol@example.com" not in received.content
    assert account.outbox() == []
    assert len(account.folders.folder(SENT)) == 1 and len(account.folders.folder(OUTBOX)) == 0


def test_a_failed_send_records_why_it_waits(
    pop_server_factory: PopServerFactory, make_account: AccountFactory, relay: SMTPTestServer
) -> None:
    with socket.socket() as probe:  # a port nobody listens on: the server is down
        probe.bind(("127.0.0.1", 0))
        down = probe.getsockname()[1]
    account = make_account(scripted_pop(pop_server_factory()), smtp_port=down)
    with pytest.raises(Exception, match="waits in Outbox") as info:
        account.send(Draft(to=["bob@example.com"], subject="later", body="x\n"))
    (entry,) = account.outbox()
    assert entry.key == getattr(info.value, "outbox_key", None)
    assert entry.attempts == 1 and entry.state == "failed" and entry.last_error


# -- one session per account ----------------------------------------------------------


def test_refresh_and_delete_from_two_threads_lose_nothing(
    pop_server_factory: PopServerFactory, make_account: AccountFactory
) -> None:
    server = pop_server_factory(ServerBehavior(reply_delay=0.002))
    drop = server.maildrop(POP_USER)
    uids = fill(server, 60)
    account = make_account(scripted_pop(server))
    account.refresh()
    # Another client's mail arrives while both run; the refresh must index it and the
    # delete's index update must not drop it (nor resurrect what was deleted).
    arrived = [drop.add(make_message(f"new {i}")) for i in range(5)]
    errors: list[BaseException] = []

    def run(fn: Callable[[], object]) -> None:
        try:
            fn()
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(lambda: account.delete(uids[10:30]),)),
        threading.Thread(target=run, args=(account.refresh,)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    account.refresh()
    expected = [u for u in uids if u not in uids[10:30]] + arrived
    assert drop.uids() == expected
    assert [r.key for r in account.index()] == expected


def test_a_busy_account_answers_at_once_when_asked_not_to_wait(
    pop_server_factory: PopServerFactory, make_account: AccountFactory
) -> None:
    server = pop_server_factory()
    fill(server, 3)
    account = make_account(scripted_pop(server))
    server.set_behavior(reply_delay=0.5)
    worker = threading.Thread(target=account.refresh)
    worker.start()
    deadline = time.monotonic() + 5
    while not account.busy and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        with pytest.raises(AccountBusy) as info:
            account.refresh(wait=False)
        assert info.value.running == "refresh"
        # Reading the index never waits for the running session.
        started = time.monotonic()
        account.index()
        assert time.monotonic() - started < 0.4
    finally:
        worker.join(30)
    assert not account.busy


# -- the same against Dovecot -----------------------------------------------------------


@pytest.mark.dovecot
def test_dovecot_cancelled_refresh_and_delete_commit_nothing(
    dovecot: DovecotServer, dovecot_user: DovecotUser, make_account: AccountFactory
) -> None:
    for i in range(80):
        dovecot_user.deliver(make_message(f"dove {i}", f"body {i}\r\n"))
    ids = dovecot_user.imap_message_ids()
    account = make_account(dovecot_pop(dovecot, dovecot_user))
    with pytest.raises(Cancelled):
        account.refresh(cancel_when(Phase.HEADERS, 10))
    assert account.refresh().total == 80
    keys = [r.key for r in account.index()]
    with pytest.raises(Cancelled, match="nothing was deleted"):
        account.delete(keys[5:25], cancel_when(Phase.DELETE, 20))
    assert dovecot_user.imap_message_ids() == ids
    with pytest.raises(Cancelled):
        account.fetch_many(keys[:10], cancel_when(Phase.RETRIEVE, 2))
    # And uncancelled, it all works on the same account afterwards.
    assert account.delete(keys[5:25]).deleted == keys[5:25]
    assert len(dovecot_user.imap_message_ids()) == 60


def test_drafts_start_continue_and_go(
    pop_server_factory: PopServerFactory, make_account: AccountFactory
) -> None:
    from dataclasses import replace

    from pymailgui.message.drafts import read_draft

    account = make_account(scripted_pop(pop_server_factory()))
    account.reconfigure(
        replace(
            account.config,
            accounts={"t": replace(account.settings, signature="Alice\nExample Ltd")},
        )
    )
    draft = account.new_draft()
    assert draft.body == "\n\n-- \nAlice\nExample Ltd\n"
    draft.to = ["bob@example.com, not-yet-an-addr"]
    draft.subject = "half done"
    key = account.save_draft(draft)
    back = read_draft(account.folders.get("Drafts", key))
    assert back.to == ["bob@example.com, not-yet-an-addr"] and back.subject == "half done"
    assert back.body.endswith("-- \nAlice\nExample Ltd\n")
    account.delete_draft(key)
    account.delete_draft(key)  # already gone: not an error
    assert account.folders.rows("Drafts") == []
