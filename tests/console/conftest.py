"""Helpers for the end-to-end tests of ``pymail``: run the real command, write configs.

The command runs as a subprocess (``python -bb -m pymailgui.console.main``) with its own
``PYMAILGUI_HOME``, so every test sees a fresh cache and config and the exit status is the
one a shell script would see. ``-bb`` turns a bytes/str mix-up inside the client into an
error, as it does for the in-process tests.
"""

from __future__ import annotations

import base64
import email.policy
import os
import pty
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

import pytest
from tests.support.popserver import POP_PASSWORD, POP_USER

from pymailgui.devserver.pop3server import ScriptedPOP3Server

SRC = Path(__file__).resolve().parents[2] / "src"
RUN_TIMEOUT = 60.0  # seconds for one pymail run; a hang fails the test instead of CI

#: RFC 2047 words as a sending MUA writes them (Q for the name, B for the subject).
UNICODE_SUBJECT = "Réunion à Zürich — 会議 ✓"
UNICODE_SUBJECT_ENCODED = (
    "=?utf-8?b?" + base64.b64encode(UNICODE_SUBJECT.encode("utf-8")).decode("ascii") + "?="
)
UNICODE_SENDER = "José García <jose@example.com>"
UNICODE_SENDER_ENCODED = "=?utf-8?q?Jos=C3=A9_Garc=C3=ADa?= <jose@example.com>"


@dataclass(frozen=True)
class Result:
    """What one pymail run did: exit status, raw stdout, decoded stderr."""

    rc: int
    out: bytes
    err: str

    @property
    def text(self) -> str:
        return self.out.decode("utf-8")

    def lines(self) -> list[str]:
        return self.text.splitlines()

    def assert_clean_error(self, rc: int) -> str:
        """Exit ``rc`` with one sentence on stderr and no traceback; return the sentence."""
        assert self.rc == rc, f"exit {self.rc}, expected {rc}; stderr: {self.err!r}"
        assert "Traceback" not in self.err, self.err
        assert "internal error" not in self.err, self.err
        message = self.err.strip()
        assert message.startswith("pymail: "), self.err
        assert "\n" not in message, f"more than one line on stderr: {self.err!r}"
        assert message.endswith((".", ".)")), f"not a sentence: {message!r}"
        return message.removeprefix("pymail: ")


