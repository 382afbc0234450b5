"""Finding and showing one message: N of the server list or of a folder's, or a UIDL."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from pymailgui.console import format as fmt
from pymailgui.console.context import Session
from pymailgui.console.terminal import page, printable
from pymailgui.errors import LocalStoreError, UsageError
from pymailgui.message import MessageView
from pymailgui.units import human_size


@dataclass(frozen=True)
class Picked:
    """A message the user named: its bytes and where it is (folder None: the server)."""

    data: bytes
    key: str
    number: int | None
    folder: str | None = None


def pick(s: Session, args: argparse.Namespace) -> Picked:
    """The message named by ``N`` (``--folder``: of that folder's list) or ``--uid``.

    In the interactive mode a missing N means the message after the last one shown.
    """
    number: int | None = args.number
    uid: str | None = getattr(args, "uid", None)
    folder: str | None = getattr(args, "folder", None)
    if number is None and uid is None and s.interactive and not folder:
        number = s.current + 1
    if folder:
        if uid or number is None:
            raise UsageError("With --folder, name the message by its number in that folder.")
        key = s.folder_key(folder, number)
        name = s.account.folders.folder(folder).name
        return Picked(s.account.folders.get(name, key), key, number, name)
    if uid:
        key = s.account.row(uid).key
    elif number is None:
        raise UsageError(
            f"Say which message: a number from the last list ({s.hint('list')}), or --uid UID."
        )
    else:
        key = s.server_key(number)
    data = s.run("fetch", lambda task: s.account.fetch(key, task))
    return Picked(data, key, number)


def mark_read(s: Session, picked: Picked) -> None:
    """The user has read it: Seen on the server index or in the folder."""
    if picked.folder is None:
        s.account.mark_seen([picked.key])
        return
    try:
        s.account.folders.add_flags(picked.folder, picked.key, "S")
    except LocalStoreError:
        pass  # shown already; a flag that could not be set is no reason to fail


def mark_answered(s: Session, picked: Picked, flag: str) -> None:
    """Flag a local original as replied (R) or passed on (P) once the answer went out."""
    if picked.folder is not None:
        try:
            s.account.folders.add_flags(picked.folder, picked.key, flag)
        except LocalStoreError:
            pass  # the message went out; a missing flag is no reason to fail


def show(s: Session, picked: Picked, *, raw: bool = False, html: bool = False) -> None:
    if raw:
        s.out.flush()
        buffer = getattr(s.out, "buffer", None)
        if buffer is None:  # a text-only stream (a test's StringIO)
            s.out.write(picked.data.decode("utf-8", "replace"))
        else:
            buffer.write(picked.data)
            buffer.flush()
    elif html:
        v = s.account.view(picked.data)
        if v.html is None:
            raise UsageError("This message has no HTML part; show it without --html.")
        s.say(printable(v.html))
    else:
        text = render(s.account.view(picked.data))
        if s.interactive:
            s.say("-" * min(70, fmt.terminal_columns()))
        page(printable(text), s.out, s.stdin)
    mark_read(s, picked)
    if s.interactive and picked.number is not None and picked.folder is None:
        s.current = picked.number


def render(v: MessageView) -> str:
    lines = [f"From:    {', '.join(map(str, v.from_))}"]
    if v.to:
        lines.append(f"To:      {', '.join(map(str, v.to))}")
    if v.cc:
        lines.append(f"Cc:      {', '.join(map(str, v.cc))}")
    if v.date:
        lines.append(f"Date:    {v.date:%a, %d %b %Y %H:%M %z}")
    lines.append(f"Subject: {v.subject}")
    for part in v.parts:
        if part.is_attachment:
            lines.append(
                f"Attachment {part.index}: {part.filename or '(no name)'} "
                f"({part.content_type}, {human_size(part.size)})"
            )
    if v.malformed:
        lines.append("Note: this message is malformed; showing what can be read.")
    if v.remote_content_blocked:
        lines.append("Note: remote content in the HTML part was not loaded.")
    lines.append("")
    lines.append(v.body_wrapped)
    return "\n".join(lines)
