"""How a task's progress reads (the console's status line, the GUI's status bar)."""

from __future__ import annotations

import pytest

from pymailgui.tasks import Phase, Progress


@pytest.mark.parametrize(
    ("progress", "text"),
    [
        (Progress(Phase.HEADERS, 1240, 10_000), "Loading headers 1,240 of 10,000"),
        (Progress(Phase.DELETE, 3), "Deleting messages (3)"),
        (Progress(Phase.HEADERS), "Loading headers…"),
        # A send counts the message's bytes: say so ("Sending 0 of 284" had no unit).
        (Progress(Phase.SEND, 0, 284), "Sending 0 of 284 bytes"),
        (Progress(Phase.SEND, 500, 2048), "Sending 500 B of 2 KB"),
        (Progress(Phase.SEND, 20_000, 3_000_000), "Sending 20 KB of 2.9 MB"),
    ],
)
def test_progress_reads_as_a_sentence_with_its_unit(progress: Progress, text: str) -> None:
    assert str(progress) == text
