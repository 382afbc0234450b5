"""The bench lab: the scripted POP3 server and the latency proxies in a child process.

The servers live in their own process so they neither share the GIL with the client
being timed nor show up in its tracemalloc figures. The parent talks to the child over
its stdin/stdout, one JSON object per line:

- child, at start: ``{"host", "port", "users": {name: [uids]}}``
- ``proxy PORT RTT_MS`` -> ``{"port"}``: a slow link to 127.0.0.1:PORT (made once, kept)
- ``add USER K``    -> ``{"uids"}``: the next K corpus messages arrive for USER
- ``drop USER UID...`` -> the given messages are removed (by "another client")
- ``reset USER``    -> USER's maildrop refilled with its messages (new uids)
- ``pipelining 0`` / ``pipelining 1`` -> whether CAPA advertises PIPELINING
- ``idle``          -> answered once every session has ended (the maildrop is unlocked)
- ``quit``          -> servers stopped, child exits

User ``aliceN`` holds the first N corpus messages for each requested N (the corpora
share their bytes: 1,000 is the start of 10,000), user ``verbs`` the smallest of them
(for the verbs that delete), user ``bob`` one big message; every password is
``secret``. Run ``python -m bench.lab --help`` for the child's options.
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
VERBS_USER = "verbs"
_UID_VALIDITY = 0x6B086AC0


def user_for(n: int) -> str:
    return f"alice{n}"


def bench_env() -> dict[str, str]:
    """The environment for the bench's child processes: ``bench`` and ``pymailgui``
    importable from this checkout."""
    env = dict(os.environ)
    paths = [str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


class Lab:
    """Parent side: start the child, learn its ports, send it commands."""

    def __init__(self, sizes: list[int], big_size: int = 0, seed: int = 1939) -> None:
        args = [sys.executable, "-m", "bench.lab", "--child", "--sizes"]
        args += [",".join(map(str, sizes)), "--big", str(big_size), "--seed", str(seed)]
        self._proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, env=bench_env()
        )
        hello = self._read()
        self.host: str = hello["host"]
        self.port: int = hello["port"]
        self.users: dict[str, list[str]] = hello["users"]
        self._proxies: dict[tuple[int, int], int] = {}

    def uids(self, user: str) -> list[str]:
        return self.users[user]

    def link(self, port: int, rtt_ms: int) -> int:
        """The port to use for 127.0.0.1:``port`` at ``rtt_ms``: the port itself at 0 ms,
        else a latency proxy's (one per server and delay, kept for the run)."""
        if rtt_ms == 0:
            return port
        key = (port, rtt_ms)
        if key not in self._proxies:
            self._proxies[key] = int(self._ask(f"proxy {port} {rtt_ms}")["port"])
        return self._proxies[key]

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

    def add(self, user: str, count: int) -> list[str]:
        """``count`` new messages for ``user`` (the corpus messages after its own)."""
        uids = list(self._ask(f"add {user} {count}")["uids"])
        self.users[user] = [*self.users[user], *uids]
        return uids

    def drop(self, user: str, uids: list[str]) -> None:
        self._ask(f"drop {user} {' '.join(uids)}")
        gone = set(uids)
        self.users[user] = [u for u in self.users[user] if u not in gone]

    def reset(self, user: str) -> list[str]:
        """Refill ``user``'s maildrop (after deletions); returns the new uids."""
        self.users[user] = list(self._ask(f"reset {user}")["uids"])
        return self.users[user]

    def pipelining(self, on: bool) -> None:
        self._ask(f"pipelining {int(on)}")

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
        for pipe in (self._proc.stdin, self._proc.stdout):
            if pipe is not None:
                pipe.close()

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


def _child(sizes: list[int], big: int, seed: int) -> None:
    from bench.corpus import big_message, make_message, make_messages
    from bench.proxy import LatencyProxy
    from pymailgui.devserver.maildrop import Maildrop
    from pymailgui.devserver.pop3server import ScriptedPOP3Server

    corpus = make_messages(max(sizes), seed)
    drops: dict[str, Maildrop] = {}
    sizes_of: dict[str, int] = {}
    # One user per size, and "verbs" (the smallest size) for the verbs that delete.
    users = [(user_for(n), n) for n in sorted(sizes)] + [(VERBS_USER, min(sizes))]
    for i, (name, n) in enumerate(users):
        drop = drops[name] = Maildrop(uid_validity=_UID_VALIDITY + i)
        sizes_of[name] = n
        for data in corpus[:n]:
            drop.add(data)
    bob = drops["bob"] = Maildrop(uid_validity=_UID_VALIDITY + 100)
    if big:
        bob.add(big_message(big))
    server = ScriptedPOP3Server({name: (PASSWORD, drop) for name, drop in drops.items()})
    host, port = server.start()
    proxies: list[LatencyProxy] = []
    added: dict[str, int] = dict.fromkeys(drops, 0)

    def say(obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    try:
        say({"host": host, "port": port, "users": {k: d.uids() for k, d in drops.items()}})
        for line in sys.stdin:
            verb, *args = line.split()
            server.wait_idle(30.0)
            if verb == "proxy":
                proxy = LatencyProxy((host, int(args[0])), int(args[1]) / 2000, lifetime=7200.0)
                proxy.start()
                proxies.append(proxy)
                say({"port": proxy.port})
            elif verb == "add":
                user, count = args[0], int(args[1])
                first = sizes_of[user] + added[user] + 1
                new = [drops[user].add(make_message(first + k, seed)) for k in range(count)]
                added[user] += count
                say({"uids": new})
            elif verb == "drop":
                for uid in args[1:]:
                    drops[args[0]].delete(uid)
                say({"ok": True})
            elif verb == "reset":
                drop = drops[args[0]]
                drop.clear()
                for data in corpus[: sizes_of[args[0]]]:
                    drop.add(data)
                added[args[0]] = 0
                say({"uids": drop.uids()})
            elif verb == "pipelining":
                server.set_behavior(pipelining=args[0] == "1")
                say({"ok": True})
            elif verb == "idle":
                say({"ok": True})
            else:
                say({"ok": True})
                break
    finally:
        for proxy in proxies:
            proxy.stop()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="The bench's POP3 server process.")
    parser.add_argument("--child", action="store_true", required=True)
    parser.add_argument("--sizes", default="1000", help="mailbox sizes, comma-separated")
    parser.add_argument("--big", type=int, default=0, help="bob's message size (0: none)")
    parser.add_argument("--seed", type=int, default=1939)
    args = parser.parse_args()
    _child([int(x) for x in args.sizes.split(",")], args.big, args.seed)


if __name__ == "__main__":
    main()
