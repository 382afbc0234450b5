"""Sizes as people read them: one formatter for the lists, the parts, progress and notices."""

from __future__ import annotations


def human_size(size: int) -> str:
    """A size in at most 7 cells ("1023 KB", "9.5 MB", "512 MB", "2.1 GB")."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    mb = size / (1024 * 1024)
    if mb < 9.95:
        return f"{mb:.1f} MB"
    if mb < 1023.5:
        return f"{mb:.0f} MB"
    return f"{mb / 1024:.1f} GB"
