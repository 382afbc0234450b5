"""LIST+UIDL and UIDL n+LIST n sent together when the server pipelines (one round trip)."""

from __future__ import annotations

import pytest

from pymailgui.config import Security, ServerConfig
from pymailgui.devserver.behavior import ServerBehavior
from pymailgui.errors import ProtocolError
from pymailgui.pop import open_session
from tests.support.mail import make_message
from tests.support.popserver import PopServerFactory


def config(server) -> ServerConfig:  # type: ignore[no-untyped-def]
    return ServerConfig(host=server.host, port=server.port, security=Security.NONE, timeout=5.0)


def batches(server, verbs: tuple[str, ...]) -> list[int]:  # type: ignore[no-untyped-def]
    """The read batch of each command whose verb is in ``verbs``, last session."""
    return [b for b, c in server.transcript[-1] if c.split(" ")[0] in verbs]


@pytest.mark.parametrize("pipelining", [True, False])
def test_listing_and_identify(pop_server_factory: PopServerFactory, pipelining: bool) -> None:
    server = pop_server_factory(ServerBehavior(pipelining=pipelining))
    drop = server.maildrop("alice")
    uids = [drop.add(make_message(f"m{i}", "x" * i + "\r\n")) for i in range(1, 4)]
    client = open_session(config(server), "alice", "secret")
    try:
        sizes, got = client.listing()
        assert got == {1: uids[0], 2: uids[1], 3: uids[2]}
        assert sizes == {n: len(drop.get(u)) for n, u in got.items()}
        assert client.identify(2) == (uids[1], sizes[2])
        assert client.identify(9) == (None, None)
        client.quit()
    finally:
        client.abort()
    listing = batches(server, ("LIST", "UIDL"))
    if pipelining:  # LIST+UIDL arrived in one read, and each UIDL n+LIST n pair too
        assert listing[0] == listing[1] and listing[2] == listing[3] and listing[4] == listing[5]
    else:
        assert len(set(listing)) == len(listing)


def test_listing_without_uidl(pop_server_factory: PopServerFactory) -> None:
    server = pop_server_factory(ServerBehavior(uidl=False))
    server.maildrop("alice").add(make_message("only"))
    client = open_session(config(server), "alice", "secret")
    try:
        sizes, uids = client.listing()
        assert list(sizes) == [1] and uids is None and client.supports_uidl is False
        client.quit()
    finally:
        client.abort()


def test_hostile_uidl_listing_closes_the_session(pop_server_factory: PopServerFactory) -> None:
    server = pop_server_factory(ServerBehavior(uidl_override=lambda num, uid: "same"))
    drop = server.maildrop("alice")
    drop.add(make_message("a"))
    drop.add(make_message("b"))
    client = open_session(config(server), "alice", "secret")
    with pytest.raises(ProtocolError):
        client.listing()
    assert client.closed
