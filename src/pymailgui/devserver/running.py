"""The life cycle the project's servers share: ``with server:`` starts and stops it."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Running:
    """A mixin: entering a ``with`` block calls ``start()``, leaving it ``stop()``."""

    def start(self) -> object:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
