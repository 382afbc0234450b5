"""What the inbox verbs return: plain data a front end shows as it likes."""

from __future__ import annotations

from dataclasses import dataclass, field

from pymailgui.tasks import Notice


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' * (n != 1)}"


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


@dataclass(frozen=True)
class RefreshReport:
    """What a refresh found: keys added, removed by someone else, rewritten in place."""

    added: list[str]
    removed: list[str]
    total: int
    by_uidl: bool
    resized: list[str] = field(default_factory=list)
    #: Messages identified by fingerprint although the server has UIDL (bad ids).
    unidentified: int = 0
    notices: list[Notice] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.resized)

    def __str__(self) -> str:
        parts = []
        if self.removed:
            parts.append(f"{len(self.removed):,} removed on the server")
        if self.added:
            parts.append(f"{len(self.added):,} new")
        change = ", ".join(parts) if parts else "no changes"
        return f"{plural(self.total, 'message')} ({change})"


@dataclass(frozen=True)
class DeleteReport:
    """Deleted by our acknowledged QUIT, and already gone before we asked."""

    deleted: list[str]
    already_gone: list[str] = field(default_factory=list)
    #: Other rows dropped from the index: the server no longer lists them.
    vanished: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"Deleted {plural(len(self.deleted), 'message')}"
        if self.already_gone:
            text += f"; {len(self.already_gone):,} had already been removed on the server"
        return text + "."
