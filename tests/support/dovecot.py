"""A private Dovecot (POP3 + IMAP) on 127.0.0.1 for integration tests.

Fixtures: ``dovecot`` (session; a running :class:`DovecotServer`) and ``dovecot_user``
(function; a fresh :class:`DovecotUser` with an empty Maildir). Tests that use them get
the ``dovecot`` marker. Without Dovecot installed they skip, or FAIL when ``CI`` is set,
so a CI machine that lost its Dovecot cannot go green by skipping.

Observed on Debian 12, Dovecot 2.3.19.1, with the configuration written below (the tests
in tests/support_tests/test_dovecot_fixture.py assert each of these but the 12 s one):

- Greeting ``+OK Dovecot (Debian) ready.``; CAPA before login on the plain port: ``TOP
  UIDL RESP-CODES PIPELINING AUTH-RESP-CODE STLS USER SASL PLAIN LOGIN``; on the POP3S
  port the same without ``STLS``; after login only ``TOP UIDL RESP-CODES PIPELINING
  AUTH-RESP-CODE``.
- UIDLs look like ``000000016b086ac0`` (``%08Xu%08Xv``: IMAP UID then UIDVALIDITY, both
  printed as lower-case hex), stable across sessions until the mailbox is recreated.
- ``LIST`` sizes count the file with LF turned into CRLF. A message stored without a
  final newline is served with CRLF added, and that CRLF is NOT in the ``LIST`` size (a
  52-octet file is listed as 52 and retrieved as 54 octets).
- IMAP expunging a message while a POP3 session is open (``pop3_lock_session = no``, the
  default): the open session keeps its numbering; ``LIST``, ``UIDL`` and ``STAT`` still
  show the expunged message under its old number and UID. ``RETR n`` and ``TOP n 0`` of
  it answer ``-ERR Message n expunged.``; ``DELE n`` answers ``+OK Marked to be
  deleted.``, and ``QUIT`` answers ``+OK Logging out, messages deleted.``; the other
  messages keep their numbers and are retrieved normally. The next session no longer
  lists the expunged message and renumbers the rest. A file removed from the Maildir
  behind Dovecot's back (``server_side_delete_file``) gives the same answers.
- ``-ERR [IN-USE]``: never with the default ``pop3_lock_session = no``: a second POP3
  login to an open maildrop succeeds and both sessions work; a message one of them
  deletes (DELE, QUIT) is then "expunged" for the other, as above. With ``extra_config=
  "pop3_lock_session = yes"`` the second login hangs about 12 s and then answers ``-ERR
  [IN-USE] Mailbox is locked by another POP3 session.`` (IMAP is not blocked by it).
- A wrong password answers ``-ERR [AUTH] Authentication failed.`` after Dovecot's
  ``auth_failure_delay`` (1.5 to 2 s). The per-IP auth penalty that would delay the
  following logins too is switched off in this configuration (see ``service anvil``).
- Dovecot stats a passwd-file at most once a second, so a user appended to a shared
  file may be unknown for up to a second: each user gets a passwd-file of their own.
"""

from __future__ import annotations

import contextlib
import grp
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.dovecot_mailbox import TIMEOUT, DovecotUser, MessageSelector
from tests.support.dovecot_procs import (
    DIR_PREFIX,
    HOST,
    cleanup_stale_runs,
    free_port,
    read_pid,
    stop_group,
)

if TYPE_CHECKING:  # imported lazily: pytest must rewrite tls.py as a plugin first
    from tests.support.tls import TLSFiles

START_TIMEOUT = 20.0
_SOCKET_PATH_MAX = 107  # sun_path is 108 bytes with the NUL; Dovecot's longest name
_LONGEST_SOCKET_NAME = len("/login/imap-urlauth-login-extra")  # is about this long

_counter = itertools.count(1)

