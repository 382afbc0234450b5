"""Saving parts to disk safely: names from mail are hostile, files are never overwritten.

A received file name may carry directories ("../../.bashrc", "C:\\Windows\\x",
"\\\\server\\share\\x"), control and bidi characters that disguise the extension
("invoice\u202egpj.exe"), Windows device names ("CON.txt" opens the console), or be
empty. :func:`safe_filename` reduces it to one harmless base name.
"""

from __future__ import annotations

import mimetypes
import os
import re
import unicodedata
from email.message import Message
from pathlib import Path

from pymailgui.errors import LocalStoreError, MessageError
from pymailgui.message.read import attached_message_bytes, parse
from pymailgui.message.structure import (
    Leaf,
    content_type,
    filename,
    is_attachment,
    visible_name,
    walk,
)
from pymailgui.message.text import part_bytes

MAX_NAME_BYTES = 200

# Characters Windows refuses in names (":" would also open an NTFS alternate data stream).
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
_DRIVE = re.compile(r"^[A-Za-z]:")
# Device names, reserved with any extension ("CON.txt", "com1.tar.gz"); Windows also
# reserves COM/LPT followed by superscript digits.
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"{p}{d}" for p in ("COM", "LPT") for d in "0123456789\u00b9\u00b2\u00b3"}
)


def is_reserved_name(name: str) -> bool:
    """Whether ``name`` is a Windows device name whatever its extension."""
    stem = name.split(".", 1)[0].rstrip(" ").upper()
    return stem in _RESERVED


def _truncate(name: str, limit: int) -> str:
    """Cut ``name`` to ``limit`` UTF-8 bytes at a character boundary, keeping the extension."""
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext.encode("utf-8")) > 16:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    budget = limit - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip(" .")
    return cut + suffix


def safe_filename(name: str | None, fallback: str) -> str:
    """One harmless base name for ``name``, or ``fallback`` (also made safe) when none is left.

    The result has no path separator, no control or bidi characters, is not hidden (no
    leading dot), not a Windows reserved device name, has no trailing dots or spaces and
    is at most 200 bytes of UTF-8 with its extension kept.
    """
    cleaned = ""
    if name:
        cleaned = unicodedata.normalize("NFC", name)
        cleaned = visible_name(cleaned)
        # Base name only: both separators count, whatever the platform (a Windows
        # sender's "C:\dir\file" must not become a file literally named that here).
        cleaned = cleaned.replace("\\", "/").rsplit("/", 1)[-1]
        cleaned = _DRIVE.sub("", cleaned)
        cleaned = _WINDOWS_FORBIDDEN.sub("_", cleaned)
        # Until stable: ". .x" must not end up as the hidden ".x".
        while cleaned != (stripped := cleaned.strip().lstrip(".").strip()):
            cleaned = stripped
        cleaned = _truncate(cleaned, MAX_NAME_BYTES).rstrip(". ")
        if is_reserved_name(cleaned):
            cleaned = _truncate("_" + cleaned, MAX_NAME_BYTES)
    if cleaned:
        return cleaned
    if fallback and fallback != name:
        return safe_filename(fallback, "part.bin")
    return "part.bin"


def fallback_name(index: int, ctype: str) -> str:
    """The name used when a part has none: "part-3.txt", "part-4.bin"..."""
    if ctype == "message/rfc822":
        ext = ".eml"
    else:
        ext = mimetypes.guess_extension(ctype, strict=False) or ".bin"
    return f"part-{index}{ext}"


def _as_message(raw_or_msg: bytes | Message) -> Message:
    return parse(raw_or_msg) if isinstance(raw_or_msg, bytes | bytearray) else raw_or_msg


def part_data(leaf: Leaf) -> bytes:
    """What saving a listed part writes: decoded payload, or the whole attached message."""
    part = leaf.part
    if part.get_content_maintype() == "message" and isinstance(part.get_payload(), list):
        return attached_message_bytes(part)
    return part_bytes(part)


def save_part(raw_or_msg: bytes | Message, index: int, directory: str | os.PathLike[str]) -> Path:
    """Save listed part ``index`` (as in ``MessageView.parts``) into ``directory``.

    Never overwrites: an existing name gets " (1)", " (2)"... before the extension.
    Raises MessageError for a part that doesn't exist, LocalStoreError for disk trouble.
    """
    leaves = walk(_as_message(raw_or_msg))
    if not 0 <= index < len(leaves):
        raise MessageError(f"This message has no part number {index}.")
    return _save_leaf(leaves[index], index, Path(directory))


def save_all_parts(
    raw_or_msg: bytes | Message,
    directory: str | os.PathLike[str],
    *,
    attachments_only: bool = False,
) -> list[Path]:
    """Save every listed part (or only attachments) into ``directory``; the paths written."""
    leaves = walk(_as_message(raw_or_msg))
    return [
        _save_leaf(leaf, i, Path(directory))
        for i, leaf in enumerate(leaves)
        if not attachments_only or is_attachment(leaf)
    ]


def _save_leaf(leaf: Leaf, index: int, directory: Path) -> Path:
    name = safe_filename(filename(leaf.part), fallback_name(index, content_type(leaf.part)))
    return write_new_file(directory, name, part_data(leaf))


def _candidates(name: str) -> list[str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    names = [name]
    for n in range(1, 1000):
        tail = f" ({n}){suffix}"
        cut = stem.encode("utf-8")[: MAX_NAME_BYTES - len(tail.encode("utf-8"))]
        names.append(cut.decode("utf-8", "ignore") + tail)
    return names


def write_new_file(directory: Path, name: str, data: bytes) -> Path:
    """Create a new file ``name`` (or "name (n).ext") inside ``directory`` and fsync it.

    O_EXCL makes creation atomic (a concurrent file or a planted symlink can't be
    overwritten or followed) and the resolved path is checked to lie in the directory.
    """
    try:
        root = directory.resolve(strict=True)
    except OSError as exc:
        raise LocalStoreError(f"The folder {directory} does not exist or can't be read.") from exc
    if not root.is_dir():
        raise LocalStoreError(f"{directory} is not a folder.")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0)
    for candidate in _candidates(safe_filename(name, "part.bin")):
        path = root / candidate
        if path.parent != root or ".." in path.parts:
            raise LocalStoreError(f"Refusing to write {candidate!r} outside {root}.")
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise LocalStoreError(f"Could not create {path}: {exc.strerror}.") from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            _fsync_dir(root)
        except OSError as exc:
            raise LocalStoreError(f"Could not write {path}: {exc.strerror}.") from exc
        if path.resolve().parent != root:  # e.g. the folder was swapped under us
            raise LocalStoreError(f"{path} ended up outside {root}.")
        return path
    raise LocalStoreError(f"Too many files named like {name} in {root}; choose another folder.")


def _fsync_dir(directory: Path) -> None:
    """Make the new directory entry durable (POSIX; a no-op where directories can't open)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
