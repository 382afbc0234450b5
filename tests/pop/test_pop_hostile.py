"""POP3Client against a hostile server (issue 10): STARTTLS, certificates, drops and stalls.

Each case scripts the devserver with rules and checks, on the server's own byte
transcript, that no credential went out in clear and nothing was deleted.
"""

from __future__ import annotations

import ssl

import pytest

from pymailgui.config.schema import Security
from pymailgui.devserver import GREETING, Rule, ScriptedPOP3Server
from pymailgui.devserver.script import edit_lines, pop_multiline
from pymailgui.errors import ConnectionFailed, MailError, ProtocolError, TLSError
from pymailgui.pop import POP3Client
from tests.support.popserver import POP_PASSWORD, POP_USER, ScriptedMaker, config_for, verbs
from tests.support.tls import BAD_CERTIFICATES, TLSFiles

CREDENTIAL_VERBS = {"USER", "PASS", "AUTH", "APOP"}


def nothing_in_clear(server: ScriptedPOP3Server) -> bool:
    return all(log.wire.leaked(POP_USER, POP_PASSWORD) == [] for log in server.sessions)


def login_over(
    server: ScriptedPOP3Server,
    security: Security = Security.NONE,
    tls_files: TLSFiles | None = None,
    timeout: float = 5.0,
) -> POP3Client:
    ca_file = str(tls_files.ca_file) if tls_files else ""
    config = config_for(server, security, ca_file=ca_file, timeout=timeout)
    client = POP3Client.connect(config)
    try:
        client.login(POP_USER, POP_PASSWORD)
    except BaseException:
        client.abort()
        raise
    return client


# -- STARTTLS ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        b"-ERR [SYS/TEMP] TLS is down\r\n",  # refused although CAPA offered it
        b"* OK go ahead\r\n",  # not a POP3 answer at all
        b"-ERR\r\n",  # refused without a word
    ],
)
def test_odd_stls_answers_never_fall_back_to_clear(
    scripted_pop: ScriptedMaker, tls_files: TLSFiles, reply: bytes
) -> None:
    server = scripted_pop(None, Rule("STLS", reply=reply), stls=tls_files.server_context())
    with pytest.raises(MailError):
        login_over(server, Security.STARTTLS, tls_files, timeout=2.0)
    assert not CREDENTIAL_VERBS & set(verbs(server))
    assert nothing_in_clear(server)


def test_stls_ok_without_a_handshake_is_a_tls_error(
    scripted_pop: ScriptedMaker, tls_files: TLSFiles
) -> None:
    # "+OK" comes, then the server goes on talking POP3 in clear: it answers the
    # ClientHello with "-ERR", which is no TLS record.
    server = scripted_pop(
        None, Rule("STLS", reply=b"+OK begin TLS\r\n"), stls=tls_files.server_context()
    )
    with pytest.raises(TLSError, match="could not be set up"):
        login_over(server, Security.STARTTLS, tls_files, timeout=1.0)
    assert nothing_in_clear(server)


def test_capabilities_learned_before_tls_are_forgotten(
    scripted_pop: ScriptedMaker, tls_files: TLSFiles
) -> None:
    # Before TLS a forged CAPA offers SASL PLAIN and PIPELINING; after TLS the server
    # offers only USER/PASS. The client must log in as the server after TLS says.
    before = pop_multiline(["STLS", "SASL PLAIN", "PIPELINING", "USER"])
    after = edit_lines(drop=["SASL", "PIPELINING"])
    server = scripted_pop(
        None,
        Rule("CAPA", tls=False, reply=before),
        Rule("CAPA", tls=True, reply=after),
        stls=tls_files.server_context(),
    )
    with login_over(server, Security.STARTTLS, tls_files) as client:
        assert client.capabilities.sasl == frozenset()
        assert not client.capabilities.pipelining
    (log,) = server.sessions
    assert log.lines(tls=True)[:3] == [
        b"CAPA",
        f"USER {POP_USER}".encode(),
        b"PASS " + POP_PASSWORD.encode(),
    ]
    assert nothing_in_clear(server)


