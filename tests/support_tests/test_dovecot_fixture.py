"""The Dovecot fixture itself: it starts, serves POP3/POP3S/IMAP on 127.0.0.1 with our
CA, keeps users apart, and its "other client" helpers really change the mailbox.

The POP3 behaviours the client design relies on (see tests/support/dovecot.py's module
docstring) are asserted here, so a Dovecot upgrade that changes them fails loudly.
"""

from __future__ import annotations

import os
import poplib
import re
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.dovecot import (
    DIR_PREFIX,
    HOST,
    DovecotServer,
    DovecotUser,
    cleanup_stale_runs,
    find_dovecot,
)
from tests.support.tls import TLSFiles

UIDL_RE = re.compile(r"[0-9a-f]{8}[0-9a-f]{8}")


def sample(n: int, subject: str | None = None) -> bytes:
    subject = subject or f"Message {n}"
    return (
        f"From: Alice <alice@example.org>\nTo: bob@example.org\nSubject: {subject}\n"
        f"Message-ID: <msg{n}@example.org>\n\nBody of message {n}.\n"
    ).encode()


@contextmanager
def pop3s(user: DovecotUser, ca_file: Path) -> Iterator[poplib.POP3_SSL]:
    ctx = ssl.create_default_context(cafile=str(ca_file))
    conn = poplib.POP3_SSL(user.server.host, user.server.pop3s_port, context=ctx, timeout=10)
    try:
        conn.user(user.name)
        conn.pass_(user.password)
        yield conn
    finally:
        conn.close()


@contextmanager
def pop3_plain(user: DovecotUser) -> Iterator[poplib.POP3]:
    conn = poplib.POP3(user.server.host, user.server.pop3_port, timeout=10)
    try:
        conn.user(user.name)
        conn.pass_(user.password)
        yield conn
    finally:
        conn.close()


def uidls_of(conn: poplib.POP3) -> dict[int, str]:
    _resp, lines, _octets = conn.uidl()
    return {int(n): u.decode("ascii") for n, u in (line.split() for line in lines)}


def test_two_users_see_only_their_mail_over_pop3s(dovecot: DovecotServer) -> None:
    alice, bob = dovecot.add_user(), dovecot.add_user()
    alice.deliver_many([sample(1), sample(2), sample(3)])
    bob.deliver(sample(9))
    with pop3s(alice, dovecot.ca_file) as conn:
        assert conn.stat()[0] == 3
        _resp, lines, _octets = conn.retr(2)
        assert b"Subject: Message 2" in lines
        assert lines[-1] == b"Body of message 2."
        assert all(UIDL_RE.fullmatch(u) for u in uidls_of(conn).values())
    with pop3s(bob, dovecot.ca_file) as conn:
        _resp, lines, _octets = conn.retr(1)
        assert conn.stat()[0] == 1 and b"Message-ID: <msg9@example.org>" in lines


def test_uidls_stable_across_sessions_and_ports(dovecot_user: DovecotUser) -> None:
    dovecot_user.deliver_many([sample(1), sample(2), sample(3)])
    first = dovecot_user.pop3_uidls()
    assert sorted(first) == [1, 2, 3] and len(set(first.values())) == 3
    with pop3s(dovecot_user, dovecot_user.server.ca_file) as conn:
        assert uidls_of(conn) == first
    assert dovecot_user.pop3_uidls() == first


def test_fresh_user_per_test_has_empty_mailbox(dovecot_user: DovecotUser) -> None:
    assert dovecot_user.pop3_uidls() == {}
    assert dovecot_user.imap_message_ids() == []


def test_dovecot_marker_added(request: pytest.FixtureRequest, dovecot_user: DovecotUser) -> None:
    assert request.node.get_closest_marker("dovecot") is not None


def test_deliver_writes_like_an_mda(dovecot_user: DovecotUser) -> None:
    name = dovecot_user.deliver(sample(1))
    path = dovecot_user.maildir / "new" / name
    st = path.stat()
    assert path.read_bytes() == sample(1)
    assert (st.st_uid, st.st_gid) == (dovecot_user.server.owner.uid, dovecot_user.server.owner.gid)
    assert st.st_mode & 0o777 == 0o600
    assert list((dovecot_user.maildir / "tmp").iterdir()) == []
    assert dovecot_user.deliver(sample(1)) != name


def test_imap_delete_by_message_id_seen_by_next_pop3_session(dovecot_user: DovecotUser) -> None:
    dovecot_user.deliver_many([sample(1), sample(2), sample(3)])
    before = dovecot_user.pop3_uidls()
    assert dovecot_user.imap_message_ids() == [f"<msg{n}@example.org>" for n in (1, 2, 3)]
    assert dovecot_user.other_client_delete_by_message_id("<msg2@example.org>") == [
        "<msg2@example.org>"
    ]
    assert dovecot_user.imap_message_ids() == ["<msg1@example.org>", "<msg3@example.org>"]
    # The survivors keep their UIDLs but are renumbered.
    assert dovecot_user.pop3_uidls() == {1: before[1], 2: before[3]}


