"""The bench lab: the scripted POP3 server and the latency proxy in a child process.

The servers live in their own process so they neither share the GIL with the client
being timed nor show up in its tracemalloc figures. The parent talks to the child over
its stdin/stdout, one JSON object per line:

- child, at start: ``{"host", "port", "proxy_port", "alice": [uids], "bob": [uids]}``
- ``reset``        -> alice's maildrop refilled with the same messages (new uids)
- ``pipelining 0`` / ``pipelining 1`` -> whether CAPA advertises PIPELINING
- ``proxy PORT``   -> ``{"port"}``: another slow link, to 127.0.0.1:PORT (Dovecot)
- ``idle``         -> answered once every session has ended (the maildrop is unlocked)
- ``quit``         -> servers stopped, child exits

User ``alice`` holds the N-message corpus, user ``bob`` one big message; both have the
password ``secret``. Run ``python -m bench.lab --help`` for the child's options.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "secret"
_UID_VALIDITY = 0x6B086AC0


class Lab:
    """Parent side: start the child, learn its ports, send it commands."""

    def __init__(self, messages: int, delay: float, big_size: int, seed: int = 1939) -> None:
        self.messages = messages
        self.delay = delay
        env = dict(os.environ)
        paths = [str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")]
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
        args = [sys.executable, "-m", "bench.lab", "--child", "--messages", str(messages)]
        args += ["--delay", str(delay), "--big", str(big_size), "--seed", str(seed)]
        self._proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, env=env
        )
        hello = self._read()
        self.host: str = hello["host"]
        self.port: int = hello["port"]
        self.proxy_port: int = hello["proxy_port"]
        self.alice: list[str] = hello["alice"]
        self.bob: list[str] = hello["bob"]

    def port_for(self, rtt: bool) -> int:
        """The proxy's port for a slow link, else the server's own."""
        return self.proxy_port if rtt else self.port

    def _read(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the bench server process died (see its error output above)")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def _ask(self, command: str) -> dict[str, Any]:
        assert self._proc.stdin is not None
        self._proc.stdin.write(command.encode("ascii") + b"\n")
        self._proc.stdin.flush()
        return self._read()

    def reset(self) -> list[str]:
        """Refill alice's maildrop (after deletions); returns the new uids."""
        self.alice = list(self._ask("reset")["alice"])
        return self.alice

    def pipelining(self, on: bool) -> None:
        self._ask(f"pipelining {int(on)}")

    def proxy_to(self, port: int) -> int:
        """A slow link (same delay) to another server on 127.0.0.1; returns its port."""
        answer: int = self._ask(f"proxy {int(port)}")["port"]
        return answer

    def idle(self) -> None:
        """Wait until the server has ended every session (so none holds the maildrop
        lock, RFC 1939 §8, when a timed session logs in)."""
        self._ask("idle")

    def close(self) -> None:
        if self._proc.poll() is None:
            try:
                self._ask("quit")
            except (OSError, RuntimeError, ValueError):
                pass
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)

    def __enter__(self) -> Lab:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# -- child side ----------------------------------------------------------------------


def _child(messages: int, delay: float, big: int, seed: int) -> None:
    from bench.corpus import big_message, make_messages
    from bench.proxy import LatencyProxy
    from pymailgui.devserver.maildrop import Maildrop
    from pymailgui.devserver.pop3server import ScriptedPOP3Server

    corpus = make_messages(messages, seed)
    alice = Maildrop(uid_validity=_UID_VALIDITY)
    bob = Maildrop(uid_validity=_UID_VALIDITY + 1)
    for data in corpus:
        alice.add(data)
    if big:
        bob.add(big_message(big))
    server = ScriptedPOP3Server({"alice": (PASSWORD, alice), "bob": (PASSWORD, bob)})
    host, port = server.start()
    proxy = LatencyProxy((host, port), delay, lifetime=1800.0)
    proxy.start()
    proxies = [proxy]

    def say(obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    try:
        say({"host": host, "port": port, "proxy_port": proxy.port,
             "alice": alice.uids(), "bob": bob.uids()})  # fmt: skip
        for line in sys.stdin:
            verb, _, arg = line.strip().partition(" ")
            server.wait_idle(10.0)
            if verb == "reset":
                alice.clear()
                for data in corpus:
                    alice.add(data)
                say({"alice": alice.uids()})
            elif verb == "proxy":
                extra = LatencyProxy((host, int(arg)), delay, lifetime=1800.0)
                extra.start()
                proxies.append(extra)
                say({"port": extra.port})
            elif verb == "idle":
                say({"ok": True})
            elif verb == "pipelining":
                server.set_behavior(pipelining=arg == "1")
                say({"ok": True})
            else:
                say({"ok": True})
                break
    finally:
        for each in proxies:
            each.stop()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="The bench's POP3 server process.")
    parser.add_argument("--child", action="store_true", required=True)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.025, help="one-way delay (s)")
    parser.add_argument("--big", type=int, default=20 * 1024 * 1024, help="bob's message size")
    parser.add_argument("--seed", type=int, default=1939)
    args = parser.parse_args()
    _child(args.messages, args.delay, args.big, args.seed)


if __name__ == "__main__":
    main()
