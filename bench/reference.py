"""The pipelined reference: what a quick 100-line script gets, to keep us honest.

    python -m bench.reference HOST PORT USER PASSWORD

USER/PASS, LIST, UIDL, then ``TOP n 0`` pipelined in fixed windows of 1,000 (send a
window in one write, read its 1,000 answers, send the next), each header block parsed
as the classic client parses it (:func:`bench.baseline.summary`) and kept in a list.
Plain sockets and ``readline``; no cache, no safety checks. Prints the number of
messages listed. Plaintext on loopback only.
"""

from __future__ import annotations

import socket
import sys

from bench.baseline import TIMEOUT, summary

WINDOW = 1000


class Reference:
    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self.file = self.sock.makefile("rb")

    def send(self, *commands: str) -> None:
        self.sock.sendall("".join(c + "\r\n" for c in commands).encode("ascii"))

    def status(self) -> bytes:
        line = self.file.readline()
        if not line.startswith(b"+OK"):
            raise RuntimeError(f"server said {line!r}")
        return line

    def block(self) -> list[bytes]:
        lines = []
        while (line := self.file.readline().rstrip(b"\r\n")) != b".":
            lines.append(line[1:] if line.startswith(b".") else line)
        return lines

    def command(self, line: str, multiline: bool = False) -> list[bytes]:
        self.send(line)
        self.status()
        return self.block() if multiline else []

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def run(host: str, port: int, user: str, password: str) -> int:
    pop = Reference(host, port)
    try:
        pop.status()  # greeting
        pop.command(f"USER {user}")
        pop.command(f"PASS {password}")
        nums = [int(line.split()[0]) for line in pop.command("LIST", multiline=True)]
        uids = dict(line.split() for line in pop.command("UIDL", multiline=True))
        index = []
        for start in range(0, len(nums), WINDOW):
            window = nums[start : start + WINDOW]
            pop.send(*(f"TOP {n} 0" for n in window))
            for n in window:
                pop.status()
                index.append((uids[str(n).encode()], summary(pop.block())))
        pop.command("QUIT")
        return len(index)
    finally:
        pop.close()


def main(argv: list[str]) -> int:
    host, port, user, password = argv
    print(run(host, int(port), user, password))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
