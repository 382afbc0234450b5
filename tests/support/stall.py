"""A check shared by the scripted-server tests: a stalled server holds the connection."""

from __future__ import annotations

import socket
import time
from typing import BinaryIO

import pytest

from pymailgui.devserver.running import Running


def assert_stalled_until_stop(sock: socket.socket, file: BinaryIO, server: Running) -> None:
    """Nothing comes on ``sock`` (read through ``file``), and ``server.stop()`` ends it soon."""
    sock.settimeout(0.3)
    with pytest.raises(TimeoutError):
        file.read(1)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2