__all__ = [
    "DIR_PREFIX",
    "HOST",
    "DovecotServer",
    "DovecotUser",
    "MessageSelector",
    "cleanup_stale_runs",
    "dovecot",
    "dovecot_user",
    "find_dovecot",
]


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def find_dovecot(search_path: str | None = None) -> Path:
    """The dovecot binary (PATH, then the sbin dirs, unless ``search_path`` is given);
    skip the calling test, or fail it under CI, when Dovecot is missing."""
    if search_path is None:
        search_path = os.pathsep.join(
            [os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin", "/usr/bin"]
        )
    found = shutil.which("dovecot", path=search_path)
    if found:
        return Path(found)
    message = (
        "Dovecot is not installed: run scripts/test, or "
        "`sudo apt-get install dovecot-pop3d dovecot-imapd` (Debian/Ubuntu)"
    )
    if _ci():
        pytest.fail(f"CI requires Dovecot for integration tests. {message}", pytrace=False)
    pytest.skip(message)


@dataclass(frozen=True)
class _MailOwner:
    """The uid/gid that owns every Maildir; Dovecot refuses uids below first_valid_uid."""

    uid: int
    gid: int
    internal_user: str  # Dovecot's default_internal_user (and login user when not root)
    internal_group: str

    @classmethod
    def pick(cls) -> _MailOwner:
        if os.geteuid() != 0:
            # An unprivileged Dovecot can only serve the user it runs as.
            me = pwd.getpwuid(os.geteuid())
            return cls(me.pw_uid, me.pw_gid, me.pw_name, grp.getgrgid(me.pw_gid).gr_name)
        for name in ("mail", "dovenull"):
            with contextlib.suppress(KeyError):
                entry = pwd.getpwnam(name)
                return cls(entry.pw_uid, entry.pw_gid, "dovecot", "dovecot")
        raise RuntimeError("no 'mail' or 'dovenull' user to own the test maildirs")


_CONFIG = """\
# Written by tests/support/dovecot.py: a private instance, loopback only.
base_dir = {run}
state_dir = {state}
instance_name = {instance}
protocols = pop3 imap
listen = {host}
log_path = {log}
auth_verbose = yes
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {uid}
last_valid_uid = 0
first_valid_gid = 1
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login_user}
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xu%08Xv
# No stats process: login processes otherwise wait ~5 s for its handshake at shutdown.
stats_writer_socket_path =
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}/%n
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {passwd}/%n
}}
# Tests open several sessions per user at once (a POP client plus "another client").
protocol pop3 {{
  mail_max_userip_connections = 100
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
service pop3-login {{
  inet_listener pop3 {{
    address = {host}
    port = {pop3}
  }}
  inet_listener pop3s {{
    address = {host}
    port = {pop3s}
    ssl = yes
  }}
  {chroot}
}}
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {imap}
  }}
  inet_listener imaps {{
    address = {host}
    port = {imaps}
    ssl = yes
  }}
  {chroot}
}}
# No auth penalty: after a failed login Dovecot delays every later login from the same
# IP by 2 to 15 s (src/auth/auth-penalty.c), which would make a wrong-password test slow
# down the tests after it. With mode 0 the socket is not created, and the auth process
# turns the penalty off when the socket is missing (checked on 2.3.19).
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
  {chroot}
}}
"""


@dataclass
class DovecotServer:
    """A running private Dovecot; build it with :meth:`start`, end it with :meth:`stop`."""

    root: Path
    tls: TLSFiles
    owner: _MailOwner
    binary: Path
    host: str = HOST
    pop3_port: int = 0
    pop3s_port: int = 0
    imap_port: int = 0
    imaps_port: int = 0
    extra_config: str = ""
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _users: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def config_path(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def log_path(self) -> Path:
        return self.root / "dovecot.log"

    @property
    def ca_file(self) -> Path:
        """The CA that issued the server certificate: trust it to verify 127.0.0.1."""
        return self.tls.ca_file

    @property
    def passwd_dir(self) -> Path:
        return self.root / "passwd"

    @classmethod
    def start(
        cls, tls: TLSFiles, binary: Path | None = None, extra_config: str = ""
    ) -> DovecotServer:
        """Start Dovecot in a fresh short temp dir; retry when a chosen port was taken.
        ``extra_config`` is appended to the configuration (e.g. ``pop3_lock_session = yes``)."""
        tmp_root = Path(tempfile.gettempdir())
        if len(str(tmp_root)) > 40:  # a long TMPDIR would break the unix sockets
            tmp_root = Path("/tmp")
        cleanup_stale_runs(tmp_root)
        binary = binary or find_dovecot()
        last: Exception | None = None
        for _attempt in range(3):
            root = Path(tempfile.mkdtemp(prefix=DIR_PREFIX, dir=tmp_root))
            server = cls(
                root=root,
                tls=tls,
                owner=_MailOwner.pick(),
                binary=binary,
                extra_config=extra_config,
            )
            try:
                server._launch()
            except RuntimeError as exc:  # port race or bad start: try fresh ports
                last = exc
                server.stop()
                continue
            return server
        raise RuntimeError(f"Dovecot did not start after 3 attempts: {last}")

    def _launch(self) -> None:
        self.root.chmod(0o755)  # Dovecot's unprivileged processes must traverse it
        (self.root / "owner.pid").write_text(f"{os.getpid()}\n")
        for sub in ("state", "home"):
            (self.root / sub).mkdir(mode=0o755)
        run = self.root / "run"
        if len(str(run)) + _LONGEST_SOCKET_NAME > _SOCKET_PATH_MAX:
            raise RuntimeError(f"base_dir {run} is too long for unix socket paths")
        self.pop3_port, self.pop3s_port = free_port(), free_port()
        self.imap_port, self.imaps_port = free_port(), free_port()
        self.passwd_dir.mkdir(mode=0o755)
        root_run = os.geteuid() == 0
        self.config_path.write_text(
            _CONFIG.format(
                run=run,
                state=self.root / "state",
                instance=self.root.name,
                host=self.host,
                log=self.log_path,
                uid=self.owner.uid,
                internal=self.owner.internal_user,
                internal_group=self.owner.internal_group,
                login_user="dovenull" if root_run else self.owner.internal_user,
                cert=self.tls.cert_file,
                key=self.tls.key_file,
                passwd=self.passwd_dir,
                pop3=self.pop3_port,
                pop3s=self.pop3s_port,
                imap=self.imap_port,
                imaps=self.imaps_port,
                # chroot needs root: an unprivileged run switches it off.
                chroot="" if root_run else "chroot =",
            )
            + self.extra_config
        )
        # -F keeps the master in the foreground so it is our child: we see it die and we
        # reap it. Its stdout/stderr go to a file: Dovecot keeps inherited descriptors
        # open, which would hang any pipe reading pytest's output.
        with (self.root / "stdout.log").open("wb") as out:
            self._proc = subprocess.Popen(
                [str(self.binary), "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        assert self._proc is not None
        ports = (self.pop3_port, self.pop3s_port, self.imap_port, self.imaps_port)
        deadline = time.monotonic() + START_TIMEOUT
        pending = list(ports)
        master_pid = self.root / "run" / "master.pid"
        # Ready once every port accepts and master.pid names our child (it is written
        # after the listeners; stale-run cleanup relies on it).
        while pending or read_pid(master_pid) != self._proc.pid:
            if self._proc.poll() is not None:
                raise RuntimeError(
                    f"Dovecot exited with {self._proc.returncode}\n{self.tail_log()}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"Dovecot ports {pending} not ready\n{self.tail_log()}")
            if not pending:
                time.sleep(0.01)
                continue
            try:
                with socket.create_connection((self.host, pending[0]), timeout=1.0):
                    pending.pop(0)
            except OSError:
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop Dovecot and every process it started, then remove the temp dir."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.returncode is None:
                stop_group(proc.pid)
            proc.wait(timeout=TIMEOUT)
        shutil.rmtree(self.root, ignore_errors=True)

    def tail_log(self, lines: int = 40) -> str:
        """The last lines of Dovecot's log (and of its early stdout/stderr)."""
        parts = []
        for path in (self.root / "stdout.log", self.log_path):
            with contextlib.suppress(OSError):
                text = path.read_text(errors="replace").splitlines()[-lines:]
                if text:
                    parts.append(f"--- {path.name} ---\n" + "\n".join(text))
        return "\n".join(parts) or "(Dovecot wrote no log)"

    def _write_passwd_file(self, name: str, password: str) -> None:
        # One passwd-file per user (the path in the config ends in %n): Dovecot stats a
        # passwd-file at most once a second, so a line added to a shared file can stay
        # unseen by the next login; a new file is read on its first lookup. Format:
        # user:password:uid:gid:gecos:home:shell. Readable by the auth process, which
        # runs as default_internal_user.
        tmp = self.passwd_dir / f".{name}.tmp"
        tmp.write_text(
            f"{name}:{{PLAIN}}{password}:{self.owner.uid}:{self.owner.gid}::"
            f"{self.root / 'home' / name}::\n"
        )
        tmp.chmod(0o644)
        os.replace(tmp, self.passwd_dir / name)

    def add_user(self, name: str | None = None, password: str = "secret") -> DovecotUser:
        """A new user with an empty Maildir, known to Dovecot at once."""
        name = name or f"u{next(_counter)}x{os.getpid()}"
        if (
            not (name.isascii() and name.isalnum())
            or name in self._users
            or not password.isprintable()
            or ":" in password
        ):
            raise ValueError(f"bad or duplicate test user name/password: {name!r}")
        home = self.root / "home" / name
        maildir = home / "Maildir"
        for sub in (home, maildir, maildir / "cur", maildir / "new", maildir / "tmp"):
            sub.mkdir(mode=0o700)
            os.chown(sub, self.owner.uid, self.owner.gid)
        self._users[name] = password
        self._write_passwd_file(name, password)
        return DovecotUser(server=self, name=name, password=password, maildir=maildir)


@pytest.fixture(scope="session")
def dovecot(tls_files: TLSFiles) -> Iterator[DovecotServer]:
    """A private Dovecot on 127.0.0.1 (POP3+STLS, POP3S, IMAP, IMAPS) for the session."""
    binary = find_dovecot()
    try:
        server = DovecotServer.start(tls_files, binary)
    except RuntimeError as exc:
        pytest.fail(f"could not start Dovecot: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def dovecot_user(dovecot: DovecotServer) -> DovecotUser:
    """A fresh user with an empty Maildir, so tests never see each other's mail."""
    return dovecot.add_user()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests that need Dovecot carry the marker, so `-m "not dovecot"` deselects them.
    for item in items:
        if {"dovecot", "dovecot_user"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.dovecot)
