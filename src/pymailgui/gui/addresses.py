"""Addresses for completion, and where one address ends in a typed To/Cc/Bcc line.

Plain Python (no Qt): built in the thread pool from rows the user already has - the
server index (From, To, Cc) and the Sent folder (To, Cc: people written to count
twice) - ranked by how often each address was seen. A display name containing a comma
(``"Doe, Jane" <jane@example.com>``) must stay one address, so splitting respects
quotes and angle brackets instead of cutting at every comma.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pymailgui.message.headers import parse_address_list
from pymailgui.message.summary import MessageRow

#: At most this many completions are kept (the most frequent).
MAX_ADDRESSES = 5000


def segments(text: str) -> list[tuple[int, int]]:
    """(start, end) of each comma- or semicolon-separated address in ``text``.

    Separators inside double quotes, angle brackets or comments do not count.
    """
    spans: list[tuple[int, int]] = []
    start, quoted, depth, angle, escaped = 0, False, 0, False, False
    for i, c in enumerate(text):
        if escaped:
            escaped = False
        elif c == "\\" and (quoted or depth):
            escaped = True
        elif c == '"' and not depth:
            quoted = not quoted
        elif quoted:
            continue
        elif c == "(":
            depth += 1
        elif c == ")" and depth:
            depth -= 1
        elif depth:
            continue
        elif c == "<":
            angle = True
        elif c == ">":
            angle = False
        elif c in ",;" and not angle:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(text)))
    return spans


def split(text: str) -> list[str]:
    """The addresses typed in one field, each stripped; empty ones dropped."""
    parts = [text[a:b].strip() for a, b in segments(text)]
    return [p for p in parts if p]


def current_segment(text: str, cursor: int) -> tuple[int, int]:
    """The span of the address the cursor is in (where completion applies)."""
    for start, end in segments(text):
        if start <= cursor <= end:
            return start, end
    return cursor, cursor


def formatted(display_name: str, addr_spec: str) -> str:
    name = " ".join(display_name.split())
    if not name or name.casefold() == addr_spec.casefold():
        return addr_spec
    if any(c in name for c in ',;:<>@()[]"\\.'):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{addr_spec}>"


def collect(
    received: Iterable[MessageRow], sent: Iterable[MessageRow], own: Iterable[str] = ()
) -> list[str]:
    """Completion entries ("Name <addr>"), the most often seen first; not the user's own."""
    mine = {a.casefold() for a in own}
    seen: Counter[str] = Counter()
    names: dict[str, str] = {}

    def add(value: str, weight: int) -> None:
        if not value:
            return
        for address in parse_address_list(value):
            spec = address.addr_spec.strip()
            key = spec.casefold()
            if "@" not in spec or key in mine or any(c.isspace() for c in spec):
                continue
            seen[key] += weight
            if address.display_name.strip() or key not in names:
                names[key] = formatted(address.display_name, spec)

    for row in received:
        add(row.from_, 1)
        add(row.to, 1)
        add(row.cc, 1)
    for row in sent:
        add(row.to, 2)
        add(row.cc, 2)
    return [names[key] for key, _n in seen.most_common(MAX_ADDRESSES)]