def test_injected_login_answer_is_never_taken(
    scripted_pop: ScriptedMaker, tls_files: TLSFiles
) -> None:
    # A man in the middle answers the CAPA and the login in advance, in clear.
    injected = b"+OK\r\nUSER\r\n.\r\n+OK logged in\r\n+OK 0 0\r\n"
    server = scripted_pop(None, Rule("STLS", after=injected), stls=tls_files.server_context())
    with login_over(server, Security.STARTTLS, tls_files) as client:
        assert client.stat()[0] == 5  # the real maildrop, not the injected "+OK 0 0"
    assert nothing_in_clear(server)


# -- certificates ------------------------------------------------------------------------


@pytest.mark.parametrize("security", [Security.TLS, Security.STARTTLS])
@pytest.mark.parametrize("kind", BAD_CERTIFICATES)
def test_every_bad_certificate_is_refused_before_credentials(
    scripted_pop: ScriptedMaker,
    tls_files: TLSFiles,
    bad_certificates: dict[str, TLSFiles],
    kind: str,
    security: Security,
) -> None:
    context = bad_certificates[kind].server_context()
    tls = {"implicit_tls": context} if security is Security.TLS else {"stls": context}
    server = scripted_pop(None, **tls)
    with pytest.raises(TLSError, match=r"not trusted|could not be verified"):
        login_over(server, security, tls_files)
    assert not CREDENTIAL_VERBS & set(verbs(server))
    assert all(not log.wire.secure for log in server.sessions)
    assert nothing_in_clear(server)


@pytest.mark.parametrize("security", [Security.TLS, Security.STARTTLS])
def test_tls_below_1_2_is_refused(
    scripted_pop: ScriptedMaker, tls_files: TLSFiles, security: Security
) -> None:
    context = tls_files.server_context(maximum_version=ssl.TLSVersion.TLSv1_1)
    tls = {"implicit_tls": context} if security is Security.TLS else {"stls": context}
    server = scripted_pop(None, **tls)
    with pytest.raises(TLSError):
        login_over(server, security, tls_files)
    assert nothing_in_clear(server)


# -- drops, stalls, garbage --------------------------------------------------------------


def test_garbage_greeting_is_a_protocol_error(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(None, Rule(GREETING, reply=b"* OK IMAP4rev1 ready\r\n"))
    with pytest.raises(ProtocolError):
        POP3Client.connect(config_for(server))


def test_drop_in_the_middle_of_retr_deletes_nothing(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(None, Rule("RETR", nth=2, cut=60, then="drop"))
    client = login_over(server)
    assert client.retr(1)
    client.dele(1)
    with pytest.raises(ConnectionFailed):
        client.retr(2)
    assert client.closed
    assert server.wait_idle()
    assert "QUIT" not in verbs(server) and server.deleted_log == []


def test_stall_in_the_middle_of_a_listing_times_out(scripted_pop: ScriptedMaker) -> None:
    server = scripted_pop(None, Rule("UIDL", args=False, cut=40, then="stall"))
    client = login_over(server, timeout=0.5)
    with pytest.raises(ConnectionFailed, match=r"did not answer within 0\.5 seconds"):
        client.uidl_all()
    assert client.closed


def test_an_unsolicited_line_before_an_answer_is_caught(scripted_pop: ScriptedMaker) -> None:
    # The extra "+OK" is read as STAT's answer; STAT's real answer would then be taken
    # for the next command's. The client must notice and stop, never send DELE.
    server = scripted_pop(None, Rule("STAT", before=b"+OK surprise\r\n"))
    client = login_over(server)
    with pytest.raises(ProtocolError):
        client.stat()
    client.abort()
    assert "DELE" not in verbs(server)
