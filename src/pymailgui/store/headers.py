"""Reading a stored message's header block, bounded (a listing never reads attachments).

The block is summarized by :func:`pymailgui.message.summary.summarize_headers`, the one
summarizer every list uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from pymailgui.message.summary import MAX_HEADER_BYTES

__all__ = ["MAX_HEADER_BYTES", "read_header_block", "read_header_file"]


def read_header_block(stream: BinaryIO) -> bytes:
    """Read the header block (up to and including the blank line) from ``stream``.

    At most :data:`MAX_HEADER_BYTES` are read, even from a file without any line break.
    """
    chunks: list[bytes] = []
    total = 0
    while total < MAX_HEADER_BYTES:
        line = stream.readline(MAX_HEADER_BYTES - total)
        if not line:
            break
        chunks.append(line)
        total += len(line)
        if line in (b"\n", b"\r\n"):
            break
    return b"".join(chunks)


def read_header_file(path: Path) -> bytes:
    with path.open("rb") as f:
        return read_header_block(f)
