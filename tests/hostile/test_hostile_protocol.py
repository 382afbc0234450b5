"""Protocol abuse and quirks (issue 10), through the whole Account, as a user meets them.

Required in every case: bounded memory and time, a clear error (a MailError whose
sentence is one line), no DELE - and no committing QUIT - after anything unexpected
(asserted on the server's transcript), a UIDL never used as a file name, and every
message that can still be identified usable.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest

from pymailgui.devserver import GREETING, Rule, ScriptedPOP3Server
from pymailgui.devserver.script import pop_multiline
from pymailgui.errors import ConnectionFailed, MailboxBusy, MailError, ProtocolError, SyncError
from pymailgui.tasks import Task
from tests.hostile.conftest import AccountMaker
from tests.support.mail import make_message
from tests.support.popserver import ScriptedMaker, verbs

MESSAGES = [make_message(f"message {i}", f"Text of message {i}.\r\n") for i in range(1, 6)]


def clear_error(exc: BaseException) -> str:
    assert isinstance(exc, MailError), f"not a MailError: {exc!r}"
    text = str(exc)
    assert text and "\n" not in text and text.rstrip(")").endswith("."), text
    return text


def nothing_deleted(server: ScriptedPOP3Server) -> bool:
    return server.deleted_log == [] and not any(s.deleted for s in server.sessions)


# -- endless lines and answers, stalls: bounded time, a clear error ----------------------


def test_an_endless_line_in_a_message_is_cut_off_at_the_line_limit(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker
) -> None:
    server = scripted_pop(MESSAGES)
    account = hostile_account(server)
    account.refresh()
    server.set_behavior(script=(Rule("RETR", reply=b"+OK\r\n" + b"A" * 8_000_000),))
    started = time.monotonic()
    with pytest.raises(ProtocolError) as info:
        account.fetch(account.index()[0].key)
    assert "longer than" in clear_error(info.value)
    assert time.monotonic() - started < 10
    assert account.cached(account.index()[0].key) is None and nothing_deleted(server)


def test_an_endless_listing_is_refused_at_the_listing_limit(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker
) -> None:
    # 70 MB of listing lines: a server that never ends its LIST answer.
    endless = b"+OK\r\n" + b"1 1\r\n" * 14_000_000 + b".\r\n"
    server = scripted_pop(MESSAGES, Rule("LIST", args=False, reply=endless), pipelining=False)
    account = hostile_account(server, timeout=30)
    started = time.monotonic()
    with pytest.raises(ProtocolError) as info:
        account.refresh()
    assert "larger than the limit" in clear_error(info.value)
    assert time.monotonic() - started < 60
    assert account.index() == [] and not account.busy


@pytest.mark.parametrize(
    "rule",
    [
        Rule(GREETING, reply=b"", then="stall"),
        Rule("LIST", args=False, cut=10, then="stall"),
        Rule("UIDL", args=False, reply=b"+OK\r\n1 a\r\n", then="stall"),
        Rule("TOP", nth=3, cut=30, then="stall"),
    ],
    ids=["greeting", "list", "uidl", "top"],
)
def test_a_stalled_server_times_out_and_the_account_is_usable_after(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker, rule: Rule
) -> None:
    server = scripted_pop(MESSAGES, rule)
    account = hostile_account(server, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ConnectionFailed) as info:
        account.refresh()
    assert "did not answer within 0.5 seconds" in clear_error(info.value)
    assert time.monotonic() - started < 5
    assert not account.busy
    server.set_behavior(script=())
    assert account.refresh().total == 5


def test_a_stall_at_dele_deletes_nothing(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker
) -> None:
    server = scripted_pop(MESSAGES)
    account = hostile_account(server, timeout=0.5)
    account.refresh()
    server.set_behavior(script=(Rule("DELE", reply=b"", then="stall"),))
    with pytest.raises(ConnectionFailed) as info:
        account.delete([account.index()[0].key])
    assert "Nothing was deleted" in clear_error(info.value)
    assert info.value.nothing_committed is True
    assert nothing_deleted(server) and len(account.index()) == 5


# -- unsolicited and extra answers: never a DELE on shifted answers ----------------------


@pytest.mark.parametrize(
    "rule",
    [
        Rule("LIST", args=False, after=b"+OK unsolicited\r\n"),
        Rule("UIDL", args=False, after=b"-ERR unsolicited\r\n"),
        Rule("UIDL", args=False, before=b"+OK\r\n1 forged\r\n.\r\n"),
        Rule("DELE", after=b"+OK extra\r\n"),
    ],
    ids=["after-list", "after-uidl", "a-second-uidl-answer", "after-dele"],
)
def test_an_extra_answer_stops_the_delete_before_anything_commits(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker, rule: Rule
) -> None:
    server = scripted_pop(MESSAGES)
    account = hostile_account(server)
    account.refresh()
    server.set_behavior(script=(rule,))
    key = account.index()[2].key
    with pytest.raises(MailError) as info:
        account.delete([key])
    clear_error(info.value)
    assert nothing_deleted(server)
    last = server.sessions[-1].verbs
    assert "QUIT" not in last  # never the QUIT that would commit
    assert rule.verb == "DELE" or "DELE" not in last
    assert key in [r.key for r in account.index()]


def test_an_extra_line_between_header_answers_is_caught_not_indexed(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker
) -> None:
    # Read in step, the extra line would be message 3's status and message 3's real
    # status its first header line: a row with no sender or subject that could never
    # be verified again.
    server = scripted_pop(MESSAGES, Rule("TOP", nth=2, after=b"+OK extra\r\n"))
    account = hostile_account(server)
    with pytest.raises(ProtocolError, match="extra line") as info:
        account.refresh()
    clear_error(info.value)
    assert all(row.subject.startswith("message ") for row in account.index())
    server.set_behavior(script=())
    account.refresh()
    assert [r.subject for r in account.index()] == [f"message {i}" for i in range(1, 6)]


# -- hostile unique ids --------------------------------------------------------------------

BAD_IDS = {
    "empty": "",
    "spaces": "GmailId 18c2f3a",
    "too-long": "x" * 71,
    "control": "ab\x01cd",
    "non-ascii": "idé",
    "fingerprint-shaped": "fp:" + "0" * 40,
}


@pytest.mark.parametrize("bad", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_a_broken_id_costs_nothing_but_its_own_identity(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker, bad: str
) -> None:
    server = scripted_pop(MESSAGES, uidl_override=lambda num, uid: bad if num in (2, 4) else uid)
    account = hostile_account(server)
    task = Task()
    report = account.refresh(task)
    assert report.total == 5 and report.unidentified == 2
    assert [n.kind for n in task.notices].count("invalid-uidl") == 1
    data = account.fetch_many([r.key for r in account.index()])
    assert len(data) == 5
    saved = account.save_to_folder([r.key for r in account.index()], "Kept", delete=True)
    assert saved.deleted is not None and len(saved.deleted.deleted) == 5
    assert len(server.maildrop("alice")) == 0 and len(account.folders.rows("Kept")) == 5


def test_a_path_like_id_never_becomes_a_file_name(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker, tmp_path: Path
) -> None:
    # A valid RFC 1939 id (0x21..0x7E) that NeoMutt once used as a path (CVE-2018-14362).
    target = Path("/tmp") / f"pymailgui-pwned-{secrets.token_hex(4)}"
    path_like = "../../../../../../../../.." + str(target)
    assert len(path_like) <= 70, path_like
    server = scripted_pop(MESSAGES[:2], uidl_override=lambda n, uid: path_like if n == 1 else uid)
    account = hostile_account(server)
    account.refresh()
    assert path_like in [r.key for r in account.index()]  # a valid id is the identity
    account.fetch_all()
    account.save_to_folder([path_like], "Kept", delete=True)
    stored = account.folders.get("Kept", account.folders.rows("Kept")[0].key)
    account.save_parts(stored, tmp_path / "parts")
    assert not target.exists()
    state = next(p for p in tmp_path.iterdir() if p.name.startswith("state"))
    names = [p.name for p in state.rglob("*")]
    assert not any("pwned" in n or ".." in n for n in names)
    assert len(server.maildrop("alice")) == 1


def test_duplicate_ids_for_identical_twins_are_refused_the_rest_works(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker
) -> None:
    twin = make_message("twin", "same\r\n", message_id="<twin@example.org>")
    server = scripted_pop(
        [MESSAGES[0], twin, twin, MESSAGES[1]],
        uidl_override=lambda num, uid: "dup" if num in (2, 3) else uid,
    )
    account = hostile_account(server)
    account.refresh()
    rows = account.index()
    twins = [r.key for r in rows if r.subject == "twin"]
    with pytest.raises(SyncError, match="cannot be told apart") as info:
        account.delete(twins[:1])
    clear_error(info.value)
    assert nothing_deleted(server)
    others = [r.key for r in rows if r.subject != "twin"]
    assert sorted(account.delete(others).deleted) == sorted(others)


# -- LIST sizes that lie or change -------------------------------------------------------


def test_a_server_that_does_not_dot_stuff_never_gets_a_cut_message_deleted(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker
) -> None:
    # cpython#95252: a lone "." line ends the answer early; the LIST size says more.
    cut = make_message("cut short", "first half\r\n.\r\nsecond half, lost\r\n")
    server = scripted_pop([MESSAGES[0], cut], dot_stuff=False)
    account = hostile_account(server)
    account.refresh()
    short_key = account.index()[1].key
    task = Task()
    data = account.fetch(short_key, task)
    assert b"second half" not in data
    assert [n.kind for n in task.notices] == ["short-message"]
    report = account.save_to_folder([r.key for r in account.index()], "Kept", delete=True)
    assert report.incomplete == [short_key] and "left on the server" in str(report)
    assert report.deleted is not None and short_key not in report.deleted.deleted
    assert [m for _, m in server.maildrop("alice").snapshot()] == [cut]


def test_a_message_that_changed_under_a_fingerprint_is_refused_then_refreshed(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker
) -> None:
    server = scripted_pop(MESSAGES[:3], uidl=False)
    drop = server.maildrop("alice")
    account = hostile_account(server)
    account.refresh()
    row = account.index()[1]
    drop.rewrite(drop.uids()[1], MESSAGES[1] + b"appended on the server\r\n")
    # Without an id, a message of another size is another message: the one picked is
    # gone, and nothing is deleted on a guess.
    report = account.delete([row.key])
    assert report.deleted == [] and report.already_gone == [row.key]
    assert nothing_deleted(server)
    account.refresh()
    fresh = account.index()[1]
    assert fresh.size == row.size + len(b"appended on the server\r\n")
    assert account.delete([fresh.key]).deleted == [fresh.key]


def test_a_listed_message_the_server_cannot_send_is_reported_gone(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker
) -> None:
    server = scripted_pop(MESSAGES[:2])
    account = hostile_account(server)
    account.refresh()
    server.set_behavior(script=(Rule("RETR", reply=b"-ERR no such message\r\n"),))
    with pytest.raises(SyncError) as info:
        account.fetch(account.index()[0].key)
    assert info.value.gone and "deleted on the server" in clear_error(info.value)


# -- servers without CAPA, busy maildrops -------------------------------------------------


def test_a_server_without_capa_still_does_everything_one_command_at_a_time(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker
) -> None:
    server = scripted_pop(MESSAGES, capa=False)
    account = hostile_account(server)
    assert account.refresh().total == 5
    assert b"message 3" in account.fetch(account.index()[2].key)
    assert len(account.delete([account.index()[0].key]).deleted) == 1
    assert all(log.batch_count == len(log.commands) for log in server.sessions)  # no pipelining
    assert len(server.maildrop("alice")) == 4


def test_in_use_is_busy_not_a_wrong_password_and_the_wait_is_bounded(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker
) -> None:
    server = scripted_pop(MESSAGES, always_in_use=True)
    account = hostile_account(server)
    started = time.monotonic()
    with pytest.raises(MailboxBusy) as info:
        account.refresh()
    assert "busy" in clear_error(info.value) and info.value.code == "IN-USE"
    assert time.monotonic() - started < 10 and server.session_count == 4  # 3 retries
    assert not account.busy


def test_login_delay_is_not_retried(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker
) -> None:
    server = scripted_pop(MESSAGES, login_delay=True)
    account = hostile_account(server)
    with pytest.raises(MailboxBusy) as info:
        account.refresh()
    assert info.value.code == "LOGIN-DELAY" and server.session_count == 1
    assert "DELE" not in verbs(server)


def test_a_second_greeting_line_or_a_forged_capa_is_harmless(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker
) -> None:
    # The extra line is read as CAPA's status, CAPA's own status as a capability: the
    # dialogue is back in step at CAPA's end, and nothing acts on the stray line.
    forged = pop_multiline(["PIPELINING", "SASL EVIL", "UIDL"])
    server = scripted_pop(MESSAGES, Rule(GREETING, after=b"+OK second greeting\r\n"))
    account = hostile_account(server)
    assert account.refresh().total == 5
    server.set_behavior(script=(Rule("CAPA", reply=forged),))
    assert account.refresh().total == 5  # an unknown SASL mechanism is never tried
    assert "AUTH EVIL" not in " ".join(c for log in server.sessions for c in log.commands)


# -- the quirks of real servers (issue 10's findings) ----------------------------------


def test_read_then_delete_on_a_server_that_rewrites_what_was_read(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker
) -> None:
    server = scripted_pop(MESSAGES[:3], mark_read=True)  # adds "Status: R" when read
    account = hostile_account(server)
    account.refresh()
    key = account.index()[1].key
    account.fetch(key)
    assert account.refresh().resized == [key]  # the size grew under the same UIDL
    assert account.delete([key]).deleted == [key]


def test_uidl_n_answered_without_the_number(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker
) -> None:
    server = scripted_pop(MESSAGES[:3], uidl_one_bare=True)
    account = hostile_account(server)
    account.refresh()
    key = account.index()[2].key
    assert b"message 3" in account.fetch(key)
    assert account.delete([key]).deleted == [key]
