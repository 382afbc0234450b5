"""A private Dovecot POP3 instance for the client's real-server tests.

Self-contained on purpose (the shared Dovecot fixture of the devserver work may not exist
yet). Facts it relies on are in /work/shared/POP-NOTES.md: a short base_dir (socket
paths < 108 bytes), Maildir owned by the passwd-file uid, stdout/stderr redirected.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.tls import TLSFiles

DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"
MAIL_USER = "nobody"  # an unprivileged uid that exists on Debian


@dataclass
class DovecotInstance:
    root: Path
    config: Path
    maildir: Path
    pop3_port: int
    pop3s_port: int
    username: str
    password: str

    def deliver(self, name: str, message: bytes) -> None:
        """Put a message in Maildir/new, owned by the mail user (as Dovecot requires)."""
        path = self.maildir / "new" / name
        path.write_bytes(message)
        shutil.chown(path, MAIL_USER, _group())

    def stop(self) -> None:
        subprocess.run(
            [DOVEADM, "-c", str(self.config), "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            timeout=20,
        )
        pid_file = self.root / "run" / "master.pid"
        deadline = time.monotonic() + 10
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        shutil.rmtree(self.root, ignore_errors=True)

    def log_text(self) -> str:
        log = self.root / "dovecot.log"
        return log.read_text(errors="replace") if log.exists() else ""


def available() -> bool:
    return os.path.exists(DOVECOT) and os.path.exists(DOVEADM) and os.geteuid() == 0


def _group() -> str:
    import grp
    import pwd

    return grp.getgrgid(pwd.getpwnam(MAIL_USER).pw_gid).gr_name


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port: int = probe.getsockname()[1]
        return port


def start(tls: TLSFiles, username: str = "alice", password: str = "dove-pa55") -> DovecotInstance:
    import pwd

    # Short path: the Unix sockets under base_dir must stay under 108 bytes. Mode 0755
    # so the unprivileged mail user can reach its home.
    root = Path(tempfile.mkdtemp(prefix="dc", dir="/tmp"))
    root.chmod(0o755)
    home = root / "home"
    maildir = home / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    entry = pwd.getpwnam(MAIL_USER)
    for path in (home, maildir, *(maildir / s for s in ("new", "cur", "tmp"))):
        os.chown(path, entry.pw_uid, entry.pw_gid)
    (root / "passwd").write_text(
        f"{username}:{{PLAIN}}{password}:{entry.pw_uid}:{entry.pw_gid}::{home}::\n"
    )
    pop3_port, pop3s_port = _free_port(), _free_port()
    config = root / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <{tls.cert_file}
ssl_key = <{tls.key_file}
disable_plaintext_auth = no
auth_mechanisms = plain
auth_failure_delay = 0
first_valid_uid = 1
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3_port}
  }}
  inet_listener pop3s {{
    address = 127.0.0.1
    port = {pop3s_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""
    )
    subprocess.run(
        [DOVECOT, "-c", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
        timeout=20,
    )
    instance = DovecotInstance(root, config, maildir, pop3_port, pop3s_port, username, password)
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", pop3_port), timeout=1):
                return instance
        except OSError:
            if time.monotonic() > deadline:
                log = instance.log_text()
                instance.stop()
                raise RuntimeError(f"Dovecot did not start:\n{log}") from None
            time.sleep(0.05)
