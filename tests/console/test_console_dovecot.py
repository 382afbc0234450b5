"""``pymail`` end to end against a real Dovecot, over implicit TLS and STARTTLS.

Each test runs the real command as a subprocess (see conftest.py) and checks what the
server holds afterwards through Dovecot itself (IMAP) or its Maildir, never through the
client under test.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.console.conftest import (
    UNICODE_SENDER,
    UNICODE_SUBJECT,
    Pymail,
    attachment_message,
    lf,
    unicode_message,
    write_config,
)
from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.dovecot_procs import free_port
from tests.support.mail import make_message
from tests.support.tls import TLSFiles

JSON_KEYS = {"num", "uid", "from", "to", "subject", "date", "size", "attachments", "new", "flags"}


def configure(
    pymail: Pymail,
    dovecot: DovecotServer,
    user: DovecotUser,
    security: str = "tls",
    *,
    port: int | None = None,
    password: str | None = None,
    ca_file: Path | None = None,
    trust: bool = True,
) -> None:
    """Point the default config of ``pymail`` at ``user``'s Dovecot mailbox."""
    if port is None:
        port = dovecot.pop3s_port if security == "tls" else dovecot.pop3_port
    write_config(
        pymail.config_path,
        host=dovecot.host,
        port=port,
        security=security,
        username=user.name,
        password=user.password if password is None else password,
        ca_file=(ca_file or dovecot.ca_file) if trust else None,
    )


def numbered(subject: str, tag: str) -> bytes:
    """A small message whose Message-ID is ``<tag@example.com>``."""
    return make_message(subject, f"This is {subject}.\r\n", message_id=f"<{tag}@example.com>")


def maildir_files(user: DovecotUser) -> list[Path]:
    return [p for sub in ("new", "cur") for p in (user.maildir / sub).iterdir()]


def pop3_logins(dovecot: DovecotServer, user: DovecotUser) -> list[str]:
    """Dovecot's log lines for POP3 logins of ``user`` (waits briefly for the log writer)."""
    deadline = time.monotonic() + 5.0
    while True:
        lines = [
            line
            for line in dovecot.log_path.read_text(errors="replace").splitlines()
            if "pop3-login: Info: Login:" in line and f"user=<{user.name}>" in line
        ]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def list_ok(pymail: Pymail, *args: str) -> list[dict[str, object]]:
    r = pymail("list", "--json", *args)
    assert r.rc == 0, r.err
    rows = json.loads(r.text)
    assert isinstance(rows, list)
    return rows