def test_imap_delete_by_subject_index_and_predicate(dovecot_user: DovecotUser) -> None:
    dovecot_user.deliver_many([sample(1), sample(2, "Same"), sample(3, "Same"), sample(4)])
    assert dovecot_user.other_client_delete_by_subject("Same") == [
        "<msg2@example.org>",
        "<msg3@example.org>",
    ]
    assert dovecot_user.imap_delete([2]) == ["<msg4@example.org>"]
    assert dovecot_user.imap_delete(lambda m: "1@" in str(m["Message-ID"])) == [
        "<msg1@example.org>"
    ]
    assert dovecot_user.imap_message_ids() == []
    with pytest.raises(LookupError):
        dovecot_user.other_client_delete_by_subject("Same")
    with pytest.raises(LookupError):
        dovecot_user.other_client_delete_by_message_id("<msg1@example.org>")


def test_imap_expunge_during_open_pop3_session(dovecot_user: DovecotUser) -> None:
    dovecot_user.deliver_many([sample(1), sample(2), sample(3)])
    with pop3_plain(dovecot_user) as conn:
        listed = uidls_of(conn)
        dovecot_user.other_client_delete_by_message_id("<msg2@example.org>")
        # The open session keeps its view (RFC 1939 numbering is per session) ...
        assert uidls_of(conn) == listed
        assert conn.stat()[0] == 3
        # ... but the expunged message can no longer be read ...
        with pytest.raises(poplib.error_proto) as refused:
            conn.retr(2)
        assert refused.value.args == (b"-ERR Message 2 expunged.",)
        with pytest.raises(poplib.error_proto) as refused:
            conn.top(2, 0)
        assert refused.value.args == (b"-ERR Message 2 expunged.",)
        # ... while the others keep their numbers.
        assert conn.retr(3)[1][-1] == b"Body of message 3."
        assert conn.dele(2) == b"+OK Marked to be deleted."
        assert conn.dele(1) == b"+OK Marked to be deleted."
        assert conn.quit() == b"+OK Logging out, messages deleted."
    assert dovecot_user.pop3_uidls() == {1: listed[3]}


def test_server_side_file_delete_during_open_pop3_session(dovecot_user: DovecotUser) -> None:
    names = dovecot_user.deliver_many([sample(1), sample(2)])
    with pop3_plain(dovecot_user) as conn:
        listed = uidls_of(conn)  # Dovecot has moved the files to cur/ by now
        removed = dovecot_user.server_side_delete_file(names[0])
        assert removed.parent.name == "cur" and not removed.exists()
        with pytest.raises(poplib.error_proto) as refused:
            conn.retr(1)
        assert refused.value.args == (b"-ERR Message 1 expunged.",)
        assert conn.retr(2)[1][-1] == b"Body of message 2."
        conn.quit()
    assert dovecot_user.pop3_uidls() == {1: listed[2]}
    with pytest.raises(FileNotFoundError):
        dovecot_user.server_side_delete_file(names[0])


def test_message_without_final_newline(dovecot_user: DovecotUser) -> None:
    data = b"Subject: x\r\nMessage-ID: <nl@example.org>\r\n\r\nno newline"
    dovecot_user.deliver(data)
    with pop3_plain(dovecot_user) as conn:
        _resp, sizes, _ = conn.list()
        _resp, lines, octets = conn.retr(1)
    assert sizes == [f"1 {len(data)}".encode()]  # the added CRLF is not in LIST's size
    assert lines[-1] == b"no newline" and octets == len(data) + 2


def test_list_size_counts_crlf(dovecot_user: DovecotUser) -> None:
    dovecot_user.deliver(sample(1))  # stored with LF line ends, as an MDA does
    with pop3_plain(dovecot_user) as conn:
        _resp, sizes, _ = conn.list()
        _resp, lines, octets = conn.retr(1)
    crlf_size = len(sample(1)) + sample(1).count(b"\n")
    assert sizes == [f"1 {crlf_size}".encode()]
    assert octets == crlf_size and b"\r\n".join(lines) + b"\r\n" == sample(1).replace(
        b"\n", b"\r\n"
    )


def test_second_pop3_session_is_not_refused(dovecot_user: DovecotUser) -> None:
    # pop3_lock_session = no (Dovecot's default): no -ERR [IN-USE], both sessions work.
    dovecot_user.deliver_many([sample(1), sample(2)])
    with pop3_plain(dovecot_user) as first, pop3_plain(dovecot_user) as second:
        assert uidls_of(first) == uidls_of(second)
        assert second.dele(1) == b"+OK Marked to be deleted."
        second.quit()
        # The first session sees the other POP3 session's delete like an IMAP expunge.
        with pytest.raises(poplib.error_proto) as refused:
            first.retr(1)
        assert refused.value.args == (b"-ERR Message 1 expunged.",)
        assert first.retr(2)[1][-1] == b"Body of message 2."
    assert sorted(dovecot_user.pop3_uidls()) == [1]


