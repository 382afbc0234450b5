"""The server's own floor: every answer pipelined at once and not parsed at all.

    python -m bench.floor HOST PORT USER PASSWORD COUNT TOP|RETR

After USER/PASS, a writer thread sends ``TOP n 0`` (or ``RETR n``) for n = 1..COUNT
while the main thread reads as fast as the socket delivers and only counts answer
terminators (``CRLF . CRLF``; dot-stuffing guarantees no body line is a lone ".").
Nothing is decoded, kept or written: this is how fast the server and the link can
deliver the bytes, the floor no real client can beat. Prints the bytes received.
"""

from __future__ import annotations

import socket
import sys
import threading

from bench.baseline import TIMEOUT

_END = b"\r\n.\r\n"
_CHUNK = 64 * 1024


def _expect_ok(sock: socket.socket) -> None:
    line = b""
    while not line.endswith(b"\r\n"):
        line += sock.recv(1)
    if not line.startswith(b"+OK"):
        raise RuntimeError(f"server said {line!r}")


def run(host: str, port: int, user: str, password: str, count: int, verb: str) -> int:
    sock = socket.create_connection((host, port), timeout=TIMEOUT)
    try:
        _expect_ok(sock)
        for line in (f"USER {user}", f"PASS {password}"):
            sock.sendall(line.encode("ascii") + b"\r\n")
            _expect_ok(sock)
        suffix = " 0" if verb == "TOP" else ""
        commands = "".join(f"{verb} {n}{suffix}\r\n" for n in range(1, count + 1)).encode()
        writer = threading.Thread(target=sock.sendall, args=(commands,), daemon=True)
        writer.start()
        seen, total, tail = 0, 0, b""
        while seen < count:
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("the server closed the connection")
            total += len(chunk)
            window = tail + chunk
            seen += window.count(_END)
            # Keep the last 4 bytes: a terminator may straddle two reads, and counting
            # them again is impossible (they hold no complete terminator on their own).
            tail = window[-4:]
        writer.join(TIMEOUT)
        sock.sendall(b"QUIT\r\n")
        return total
    finally:
        sock.close()


def main(argv: list[str]) -> int:
    host, port, user, password, count, verb = argv
    print(run(host, int(port), user, password, int(count), verb.upper()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
