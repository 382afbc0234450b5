"""``python -m pymailgui.devserver [DIR] [--port N]``: serve the demo account until Ctrl-C.

Handy to point another mail client (or ``pymail`` with a hand-written config) at the
demo mailbox; the server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from pymailgui.devserver.demo import DEMO_PASSWORD, DEMO_USER, DemoServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pymailgui.devserver", description=__doc__)
    parser.add_argument("directory", nargs="?", type=Path, help="maildrop directory")
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: any free)")
    args = parser.parse_args(argv)
    done = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: done.set())
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with DemoServer(args.directory, port=args.port) as demo:
        print(
            f"POP3 demo on {demo.host} port {demo.port}, user {DEMO_USER!r}, "
            f"password {DEMO_PASSWORD!r}, no TLS; maildrop {demo.directory}. Ctrl-C stops.",
            flush=True,
        )
        done.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
