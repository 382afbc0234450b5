"""LIST+UIDL and UIDL n+LIST n sent together when the server pipelines (one round trip)."""

from __future__ import annotations

import pytest

from pymailgui.config import Security, ServerConfig
from pymailgui.devserver.behavior import ServerBehavior
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


def test_duplicate_uidls_cost_only_their_messages(pop_server_factory: PopServerFactory) -> None:
    server = pop_server_factory(
        ServerBehavior(uidl_override=lambda num, uid: "same" if num < 3 else uid)
    )
    drop = server.maildrop("alice")
    for subject in "abc":
        drop.add(make_message(subject))
    client = open_session(config(server), "alice", "secret")
    try:
        sizes, uids = client.listing()
        assert list(sizes) == [1, 2, 3]
        assert uids == {3: drop.uids()[2]}
        assert client.uidl_problems == {1: "duplicate", 2: "duplicate"}
        client.quit()
    finally:
        client.abort()


def test_an_id_with_a_space_is_unusable_not_fatal(pop_server_factory: PopServerFactory) -> None:
    server = pop_server_factory(ServerBehavior(uidl_override=lambda num, uid: f"{uid} extra"))
    drop = server.maildrop("alice")
    drop.add(make_message("a"))
    client = open_session(config(server), "alice", "secret")
    try:
        _sizes, uids = client.listing()
        assert uids == {} and client.uidl_problems == {1: "invalid"}
        client.quit()
    finally:
        client.abort()