@pytest.fixture(params=["tls", "starttls"])
def security(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# -- list, show, delete over both kinds of TLS -----------------------------------------


def test_list_text_and_json(
    pymail: Pymail, dovecot: DovecotServer, dovecot_user: DovecotUser, security: str
) -> None:
    plain = make_message("Plain hello", sender="Bob Example <bob@example.com>")
    uni = unicode_message()
    att = attachment_message()
    dovecot_user.deliver_many([plain, uni, att])
    configure(pymail, dovecot, dovecot_user, security)

    r = pymail("list")
    assert r.rc == 0, r.err
    assert "Traceback" not in r.err
    assert r.err.strip() == "test: 3 messages (3 new)"
    # Dovecot marks a login made over TLS (implicit or after STLS) with "TLS"; a
    # plaintext login on loopback would say "secured" instead.
    logins = pop3_logins(dovecot, dovecot_user)
    assert logins and all(", TLS," in line for line in logins), logins
    lines = r.lines()
    assert len(lines) == 3
    assert [line.split()[0] for line in lines] == ["1", "2", "3"]
    assert "Bob Example" in lines[0] and "Plain hello" in lines[0]
    assert "José García" in lines[1] and UNICODE_SUBJECT in lines[1]
    assert "=?utf-8?" not in r.text
    # The attachment mark sits just before the right-aligned size column.
    assert [line[-9] for line in lines] == [" ", " ", "@"]

    rows = list_ok(pymail)
    assert [set(row) for row in rows] == [JSON_KEYS] * 3
    assert [row["num"] for row in rows] == [1, 2, 3]
    uidls = dovecot_user.pop3_uidls()
    assert [row["uid"] for row in rows] == [uidls[1], uidls[2], uidls[3]]
    assert [row["subject"] for row in rows] == ["Plain hello", UNICODE_SUBJECT, "Invoice attached"]
    assert rows[0]["from"] == "Bob Example <bob@example.com>"
    assert rows[1]["from"] == UNICODE_SENDER
    assert rows[2]["from"] == "Accounts <accounts@example.com>"
    assert rows[0]["to"] == "bob@example.com"
    assert rows[1]["date"] == "2026-11-27T14:30:00+01:00"
    assert datetime.fromisoformat(str(rows[1]["date"])) == datetime(
        2026, 11, 27, 13, 30, tzinfo=UTC
    )
    assert datetime.fromisoformat(str(rows[2]["date"])).utcoffset() == timedelta(0)
    assert [row["attachments"] for row in rows] == [False, False, True]
    # Dovecot's LIST size counts the CRLF form, which is how these were delivered.
    assert [row["size"] for row in rows] == [len(plain), len(uni), len(att)]


def test_show_and_show_raw(
    pymail: Pymail, dovecot: DovecotServer, dovecot_user: DovecotUser, security: str
) -> None:
    plain = make_message("Plain hello", "Hi there.\r\nSecond line.\r\n")
    # Stored with bare LF, lines that need dot-stuffing (RFC 1939 §3), and a lone ".".
    dotted = lf(make_message("Dots", ".hidden line\r\n..two dots\r\n.\r\nend\r\n"))
    att = attachment_message()
    uni = unicode_message()
    dovecot_user.deliver_many([plain, dotted, att, uni])
    configure(pymail, dovecot, dovecot_user, security)
    assert pymail("list").rc == 0

    r = pymail("show", "1")
    assert r.rc == 0, r.err
    assert "Subject: Plain hello" in r.lines()
    assert "From:    Alice Example <alice@example.com>" in r.lines()
    assert "Hi there." in r.text and "Second line." in r.text

    r = pymail("show", "2", "--raw")
    assert r.rc == 0, r.err
    assert lf(r.out) == dotted  # un-stuffed, nothing cut at the lone "."

    r = pymail("show", "3", "--raw")
    assert r.rc == 0, r.err
    assert r.out == att  # delivered with CRLF: byte for byte

    r = pymail("show", "3")
    assert r.rc == 0, r.err
    assert any(
        line.startswith("Attachment 1: invoice.pdf (application/pdf") for line in r.lines()
    ), r.text
    assert "Please find the invoice attached." in r.text

    r = pymail("show", "4")
    assert r.rc == 0, r.err
    assert f"Subject: {UNICODE_SUBJECT}" in r.lines()
    assert f"From:    {UNICODE_SENDER}" in r.lines()
    assert "Bonjour à tous." in r.text


def test_delete_removes_exactly_that_message(
    pymail: Pymail, dovecot: DovecotServer, dovecot_user: DovecotUser, security: str
) -> None:
    dovecot_user.deliver_many([numbered(f"msg {i}", f"m{i}") for i in range(1, 5)])
    configure(pymail, dovecot, dovecot_user, security)
    assert pymail("list").rc == 0

    r = pymail("delete", "2", "--yes")
    assert r.rc == 0, r.err
    assert r.text.strip() == "Deleted 1 message."
    assert dovecot_user.imap_message_ids() == [
        "<m1@example.com>",
        "<m3@example.com>",
        "<m4@example.com>",
    ]
    assert len(maildir_files(dovecot_user)) == 3
    rows = list_ok(pymail)
    assert [(row["num"], row["subject"]) for row in rows] == [
        (1, "msg 1"),
        (2, "msg 3"),
        (3, "msg 4"),
    ]


# -- numbers mean what the user saw -----------------------------------------------------


def test_numbers_survive_other_client_expunge_and_new_mail(
    pymail: Pymail, dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    msgs = {tag: numbered(f"msg {tag}", tag) for tag in "ABCD"}
    dovecot_user.deliver_many(list(msgs.values()))
    configure(pymail, dovecot, dovecot_user)
    assert pymail("list").rc == 0  # the user sees 1=A 2=B 3=C 4=D

    # Another client expunges A: on the server C is now message 2.
    dovecot_user.other_client_delete_by_message_id("<A@example.com>")
    r = pymail("show", "3", "--raw")
    assert r.rc == 0, r.err
    assert r.out == msgs["C"]
    r = pymail("delete", "3", "--yes")
    assert r.rc == 0, r.err
    assert dovecot_user.imap_message_ids() == ["<B@example.com>", "<D@example.com>"]

    # New mail arrives and no list is run: 4 is still D and 2 still B.
    dovecot_user.deliver(numbered("msg E", "E"))
    r = pymail("show", "4", "--raw")
    assert r.rc == 0, r.err
    assert r.out == msgs["D"]
    r = pymail("delete", "2", "--yes")
    assert r.rc == 0, r.err
    assert dovecot_user.imap_message_ids() == ["<D@example.com>", "<E@example.com>"]

    rows = list_ok(pymail)
    assert [(row["num"], row["subject"]) for row in rows] == [(1, "msg D"), (2, "msg E")]


def test_show_of_message_deleted_by_another_client_is_refused(
    pymail: Pymail, dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    dovecot_user.deliver_many([numbered(f"msg {t}", t) for t in "ABC"])
    configure(pymail, dovecot, dovecot_user)
    assert pymail("list").rc == 0
    dovecot_user.other_client_delete_by_message_id("<B@example.com>")

    for args in (("show", "2"), ("show", "2", "--raw")):
        r = pymail(*args)
        sentence = r.assert_clean_error(3)
        assert r.out == b""
        assert "msg B" in sentence and "no longer on the server" in sentence
    # The neighbours are untouched and still reachable by the numbers the user saw.
    assert pymail("show", "3", "--raw").out == numbered("msg C", "C")
    assert dovecot_user.imap_message_ids() == ["<A@example.com>", "<C@example.com>"]


def test_delete_of_message_another_client_deleted(
    pymail: Pymail, dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    dovecot_user.deliver_many([numbered(f"msg {t}", t) for t in "ABC"])
    configure(pymail, dovecot, dovecot_user)
    assert pymail("list").rc == 0
    dovecot_user.other_client_delete_by_message_id("<B@example.com>")
    r = pymail("delete", "2", "3", "--yes")
    assert r.rc == 0, r.err
    assert r.text.strip() == "Deleted 1 message; 1 had already been removed on the server."
    assert dovecot_user.imap_message_ids() == ["<A@example.com>"]
    r = pymail("show", "2")  # the number no longer names anything
    r.assert_clean_error(2)


# -- offline ----------------------------------------------------------------------------


def test_list_offline_needs_no_server(
    pymail: Pymail, dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    dovecot_user.deliver_many([numbered("msg A", "A"), unicode_message()])
    configure(pymail, dovecot, dovecot_user)
    assert pymail("list").rc == 0
    assert pymail("show", "1").rc == 0  # read once: its text is kept (and it is seen)
    online = pymail("list")
    assert online.rc == 0, online.err
    online_json = pymail("list", "--json")

    configure(pymail, dovecot, dovecot_user, port=free_port())  # nothing listens there
    r = pymail("list")
    sentence = r.assert_clean_error(5)
    assert r.out == b""
    assert sentence

    for attempt in range(2):  # also after the failed online list
        r = pymail("list", "--offline")
        assert r.rc == 0, (attempt, r.err)
        assert r.err == ""  # no refresh report: nothing was asked of a server
        assert r.out == online.out
        r = pymail("list", "--offline", "--json")
        assert r.rc == 0, r.err
        assert json.loads(r.text) == json.loads(online_json.text)
    r = pymail("show", "1", "--raw")
    assert r.rc == 0, r.err
    assert r.out == numbered("msg A", "A")


# -- failures: exit codes and one sentence ----------------------------------------------


def test_wrong_password_exits_4(
    pymail: Pymail, dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    dovecot_user.deliver(numbered("msg A", "A"))
    wrong = "Zq8-not-the-password"
    configure(pymail, dovecot, dovecot_user, password=wrong)
    r = pymail("list")
    r.assert_clean_error(4)
    assert r.out == b""
    assert wrong not in r.err


@pytest.mark.parametrize(
    ("security", "which"),
    [("tls", "untrusted"), ("starttls", "untrusted"), ("tls", "system store only")],
)
def test_untrusted_certificate_exits_5(
    pymail: Pymail,
    dovecot: DovecotServer,
    dovecot_user: DovecotUser,
    untrusted_tls_files: TLSFiles,
    security: str,
    which: str,
) -> None:
    dovecot_user.deliver(numbered("msg A", "A"))
    if which == "untrusted":
        configure(pymail, dovecot, dovecot_user, security, ca_file=untrusted_tls_files.ca_file)
    else:
        configure(pymail, dovecot, dovecot_user, security, trust=False)
    r = pymail("list")
    r.assert_clean_error(5)
    assert r.out == b""
    # Nothing was cached from an unverified server.
    assert pymail("list", "--offline", "--json").text.strip() == "[]"


@pytest.mark.parametrize("where", ["closed port", "plain POP3 port"])
def test_unreachable_or_wrong_port_exits_5(
    pymail: Pymail, dovecot: DovecotServer, dovecot_user: DovecotUser, where: str
) -> None:
    # Implicit TLS against the plaintext port: the greeting is not a TLS handshake.
    port = free_port() if where == "closed port" else dovecot.pop3_port
    configure(pymail, dovecot, dovecot_user, port=port)
    for args in (("list",), ("list", "--json")):
        r = pymail(*args)
        r.assert_clean_error(5)
        assert r.out == b""
