"""The one size formatter (lists, parts, progress)."""

from __future__ import annotations

import pytest

from pymailgui.units import human_size


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024 * 1024 - 1, "1024 KB"),
        (9 * 1024 * 1024, "9.0 MB"),
        (999 * 1024 * 1024, "999 MB"),
        (5 * 1024**3, "5.0 GB"),
    ],
)
def test_sizes_fit_their_column(size: int, text: str) -> None:
    assert human_size(size) == text
    assert len(text) <= 7
