"""Warnings for senders that pretend to be someone else (plain Python, no Qt).

A view window shows the real address next to every name and, above the headers, one
sentence per reason to doubt the sender:

- the display name contains an address that is not the real one
  (``"paypal@paypal.com" <x@evil.example>``);
- the name was written with invisible or right-to-left control characters;
- the domain uses letters outside ASCII (an IDN, e.g. Cyrillic "а" for Latin "a"),
  shown with its punycode form so the difference is visible;
- the address looks like the address of someone the user has mail from, but differs
  (``bob@examp1e.com`` against ``bob@example.com``; the comparison folds the classic
  confusables: 0/o, 1/l/i, rn/m, vv/w and Cyrillic/Greek look-alikes, as in UTS #39's
  skeleton idea, reduced to the cases that matter for addresses);
- the same display name arrives from a different address than usual.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from email.utils import parseaddr

from pymailgui.message import Address
from pymailgui.message.model import strip_deceptive

_CONFUSABLE = str.maketrans(
    {
        "0": "o",
        "1": "l",
        "i": "l",
        "|": "l",
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "х": "x",
        "у": "y",
        "і": "l",
        "ѕ": "s",
        "ԁ": "d",
        "ɡ": "g",
        "ο": "o",
        "α": "a",
        "ν": "v",
        "τ": "t",
        "κ": "k",
        "ι": "l",
    }
)


def skeleton(address: str) -> str:
    """A folded form under which confusable addresses compare equal."""
    text = unicodedata.normalize("NFKC", address).casefold()
    text = text.translate(_CONFUSABLE)
    return text.replace("rn", "m").replace("vv", "w")


def _domain(address: str) -> str:
    return address.rpartition("@")[2]


def _punycode(domain: str) -> str:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain.encode("ascii", "backslashreplace").decode("ascii")


class KnownSenders:
    """Addresses and names the user already has mail from (the inbox rows' From)."""

    def __init__(self, from_fields: Iterable[str] = ()) -> None:
        self.addresses: dict[str, set[str]] = {}  # skeleton -> addresses seen
        self.names: dict[str, Counter[str]] = {}  # folded name -> address -> messages
        self.count: Counter[str] = Counter()  # address -> messages
        for field in from_fields:
            name, addr = parseaddr(field)
            if addr:
                self.add(name, addr)

    def add(self, name: str, addr: str) -> None:
        folded = addr.casefold()
        self.addresses.setdefault(skeleton(addr), set()).add(folded)
        self.count[folded] += 1
        if name.strip():
            self.names.setdefault(name.strip().casefold(), Counter())[folded] += 1


def warnings(sender: Address, known: KnownSenders | None = None) -> list[str]:
    """Every reason to doubt ``sender`` (an empty list when there is none)."""
    found: list[str] = []
    name, addr = sender.display_name, sender.addr_spec
    folded = addr.casefold()
    if "@" in name:
        shown = parseaddr(strip_deceptive(name))[1] or name.strip()
        if shown.casefold() != folded:
            found.append(
                f"The sender's name shows the address {shown!r}, but the message comes from {addr}."
            )
    if strip_deceptive(name) != name.replace("\t", " "):
        found.append("The sender's name contains invisible or right-to-left control characters.")
    domain = _domain(addr)
    if domain and not domain.isascii():
        found.append(
            f"The sender's domain {domain} uses non-Latin letters that can look like Latin "
            f"ones; its real form is {_punycode(domain)}."
        )
    elif domain.casefold().startswith("xn--") or ".xn--" in domain.casefold():
        found.append(f"The sender's domain {domain} is an international name in disguise.")
    if known is not None and folded:
        # The rarer of two look-alike addresses is the suspicious one.
        twins = sorted(
            (
                a
                for a in known.addresses.get(skeleton(addr), set()) - {folded}
                if known.count[a] >= known.count[folded]
            ),
            key=lambda a: -known.count[a],
        )
        if twins:
            found.append(
                f"The address {addr} looks like {twins[0]}, which you also have mail from, "
                "but it is a different address."
            )
        usual = known.names.get(name.strip().casefold()) if name.strip() else None
        if usual and usual[folded] <= 1:
            others = [a for a, n in usual.most_common() if a != folded and n >= 2]
            if others:
                found.append(
                    f"Mail from {name.strip()!r} usually comes from {others[0]}, not from {addr}."
                )
    return found
