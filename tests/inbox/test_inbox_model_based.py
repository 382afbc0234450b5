"""Model-based tests: random interleavings of another client's changes with our refresh,
fetch and delete, on the scripted server (with and without UIDL, with QUIT faults) and on
Dovecot over TLS. See model_machine.py for the checks made after every step."""

from __future__ import annotations

import itertools
import poplib
import ssl
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from tests.inbox.model_machine import InboxMachine, Stats, examples, token_of
from tests.support.dovecot import DovecotServer

from pymailgui.config import Security, ServerConfig
from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.devserver.pop3server import ScriptedPOP3Server
from pymailgui.inbox.session import Connector
from pymailgui.pop import open_session

_users = itertools.count(1)
STEPS = 12


def connect_with(server: ServerConfig, user: str, password: str) -> Connector:
    return lambda task: open_session(server, user, password, task=task)


class ScriptedBackend:
    def __init__(self, server: ScriptedPOP3Server, by_uidl: bool) -> None:
        self.server = server
        self.by_uidl = by_uidl
        self.user = f"user{next(_users)}"
        self.drop = server.add_user(self.user, "pw")

    def connector(self) -> Connector:
        cfg = ServerConfig(
            host=self.server.host, port=self.server.port, security=Security.NONE, timeout=2.0
        )
        return connect_with(cfg, self.user, "pw")

    def add(self, data: bytes) -> None:
        self.drop.add(data)

    def other_delete(self, token: str) -> None:
        for uid, data in self.drop.snapshot():
            if token_of(data) == token:
                assert self.drop.delete(uid)
                return
        raise AssertionError(f"no message {token}")

    def contents(self) -> dict[str, bytes]:
        return {token_of(data): data for _uid, data in self.drop.snapshot()}

    def uid_tokens(self) -> dict[str, str]:
        return {uid: token_of(data) for uid, data in self.drop.snapshot()}

    def arm_fault(self, kind: str) -> bool:
        self.server.set_behavior(**{kind: True})
        return True

    def disarm(self) -> None:
        self.server.set_behavior(quit_error=False, drop_before_quit_reply=False)


def run_machine(backend: Callable[[], object], n: int, faults: tuple[str, ...] = ()) -> Stats:
    stats = Stats()

    class Machine(InboxMachine):
        pass

    Machine.make_backend = staticmethod(backend)  # type: ignore[assignment]
    Machine.stats = stats
    Machine.faults = faults
    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=n,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
    print(f"\n{stats}")
    assert stats.examples >= n
    return stats


@pytest.fixture
def scripted(pop_server_factory) -> Iterator[Callable[[ServerBehavior], ScriptedPOP3Server]]:  # type: ignore[no-untyped-def]
    yield lambda behavior: pop_server_factory(behavior, users={})


@pytest.mark.slow
def test_model_no_uidl_server(scripted) -> None:  # type: ignore[no-untyped-def]
    server = scripted(ServerBehavior(uidl=False))
    stats = run_machine(lambda: ScriptedBackend(server, by_uidl=False), examples(300))
    assert stats.deletes_ok > 0 and stats.fetches_ok > 0 and stats.fetches_refused > 0


@pytest.mark.slow
def test_model_no_uidl_no_top_server(scripted) -> None:  # type: ignore[no-untyped-def]
    server = scripted(ServerBehavior(uidl=False, top=False, pipelining=False))
    stats = run_machine(lambda: ScriptedBackend(server, by_uidl=False), examples(60))
    assert stats.deletes_ok > 0


@pytest.mark.slow
def test_model_uidl_server_with_quit_faults(scripted) -> None:  # type: ignore[no-untyped-def]
    server = scripted(ServerBehavior())
    stats = run_machine(
        lambda: ScriptedBackend(server, by_uidl=True),
        examples(150),
        faults=("quit_error", "drop_before_quit_reply"),
    )
    assert stats.substitutions == 0
    assert stats.deletes_refused > 0 and stats.deletes_ok > 0


class DovecotBackend:
    by_uidl = True

    def __init__(self, dovecot: DovecotServer) -> None:
        self.dovecot = dovecot
        self.user = dovecot.add_user()
        self.files: dict[str, str] = {}
        self._flip = itertools.cycle([True, False])

    def connector(self) -> Connector:
        cfg = ServerConfig(
            host=self.dovecot.host,
            port=self.dovecot.pop3s_port,
            security=Security.TLS,
            ca_file=str(self.dovecot.ca_file),
            timeout=10.0,
        )
        return connect_with(cfg, self.user.name, self.user.password)

    def add(self, data: bytes) -> None:
        self.files[token_of(data)] = self.user.deliver(data)

    def other_delete(self, token: str) -> None:
        contents = self.contents()
        msgid = f"<{token}@example.com>"
        unique = sum(1 for d in contents.values() if msgid.encode() in d) == 1
        if unique and next(self._flip):
            assert self.user.imap_delete([msgid])  # another IMAP client expunges it
        else:
            self.user.server_side_delete_file(self.files[token])  # the server expires it

    def contents(self) -> dict[str, bytes]:
        result = {}
        for sub in ("new", "cur"):
            for path in (self.user.maildir / sub).iterdir():
                data = path.read_bytes()
                result[token_of(data)] = data
        return result

    def uid_tokens(self) -> dict[str, str]:
        ctx = ssl.create_default_context(cafile=str(self.dovecot.ca_file))
        pop = poplib.POP3_SSL(self.dovecot.host, self.dovecot.pop3s_port, context=ctx, timeout=10)
        try:
            pop.user(self.user.name)
            pop.pass_(self.user.password)
            result = {}
            for line in pop.uidl()[1]:
                num, uid = line.split()
                body = b"\r\n".join(pop.retr(int(num))[1])
                result[uid.decode()] = token_of(body)
            return result
        finally:
            pop.quit()

    def arm_fault(self, kind: str) -> bool:
        return False

    def disarm(self) -> None:
        pass


@pytest.mark.slow
@pytest.mark.dovecot
def test_model_dovecot_over_tls(dovecot: DovecotServer) -> None:
    stats = run_machine(lambda: DovecotBackend(dovecot), examples(200))
    assert stats.substitutions == 0
    assert stats.deletes_ok > 0 and stats.fetches_ok > 0 and stats.other_deletes > 0