@dataclass
class Pymail:
    """Runs ``pymail`` with ``PYMAILGUI_HOME=home``; its default config is home/config.toml."""

    home: Path

    @property
    def config_path(self) -> Path:
        return self.home / "config.toml"

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYMAILGUI", "PYTHON", "COLUMNS", "LINES"))
        }
        env.update(
            PYMAILGUI_HOME=str(self.home),
            PYTHONPATH=str(SRC),
            HOME=str(self.home),  # no stray user config or keyring
            COLUMNS="120",  # a pipe has no terminal size; keep lines stable
        )
        env.update(extra or {})
        return env

    def __call__(self, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> Result:
        done = subprocess.run(
            self.command(*args),
            input=stdin.encode("utf-8"),
            capture_output=True,
            env=self.env(env),
            timeout=RUN_TIMEOUT,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"))

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-bb", "-m", "pymailgui.console.main", *args]

    def live(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        stdout_tty: bool = False,
        stderr_tty: bool = False,
    ) -> Live:
        """Start ``pymail`` with standard input on a pseudo-terminal (see :class:`Live`)."""
        return Live(
            self.command(*args), self.env(env), stdout_tty=stdout_tty, stderr_tty=stderr_tty
        )

    def on_terminal(self, *args: str, typed: str = "", env: dict[str, str] | None = None) -> Result:
        """Run with standard input on a pseudo-terminal where ``typed`` was typed (a
        "\x04" at the start of a line is Ctrl-D); stdout and stderr stay pipes."""
        live = self.live(*args, env=env)
        live.type(typed)
        return live.finish()


class Live:
    """A ``pymail`` run a test talks to while it runs: standard input on a terminal
    (``stdout_tty``/``stderr_tty``: that output on it too), output read as it comes."""

    def __init__(
        self, command: list[str], env: dict[str, str], *, stdout_tty: bool, stderr_tty: bool
    ) -> None:
        self.master, slave = pty.openpty()
        self.stdout_tty = stdout_tty
        try:
            self.proc = subprocess.Popen(
                command,
                stdin=slave,
                stdout=slave if stdout_tty else subprocess.PIPE,
                stderr=slave if stderr_tty else subprocess.PIPE,
                env=env,
            )
        finally:
            os.close(slave)
        self.output = bytearray()
        self.errors = bytearray()
        #: What reached the terminal: the echo of what was typed, and stdout/stderr
        #: when they are on it.
        self.screen = bytearray()
        self._lock = threading.Lock()
        # Every end is read as it comes, so no buffer ever fills and blocks the child.
        ends = [(self.master, self.screen)]
        if self.proc.stdout is not None:
            ends.append((self.proc.stdout.fileno(), self.output))
        if self.proc.stderr is not None:
            ends.append((self.proc.stderr.fileno(), self.errors))
        self._readers = [threading.Thread(target=self._read, args=end, daemon=True) for end in ends]
        for reader in self._readers:
            reader.start()

    def _read(self, fd: int, into: bytearray) -> None:
        try:
            while chunk := os.read(fd, 4096):
                with self._lock:
                    into += chunk
        except OSError:
            pass  # the terminal's end closes with an error once the child is gone

    @property
    def text(self) -> str:
        """Standard output so far (the terminal's text when stdout is on it)."""
        with self._lock:
            data = self.screen if self.stdout_tty else self.output
            return data.decode("utf-8", "replace")

    @property
    def screen_text(self) -> str:
        """Everything that reached the terminal (echo included)."""
        with self._lock:
            return self.screen.decode("utf-8", "replace")

    def type(self, text: str) -> None:
        os.write(self.master, text.encode("utf-8"))

    def expect(self, needle: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                time.sleep(0.2)
                assert needle in self.text, f"{needle!r} never came; output: {self.text!r}"
            time.sleep(0.02)

    def interrupt(self) -> None:
        """Ctrl-C: SIGINT to the process."""
        self.proc.send_signal(signal.SIGINT)

    def finish(self, timeout: float = RUN_TIMEOUT) -> Result:
        try:
            self.proc.wait(timeout=timeout)
        finally:
            self.proc.kill()
            for reader in self._readers:
                reader.join(5.0)
            os.close(self.master)
            for pipe in (self.proc.stdout, self.proc.stderr):
                if pipe is not None:
                    pipe.close()
        with self._lock:
            out = bytes(self.screen if self.stdout_tty else self.output)
            err = bytes(self.errors)
        return Result(self.proc.returncode, out, err.decode("utf-8", "replace"))


@pytest.fixture
def pymail(tmp_path: Path) -> Pymail:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    return Pymail(home)


def password_command(password: str) -> str:
    """A shell command that prints ``password`` (the config never holds it as a key)."""
    return f"printf '%s\\n' {shlex.quote(password)}"


def toml_string(value: str | Path) -> str:
    text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(
    path: Path,
    *,
    host: str,
    port: int,
    security: str,
    username: str,
    password: str,
    ca_file: Path | None = None,
    account: str = "test",
    address: str = "alice@example.com",
    timeout: float = 10.0,
    extra_pop: str = "",
    extra: str = "",
) -> Path:
    """Write a one-account config as docs/config.md describes it."""
    lines = [
        "[general]",
        "use_keyring = false",
        "",
        f"[accounts.{account}]",
        f"address = {toml_string(address)}",
        "",
        f"[accounts.{account}.pop]",
        f"host = {toml_string(host)}",
        f"port = {port}",
        f"security = {toml_string(security)}",
        f"username = {toml_string(username)}",
        f"password_command = {toml_string(password_command(password))}",
        f"timeout = {timeout}",
    ]
    if ca_file is not None:
        lines.append(f"ca_file = {toml_string(ca_file)}")
    if extra_pop:
        lines.append(extra_pop)
    if extra:
        lines += ["", extra]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def configure_scripted(
    pymail: Pymail,
    server: ScriptedPOP3Server,
    security: str = "none",
    *,
    port: int | None = None,
    password: str | None = None,
    ca_file: Path | None = None,
    extra: str = "",
) -> Path:
    """Point ``pymail``'s default config at the scripted server's test user."""
    return write_config(
        pymail.config_path,
        host=server.host,
        port=port or server.port,
        security=security,
        username=POP_USER,
        password=POP_PASSWORD if password is None else password,
        ca_file=ca_file,
        extra=extra,
    )


def smtp_table(port: int, account: str = "test") -> str:
    """The [smtp] table of a config for a plain SMTP server on 127.0.0.1 (no login)."""
    return (
        f'[accounts.{account}.smtp]\nhost = "127.0.0.1"\nport = {port}\n'
        'security = "none"\nauth = "none"\ntimeout = 5.0\n'
    )


# -- test messages --------------------------------------------------------------------


def unicode_message(body: str = "Bonjour à tous.\r\n") -> bytes:
    """A message whose Subject and From display name are RFC 2047 encoded words."""
    from tests.support.mail import make_message

    return make_message(
        UNICODE_SUBJECT_ENCODED,
        body,
        sender=UNICODE_SENDER_ENCODED,
        date="Fri, 27 Nov 2026 14:30:00 +0100",
    )


def attachment_message(subject: str = "Invoice attached") -> bytes:
    """A multipart/mixed message with a text part and a PDF attachment (CRLF ends)."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = Address("Accounts", "accounts", "example.com")
    msg["To"] = "alice@example.com"
    msg["Subject"] = subject
    msg["Date"] = "Sat, 28 Nov 2026 08:00:00 +0000"
    msg["Message-ID"] = "<invoice-1@example.com>"
    msg.set_content("Please find the invoice attached.\n")
    msg.add_attachment(
        b"%PDF-1.4\n% not really a PDF\n",
        maintype="application",
        subtype="pdf",
        filename="invoice.pdf",
    )
    return msg.as_bytes(policy=email.policy.SMTP)


def lf(data: bytes) -> bytes:
    """``data`` with CRLF turned into LF (how a file in a Maildir differs from the wire)."""
    return data.replace(b"\r\n", b"\n")
