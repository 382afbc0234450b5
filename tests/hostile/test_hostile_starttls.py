"""STARTTLS (issue 10), POP3 and SMTP alike, through the Account a user drives.

Required: no credential byte in clear (the servers' own byte transcripts), injected
lines never processed, a clear TLS error, no silent plaintext fallback - and what the
server said before TLS (capabilities, SASL mechanisms) forgotten after it (the 2021
"NO STARTTLS" study broke NeoMutt, Claws, fetchmail and Thunderbird on these).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pymailgui.config import Security
from pymailgui.devserver import Rule, ScriptedPOP3Server
from pymailgui.devserver.script import edit_lines, pop_multiline, smtp_reply
from pymailgui.devserver.smtpscripted import ScriptedSMTPServer, SMTPScript
from pymailgui.errors import MailError, TLSError
from pymailgui.message import Draft
from pymailgui.store import OUTBOX
from tests.hostile.conftest import AccountMaker
from tests.support.popserver import POP_PASSWORD, POP_USER, ScriptedMaker, verbs
from tests.support.tls import TLSFiles

MakeSMTP = Callable[..., ScriptedSMTPServer]
DRAFT = Draft(to=["bob@example.org"], subject="over TLS only", body="secret text\n")


def pop_clean(server: ScriptedPOP3Server) -> bool:
    """No credential in clear, and no login command processed outside TLS."""
    leaked = [log.wire.leaked(POP_USER, POP_PASSWORD) for log in server.sessions]
    clear_logins = [
        line for log in server.sessions for line in log.lines(tls=False)
        if line.split(b" ")[0].upper() in {b"USER", b"PASS", b"AUTH", b"APOP"}
    ]  # fmt: skip
    return leaked == [[]] * len(server.sessions) and clear_logins == []


def smtp_clean(server: ScriptedSMTPServer) -> bool:
    for session in server.sessions:
        if session.wire.leaked(POP_USER, POP_PASSWORD):
            return False
        if {"AUTH", "MAIL", "RCPT", "DATA"} & set(session.verbs(tls=False)):
            return False
        if b"secret text" in session.wire.clear:
            return False
    return True


# -- POP3 STLS -----------------------------------------------------------------------------

POP_REFUSALS = {
    "not-offered": dict(stls=None),
    "stripped-from-capa-and-refused": dict(stls=None, extra_capa=()),
    "refused": dict(rule=Rule("STLS", reply=b"-ERR [SYS/TEMP] TLS unavailable\r\n")),
    "not-a-pop3-answer": dict(rule=Rule("STLS", reply=b"* OK go ahead\r\n")),
    "ok-then-no-handshake": dict(rule=Rule("STLS", reply=b"+OK begin\r\n")),
    "ok-then-hang-up": dict(rule=Rule("STLS", then="drop")),
}


@pytest.mark.parametrize("case", POP_REFUSALS.values(), ids=POP_REFUSALS.keys())
def test_pop_never_falls_back_to_clear_text(
    scripted_pop: ScriptedMaker,
    hostile_account: AccountMaker,
    tls_files: TLSFiles,
    case: dict[str, object],
) -> None:
    rule = case.get("rule")
    stls = case.get("stls", tls_files.server_context())
    server = scripted_pop(None, *([rule] if isinstance(rule, Rule) else []), stls=stls)
    account = hostile_account(server, pop_security=Security.STARTTLS, tls=tls_files, timeout=1)
    with pytest.raises(MailError) as info:
        account.refresh()
    assert isinstance(info.value, TLSError), info.value
    assert "\n" not in str(info.value) and "nothing was sent" in str(info.value).lower()
    assert pop_clean(server) and account.index() == []


def test_pop_tries_stls_even_when_a_man_in_the_middle_strips_it_from_capa(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker, tls_files: TLSFiles
) -> None:
    strip = Rule("CAPA", tls=False, reply=edit_lines(drop=["STLS"]))
    server = scripted_pop(None, strip, stls=tls_files.server_context())
    account = hostile_account(server, pop_security=Security.STARTTLS, tls=tls_files)
    assert account.refresh().total == 5
    assert pop_clean(server) and server.sessions[0].tls


def test_pop_lines_injected_before_the_handshake_are_never_read(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker, tls_files: TLSFiles
) -> None:
    # Forged answers to CAPA, the login and a listing that would hide every message.
    injected = b"+OK\r\nUSER\r\n.\r\n+OK logged in\r\n+OK\r\n.\r\n+OK\r\n.\r\n"
    server = scripted_pop(None, Rule("STLS", after=injected), stls=tls_files.server_context())
    account = hostile_account(server, pop_security=Security.STARTTLS, tls=tls_files)
    assert account.refresh().total == 5  # the real maildrop, not the empty forged one
    assert pop_clean(server)
    assert account.fetch(account.index()[0].key).startswith(b"From: sender1@")


def test_pop_capabilities_and_sasl_from_before_tls_are_forgotten(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker, tls_files: TLSFiles
) -> None:
    # Before TLS a forged CAPA offers SASL PLAIN and PIPELINING; inside TLS the server
    # offers USER/PASS only: the login must be USER/PASS, one command at a time.
    before = pop_multiline(["STLS", "SASL PLAIN", "PIPELINING", "TOP", "UIDL"])
    server = scripted_pop(
        None,
        Rule("CAPA", tls=False, reply=before),
        Rule("CAPA", tls=True, reply=edit_lines(drop=["SASL", "PIPELINING"])),
        stls=tls_files.server_context(),
    )
    account = hostile_account(server, pop_security=Security.STARTTLS, tls=tls_files)
    assert account.refresh().total == 5
    (log,) = server.sessions
    assert [v for v in log.verbs if v in {"USER", "PASS", "AUTH"}] == ["USER", "PASS"]
    assert log.batch_count == len(log.commands)  # nothing pipelined
    assert pop_clean(server)


def test_pop_login_refused_in_clear_when_tls_was_asked_for_is_never_retried_in_clear(
    scripted_pop: ScriptedMaker, hostile_account: AccountMaker, tls_files: TLSFiles
) -> None:
    server = scripted_pop(None, stls=tls_files.server_context())
    account = hostile_account(server, pop_security=Security.STARTTLS, tls=tls_files)
    account.refresh()
    server.set_behavior(stls=None)  # the next session: a downgrade
    with pytest.raises(TLSError):
        account.refresh()
    with pytest.raises(TLSError):
        account.delete([account.index()[0].key])
    assert pop_clean(server) and "DELE" not in verbs(server)


# -- SMTP STARTTLS ---------------------------------------------------------------------------

SMTP_REFUSALS = {
    "not-offered": (SMTPScript(offer_starttls=False), True),
    "refused": (SMTPScript(extensions=("STARTTLS",)), False),
    "stripped-by-a-rule": (
        SMTPScript(rules=(Rule("EHLO", tls=False, reply=edit_lines(drop=["STARTTLS"])),)),
        True,
    ),
    "ok-then-hang-up": (SMTPScript(rules=(Rule("STARTTLS", then="drop"),)), True),
    "ok-then-no-handshake": (
        SMTPScript(rules=(Rule("STARTTLS", reply=b"220 go ahead\r\n"),)),
        True,
    ),
}


@pytest.mark.parametrize(("script", "tls"), SMTP_REFUSALS.values(), ids=SMTP_REFUSALS.keys())
def test_smtp_never_falls_back_to_clear_text_and_the_message_waits(
    make_scripted_smtp: MakeSMTP,
    hostile_account: AccountMaker,
    tls_files: TLSFiles,
    script: SMTPScript,
    tls: bool,
) -> None:
    script.users = {POP_USER: POP_PASSWORD}
    server = make_scripted_smtp(script, tls=tls)
    account = hostile_account(
        smtp=server, smtp_security=Security.STARTTLS, smtp_auth="auto", tls=tls_files, timeout=1
    )
    with pytest.raises(MailError) as info:
        account.send(DRAFT)
    assert isinstance(info.value, TLSError), info.value
    assert "\n" not in str(info.value) and "nothing was sent" in str(info.value)
    assert info.value.outbox_key in [r.key for r in account.folders.rows(OUTBOX)]
    assert smtp_clean(server)


def test_smtp_replies_injected_before_the_handshake_are_never_read(
    make_scripted_smtp: MakeSMTP, hostile_account: AccountMaker, tls_files: TLSFiles
) -> None:
    injected = b"250-evil.test\r\n250 AUTH PLAIN\r\n235 2.7.0 ok\r\n250 2.1.0 ok\r\n"
    server = make_scripted_smtp(
        SMTPScript(users={POP_USER: POP_PASSWORD}, inject_after_starttls=injected)
    )
    account = hostile_account(
        smtp=server, smtp_security=Security.STARTTLS, smtp_auth="auto", tls=tls_files
    )
    account.send(DRAFT)
    (session,) = server.sessions
    assert session.verbs(tls=True) == ["EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"]
    assert len(session.deliveries) == 1 and smtp_clean(server)


def test_smtp_auth_mechanisms_from_before_tls_are_forgotten(
    make_scripted_smtp: MakeSMTP, hostile_account: AccountMaker, tls_files: TLSFiles
) -> None:
    # A forged clear-text EHLO offers only PLAIN; inside TLS the server offers LOGIN only.
    before = smtp_reply(250, ["scripted.test", "STARTTLS", "AUTH PLAIN"])
    server = make_scripted_smtp(
        SMTPScript(
            users={POP_USER: POP_PASSWORD},
            auth_mechanisms="LOGIN",
            rules=(Rule("EHLO", tls=False, reply=before),),
        )
    )
    account = hostile_account(
        smtp=server, smtp_security=Security.STARTTLS, smtp_auth="auto", tls=tls_files
    )
    account.send(DRAFT)
    (session,) = server.sessions
    auth = [line for up, line in session.commands if up and line.upper().startswith("AUTH")]
    assert auth and auth[0].upper().startswith("AUTH LOGIN")
    assert smtp_clean(server)
