"""Addresses for completion, and where one address ends in a typed To/Cc/Bcc line.

Plain Python (no Qt): built in the thread pool from rows the user already has - the
server index (From, To, Cc) and the Sent folder (To, Cc: people written to count
twice) - ranked by how often each address was seen. A display name containing a comma
(``"Doe, Jane" <jane@example.com>``) must stay one address, so splitting respects
quotes and angle brackets instead of cutting at every comma.
"""

from __future__ import annotations

import re
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


# The shapes the index's decoded From/To take most of the time: "Name <addr>" or a bare
# address, with nothing a parser is needed for (quotes, comments, groups, lists).
_SIMPLE_NAMED = re.compile(r"^([^<>\"(),;:@]*?)\s*<([^<>\s\"(),;:@]+@[^<>\s\"(),;:@]+)>$")
_SIMPLE_BARE = re.compile(r"^[^<>\s\"(),;:@]+@[^<>\s\"(),;:@]+$")


def _pairs(value: str) -> list[tuple[str, str]]:
    """(display name, addr-spec) of each address in a header value: a regex for the
    simple shapes, the core's lenient parser for everything else."""
    if '"' not in value and "(" not in value:  # a list of simple ones splits at commas
        found = []
        for part in value.split(","):
            part = part.strip()
            named = _SIMPLE_NAMED.match(part)
            if named is not None:
                found.append((named.group(1), named.group(2)))
            elif _SIMPLE_BARE.match(part):
                found.append(("", part))
            elif part:
                break
        else:
            return found
    return [(a.display_name, a.addr_spec) for a in parse_address_list(value)]


def collect(
    received: Iterable[MessageRow], sent: Iterable[MessageRow], own: Iterable[str] = ()
) -> list[str]:
    """Completion entries ("Name <addr>"), the most often seen first; not the user's own.

    Header values repeat (one sender, many messages): each distinct value is counted
    first and parsed once - 100,000 rows hold a few thousand distinct values.
    """
    values: Counter[str] = Counter()
    for row in received:
        values.update((row.from_, row.to, row.cc))
    for row in sent:
        for value in (row.to, row.cc):
            values[value] += 2  # people written to count twice
    mine = {a.casefold() for a in own}
    seen: Counter[str] = Counter()
    names: dict[str, str] = {}
    for value, weight in values.items():
        if not value:
            continue
        for display_name, spec in _pairs(value):
            spec = spec.strip()
            key = spec.casefold()
            if "@" not in spec or key in mine or any(c.isspace() for c in spec):
                continue
            seen[key] += weight
            if display_name.strip() or key not in names:
                names[key] = formatted(display_name, spec)
    return [names[key] for key, _n in seen.most_common(MAX_ADDRESSES)]
