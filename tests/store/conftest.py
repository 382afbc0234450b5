"""Fixtures of the local-folder tests: a folder store in a temporary root."""

from __future__ import annotations

from pathlib import Path

import pytest

from pymailgui.store import Folder, FolderStore


def make_message(
    n: int = 1,
    *,
    subject: str | None = None,
    date: str = "Mon, 02 Jan 2023 10:00:00 +0000",
    body: str = "Hello.\n",
    eol: str = "\n",
) -> bytes:
    """A small, valid message; ``n`` makes its Message-ID and default subject unique."""
    lines = [
        f"From: Sender {n} <sender{n}@example.org>",
        "To: me@example.org",
        f"Subject: {subject if subject is not None else f'Message {n}'}",
        f"Date: {date}",
        f"Message-ID: <{n}@example.org>",
        "",
    ]
    return (eol.join(lines) + eol + body.replace("\n", eol)).encode("utf-8")


@pytest.fixture
def store(tmp_path: Path) -> FolderStore:
    return FolderStore(tmp_path / "folders")


@pytest.fixture
def inbox(store: FolderStore) -> Folder:
    return store.folder("Inbox")
