"""Argument checks: each takes one typed value and returns it (or what it means).

``number`` is an argparse type (a malformed number is a usage error shown with the
command's usage). The others check input - addresses, a subject, an attachment - and
raise :class:`~pymailgui.errors.UsageError` with one sentence (exit 2); the dispatcher
runs them after parsing and the interactive prompts as each answer is typed, so a typo
is reported before any text is written.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from pymailgui.errors import MessageError, UsageError
from pymailgui.message import Draft, Identity, build_message, check_header_value


def number(text: str) -> int:
    """A message number as shown in a list (1 or more)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a message number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a message number (1 or more)")
    return value


#: Only its syntax matters: an address check builds a message from this sender.
_PROBE = Identity(address="probe@example.com")


def addresses(field: str) -> Callable[[str], str]:
    """A check of one typed value of the To, Cc or Bcc field (one or more addresses)."""

    def check(text: str) -> str:
        draft = Draft()
        getattr(draft, field).append(text)
        try:
            build_message(draft, _PROBE, smtputf8=True)
        except MessageError as exc:
            raise UsageError(str(exc)) from None
        return text

    return check


def subject_text(text: str) -> str:
    try:
        return check_header_value("subject", text)
    except MessageError as exc:
        raise UsageError(str(exc)) from None


def readable_file(text: str) -> Path:
    """An attachment: a file that can be read now."""
    path = Path(text)
    try:
        with path.open("rb"):
            pass
    except IsADirectoryError:
        raise UsageError(f"The attachment {path} is a directory, not a file.") from None
    except OSError as exc:
        raise UsageError(
            f"The attachment {path} is not a readable file ({exc.strerror or exc})."
        ) from None
    return path
