"""Optional: the first-refresh comparison against a real server, a private Dovecot.

Uses the test suite's Dovecot harness (tests/support/dovecot.py, which needs pytest and
trustme from the test dependencies). Dovecot advertises PIPELINING, as most servers
other than Gmail do; it listens on 127.0.0.1 only, plaintext login allowed on loopback.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bench import baseline
from bench.lab import PASSWORD

if TYPE_CHECKING:
    from bench.bench_pop import Bench


def run_dovecot(bench: Bench) -> str | None:
    """Add the Dovecot rows to ``bench``; returns why it was skipped, or None."""
    try:
        from tests.support.dovecot import DovecotServer, find_dovecot
        from tests.support.tls import make_tls_files
    except ImportError as exc:
        return f"the Dovecot harness cannot be imported ({exc})"
    try:
        find_dovecot()
    except Exception as exc:  # the harness says why (not installed, not executable)
        return f"Dovecot is not available ({exc})"
    with tempfile.TemporaryDirectory(prefix="pymailgui-bench-tls-") as tls_dir:
        server = DovecotServer.start(make_tls_files(Path(tls_dir)))
        try:
            _measure(bench, server)
        finally:
            server.stop()
    return None


def _measure(bench: Bench, server: object) -> None:
    from tests.support.dovecot import DovecotServer

    assert isinstance(server, DovecotServer)
    user = server.add_user("benchuser", PASSWORD)
    user.deliver_many(bench.corpus)
    lab, n, host = bench.lab, bench.s.messages, server.host
    slow_port = lab.proxy_to(server.pop3_port)
    bench.warm_up_on(server.pop3_port, user.name)
    for port, rtt in ((server.pop3_port, False), (slow_port, True)):

        def ours_prepare(port: int = port) -> Callable[[], object]:
            _, inbox = bench.work.inboxes(host, server.pop3_port, port, user=user.name)
            return lambda: bench.check(inbox.refresh().total == n, "ours listed every message")

        def base_prepare(port: int = port) -> Callable[[], object]:
            got = baseline.refresh
            return lambda: bench.check(len(got(host, port, user.name)) == n, "poplib listed")

        bench.add(
            f"Dovecot: first refresh, {n} headers",
            rtt,
            bench.timed(ours_prepare, settle=False),
            bench.timed(base_prepare, settle=False),
            "s",
        )
