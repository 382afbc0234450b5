"""Fixtures of the POP3 protocol tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from pymailgui.pop.transport import Transport


@pytest.fixture
def pair() -> Iterator[tuple[Transport, socket.socket]]:
    """A transport (lines capped at 100 bytes) and the peer socket that plays the server."""
    ours, theirs = socket.socketpair()
    transport = Transport(ours, "peer", timeout=2.0, max_line=100)
    yield transport, theirs
    transport.close()
    theirs.close()
