"""A 5,000-message folder lists quickly: the side index answers, files aren't read."""

from __future__ import annotations

import time
from pathlib import Path

from pymailgui.store import FolderStore
from pymailgui.store.durable import unique_name

COUNT = 5000


def test_listing_5000_messages(tmp_path: Path) -> None:
    inbox = FolderStore(tmp_path / "folders").folder("Inbox")
    # Delivered by another program (no fsync, no index): the worst case, a cold cache.
    for i in range(COUNT):
        (inbox.path / "new" / unique_name()).write_bytes(
            b"From: =?utf-8?q?J=C3=BCrgen?= <j%d@example.org>\nTo: me@example.org\n"
            b"Subject: =?utf-8?q?caf=C3=A9?= %d\nDate: Mon, 02 Jan 2023 10:%02d:00 +0100\n"
            b"Message-ID: <%d@example.org>\n\n" % (i, i, i % 60, i) + b"body line\n" * 100
        )
    # CPU time, not wall time: the test machine is shared.
    start = time.process_time()
    cold = inbox.entries()
    cold_cpu = time.process_time() - start
    start = time.process_time()
    warm = inbox.entries()
    warm_cpu = time.process_time() - start
    print(f"\n{COUNT} messages: cold listing {cold_cpu:.2f} s CPU, warm {warm_cpu:.3f} s CPU")
    assert len(cold) == COUNT
    assert warm == cold
    assert warm[0].subject == "café 0"
    assert warm_cpu < 1.0
    assert cold_cpu < 15.0  # parse every header block once; generous for slow machines


def test_listing_a_folder_of_hostile_mail(tmp_path: Path) -> None:
    """Every header shape built to make parsers slow, in one folder: listed in seconds."""
    from tests.support.mail import hostile_header_blocks

    inbox = FolderStore(tmp_path / "folders").folder("Inbox")
    blocks = hostile_header_blocks()
    blocks["one_50mb_line"] = b"Subject: " + b"x" * (5 << 20)  # 5 MB is as bad for a list
    for block in blocks.values():  # delivered by another program: nothing cached
        (inbox.path / "new" / unique_name()).write_bytes(block + b"body\r\n")
    start = time.process_time()
    rows = inbox.entries()
    cpu = time.process_time() - start
    print(f"\n{len(rows)} hostile messages: cold listing {cpu:.2f} s CPU")
    assert len(rows) == len(blocks)
    assert cpu < 5.0  # about 0.5 s measured; the full parser needed minutes for one