def test_capabilities_and_stls(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    conn = poplib.POP3(dovecot.host, dovecot.pop3_port, timeout=10)
    try:
        assert conn.getwelcome() == b"+OK Dovecot (Debian) ready."
        caps = conn.capa()
        for name in ("PIPELINING", "RESP-CODES", "STLS", "UIDL", "TOP", "USER"):
            assert name in caps
        assert "PLAIN" in caps["SASL"]
        conn.stls(ssl.create_default_context(cafile=str(dovecot.ca_file)))
        assert "STLS" not in conn.capa()
        conn.user(dovecot_user.name)
        conn.pass_(dovecot_user.password)
        assert set(conn.capa()) == {
            "CAPA",
            "TOP",
            "UIDL",
            "RESP-CODES",
            "PIPELINING",
            "AUTH-RESP-CODE",
        }
    finally:
        conn.close()
    with pop3s(dovecot_user, dovecot.ca_file) as tls_conn:
        assert isinstance(tls_conn.sock, ssl.SSLSocket)
        assert tls_conn.sock.version() in ("TLSv1.2", "TLSv1.3")


def test_wrong_password_is_auth_error(dovecot_user: DovecotUser) -> None:
    conn = poplib.POP3(dovecot_user.server.host, dovecot_user.server.pop3_port, timeout=10)
    try:
        conn.user(dovecot_user.name)
        with pytest.raises(poplib.error_proto) as refused:
            conn.pass_("wrong")
        # poplib puts the raw bytes in args (str() of it fails under python -bb).
        assert refused.value.args == (b"-ERR [AUTH] Authentication failed.",)
    finally:
        conn.close()
    # No auth penalty: the next good login from 127.0.0.1 is not delayed (2+ s otherwise).
    started = time.monotonic()
    assert dovecot_user.pop3_uidls() == {}
    assert time.monotonic() - started < 1.0


def test_listens_only_on_loopback(dovecot: DovecotServer) -> None:
    assert dovecot.host == "127.0.0.1"
    config = dovecot.config_path.read_text()
    assert "listen = 127.0.0.1" in config
    assert set(re.findall(r"address = (\S+)", config)) == {"127.0.0.1"}
    for port in (dovecot.pop3_port, dovecot.pop3s_port, dovecot.imap_port, dovecot.imaps_port):
        socket.create_connection((dovecot.host, port), timeout=5).close()
    assert dovecot.log_path.exists()
    assert "Dovecot v2" in dovecot.log_path.read_text()  # the master's start line


def test_untrusted_ca_is_refused(dovecot: DovecotServer, untrusted_tls_files: TLSFiles) -> None:
    for cafile in (untrusted_tls_files.ca_file, None):
        ctx = ssl.create_default_context(cafile=str(cafile) if cafile else None)
        with pytest.raises(ssl.SSLCertVerificationError):
            poplib.POP3_SSL(dovecot.host, dovecot.pop3s_port, context=ctx, timeout=10)


def test_add_user_rejects_bad_names(dovecot: DovecotServer) -> None:
    taken = dovecot.add_user().name
    for name in (taken, "a:b", "../x", ""):
        with pytest.raises(ValueError):
            dovecot.add_user(name or "bad name")


def test_find_dovecot_missing_skips_or_fails_under_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install dovecot-pop3d"):
        find_dovecot(search_path=str(tmp_path))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI requires Dovecot"):
        find_dovecot(search_path=str(tmp_path))


def test_stale_instance_of_dead_run_is_cleaned(tls_files: TLSFiles, dovecot: DovecotServer) -> None:
    stale = DovecotServer.start(tls_files)
    try:
        assert stale.root.name.startswith(DIR_PREFIX)
        dead = subprocess.Popen(["true"])
        dead.wait()
        (stale.root / "owner.pid").write_text(f"{dead.pid}\n")
        master = int((stale.root / "run" / "master.pid").read_text())
        cleanup_stale_runs(stale.root.parent)
        assert not stale.root.exists()
        assert dovecot.root.exists()  # a live run's instance is left alone
        assert stale._proc is not None
        assert stale._proc.wait(timeout=10) is not None
        with pytest.raises(ProcessLookupError):
            os.kill(master, 0)
    finally:
        stale.stop()


def test_cleanup_spares_young_unowned_dirs(tmp_path: Path) -> None:
    young = tmp_path / f"{DIR_PREFIX}young"
    old = tmp_path / f"{DIR_PREFIX}old"
    other = tmp_path / "unrelated"
    for directory in (young, old, other):
        directory.mkdir()
    os.utime(old, (0, 0))  # a run that died before writing owner.pid
    cleanup_stale_runs(tmp_path)
    assert young.exists() and other.exists() and not old.exists()


def test_large_message_delivered_whole(dovecot_user: DovecotUser) -> None:
    body = b"".join(b"line %06d " % n + b"x" * 70 + b"\n" for n in range(20_000))
    data = b"Subject: big\nMessage-ID: <big@example.org>\n\n" + body
    name = dovecot_user.deliver(data)
    assert (dovecot_user.maildir / "new" / name).read_bytes() == data
    with pop3_plain(dovecot_user) as conn:
        _resp, lines, _octets = conn.retr(1)
    assert b"\n".join(lines) + b"\n" == data
    assert dovecot_user.server.host == HOST
