"""Sending to an address with a non-ASCII local part (RFC 6531 SMTPUTF8)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.actions.test_actions_roundtrip import make_world
from tests.support.dovecot import DovecotServer
from tests.support.dovecot_mailbox import DovecotUser
from tests.support.smtp import SMTPOptions, SMTPTestServer

from pymailgui.errors import SendError
from pymailgui.message import Draft

pytestmark = pytest.mark.dovecot


def test_non_ascii_local_part_goes_out_with_smtputf8(
    tmp_path: Path,
    dovecot: DovecotServer,
    dovecot_user: DovecotUser,
    make_smtp_server: Callable[[SMTPOptions], SMTPTestServer],
) -> None:
    relay = make_smtp_server(SMTPOptions(smtputf8=True))
    for world in make_world(tmp_path, dovecot, dovecot_user, relay):
        world.account.send(Draft(to=["José <jösé@example.com>"], subject="ñ", body="hola\n"))
        (got,) = relay.received
        assert got.smtp_utf8
        assert got.rcpt_tos == ["jösé@example.com"]
        assert "jösé@example.com".encode() in got.content
        assert world.folder_messages("Sent") == [got.content]


def test_without_smtputf8_nothing_is_sent_and_outbox_keeps_it(
    tmp_path: Path,
    dovecot: DovecotServer,
    dovecot_user: DovecotUser,
    make_smtp_server: Callable[[SMTPOptions], SMTPTestServer],
) -> None:
    relay = make_smtp_server(SMTPOptions(smtputf8=False))
    for world in make_world(tmp_path, dovecot, dovecot_user, relay):
        with pytest.raises(SendError, match="SMTPUTF8"):
            world.account.send(Draft(to=["jösé@example.com"], subject="x", body="x\n"))
        assert relay.received == []
        assert len(world.folder_messages("Outbox")) == 1
        assert world.folder_messages("Sent") == []
