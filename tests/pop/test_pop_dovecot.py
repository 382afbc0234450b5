"""POP3Client against a real Dovecot 2.3 (implicit TLS, STARTTLS, PLAIN, USER/PASS)."""

from __future__ import annotations

import re

import pytest

from pymailgui.config.schema import Security, ServerConfig
from pymailgui.errors import AuthenticationError, TLSError
from pymailgui.pop import POP3Client
from tests.support.dovecot import DovecotServer
from tests.support.dovecot_mailbox import DovecotUser
from tests.support.tls import TLSFiles

pytestmark = pytest.mark.dovecot

MESSAGES = {
    "1.m": b"From: a@example.org\nSubject: one\n\nfirst\n.\n..two dots\n.leading\n",
    "2.m": b"From: b@example.org\nSubject: two\nX-Long: " + b"L" * 200_000 + b"\n\nbody\n",
    "3.m": b"From: c@example.org\nSubject: three\n\nthird body\nline 2\n",
}


def crlf(message: bytes) -> bytes:
    return message.replace(b"\n", b"\r\n")


class PopDovecot:
    """One user's mailbox on the shared test Dovecot, with the module's messages."""

    def __init__(self, server: DovecotServer, user: DovecotUser) -> None:
        self.server, self.user = server, user
        self.username, self.password = user.name, user.password
        self.pop3_port, self.pop3s_port = server.pop3_port, server.pop3s_port

    def deliver(self, message: bytes) -> None:
        self.user.deliver(message)


@pytest.fixture
def pop_dovecot(dovecot: DovecotServer, dovecot_user: DovecotUser) -> PopDovecot:
    for message in MESSAGES.values():
        dovecot_user.deliver(message)
    return PopDovecot(dovecot, dovecot_user)


def config(pop_dovecot: PopDovecot, tls: TLSFiles, security: Security, auth: str) -> ServerConfig:
    port = pop_dovecot.pop3s_port if security is Security.TLS else pop_dovecot.pop3_port
    return ServerConfig(
        host="127.0.0.1",
        port=port,
        security=security,
        username=pop_dovecot.username,
        ca_file=str(tls.ca_file),
        timeout=10.0,
        auth=auth,
    )


@pytest.mark.parametrize(
    ("security", "auth"),
    [(Security.TLS, "auto"), (Security.STARTTLS, "user"), (Security.NONE, "plain")],
)
def test_read_session_against_dovecot(
    pop_dovecot: PopDovecot, tls_files: TLSFiles, security: Security, auth: str
) -> None:
    with POP3Client.connect(config(pop_dovecot, tls_files, security, auth)) as client:
        caps = client.capabilities
        assert caps.pipelining and caps.top and caps.uidl and caps.resp_codes
        assert "PLAIN" in caps.sasl
        client.login(pop_dovecot.username, pop_dovecot.password)
        count, total = client.stat()
        assert count == 3
        sizes = client.list_sizes()
        assert sum(sizes.values()) == total
        uids = client.uidl_all()
        assert uids is not None and len(uids) == 3
        assert all(re.fullmatch(r"[0-9a-fA-F]{16}", uid) for uid in uids.values()), uids
        assert client.uidl_one(2) == uids[2]
        bodies = dict(client.retr_many([1, 2, 3]))
        # Dovecot serves messages in delivery order: match by content, check sizes.
        assert sorted(b for b in bodies.values() if b) == sorted(map(crlf, MESSAGES.values()))
        for num, body in bodies.items():
            assert body is not None and len(body) == sizes[num]
        heads = dict(client.top_many([1, 2, 3, 4]))
        assert heads[4] is None
        for num in (1, 2, 3):
            body = bodies[num]
            assert body is not None
            assert heads[num] == body.split(b"\r\n\r\n")[0] + b"\r\n\r\n"


def test_untrusted_ca_against_dovecot(
    pop_dovecot: PopDovecot, tls_files: TLSFiles, untrusted_tls_files: TLSFiles
) -> None:
    for security in (Security.TLS, Security.STARTTLS):
        with pytest.raises(TLSError, match="not trusted"):
            POP3Client.connect(config(pop_dovecot, untrusted_tls_files, security, "auto"))


def test_dele_commits_only_on_quit(pop_dovecot: PopDovecot, tls_files: TLSFiles) -> None:
    pop_dovecot.deliver(b"Subject: to delete\n\nbye\n")
    settings = config(pop_dovecot, tls_files, Security.TLS, "auto")

    def find_victim(client: POP3Client) -> int:
        client.login(pop_dovecot.username, pop_dovecot.password)
        heads = dict(client.top_many(list(client.list_sizes())))
        return next(n for n, h in heads.items() if h and b"to delete" in h)

    client = POP3Client.connect(settings)
    client.dele(find_victim(client))
    client.abort()  # no QUIT: nothing is deleted
    with POP3Client.connect(settings) as client:
        victim = find_victim(client)
        assert client.stat()[0] == 4
        assert client.dele_many([victim]) == {victim: True}
    with POP3Client.connect(settings) as client:
        client.login(pop_dovecot.username, pop_dovecot.password)
        assert client.stat()[0] == 3


def test_wrong_password_against_dovecot(pop_dovecot: PopDovecot, tls_files: TLSFiles) -> None:
    # The shared fixture turns Dovecot's auth-failure penalty off, so this does not slow
    # the logins of later tests.
    client = POP3Client.connect(config(pop_dovecot, tls_files, Security.TLS, "auto"))
    with pytest.raises(AuthenticationError, match="refused the user name or password"):
        client.login(pop_dovecot.username, "wrong")
    client.abort()
