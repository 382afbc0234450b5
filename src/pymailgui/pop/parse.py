"""Pure parsing of POP3 responses: functions over bytes, no I/O.

Everything the server sends is untrusted input. The parsers are strict where a lax
reading has hurt other clients (UIDL strings: NeoMutt CVE-2018-14356/14362, fetchmail
CVE-2005-2335) and lenient only where real servers are known to deviate harmlessly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pymailgui.errors import ProtocolError

# Dot-stuffing is shared with SMTP and the devserver (pymailgui.lines); the names stay
# importable from here, listed in __all__.
from pymailgui.lines import CRLF, dot_stuff, dot_unstuff, split_lines, unstuff_lines

__all__ = [
    "CRLF",
    "MAX_LISTING_ENTRIES",
    "UID_MAX_LEN",
    "Capabilities",
    "Status",
    "dot_stuff",
    "dot_unstuff",
    "is_continuation",
    "parse_capabilities",
    "parse_scan_line",
    "parse_scan_listing",
    "parse_stat",
    "parse_status",
    "parse_uidl_line",
    "parse_uidl_listing",
    "quote_server_text",
    "split_lines",
    "unstuff_lines",
    "validate_uid",
]

#: Largest number of entries accepted in one LIST or UIDL listing. Real maildrops hold
#: far fewer; a server that sends more is broken or hostile.
MAX_LISTING_ENTRIES = 1_000_000

#: RFC 1939 §7: a unique-id is 1 to 70 characters in the range 0x21..0x7E.
UID_MAX_LEN = 70
_UID_RE = re.compile(rb"[\x21-\x7e]{1,70}")

# Message numbers and sizes: plain decimal digits (no sign, no spaces, no "0x"), short
# enough that int() is cheap; 10 digits covers sizes up to 9.9 GB.
_NUMBER_RE = re.compile(rb"[0-9]{1,10}")

# RFC 2449 §8: resp-code = "[" resp-level *("/" resp-level) "]" and
# rchar = %x21-2E / %x30-5C / %x5E-7F (anything visible but "/" and "]").
_RCHARS = rb"[\x21-\x2e\x30-\x5c\x5e-\x7e]+"
_RESP_CODE_RE = re.compile(rb"\[(" + _RCHARS + rb"(?:/" + _RCHARS + rb")*)\]")

# Longest piece of server text quoted in an error message shown to the user.
_QUOTE_MAX = 200


def quote_server_text(text: str | bytes) -> str:
    """Server text made safe to show: printable, one line, bounded in length."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    if len(cleaned) > _QUOTE_MAX:
        cleaned = cleaned[:_QUOTE_MAX] + "..."
    return cleaned


def server_said(text: str | bytes) -> str:
    """ "server said: TEXT" for the end of our own sentence, "(server said: TEXT).":
    :func:`quote_server_text` without its full stop, "nothing" for no text."""
    quoted = quote_server_text(text)
    if quoted.endswith(".") and not quoted.endswith(".."):
        quoted = quoted[:-1]
    return f"server said: {quoted or 'nothing'}"


@dataclass(frozen=True)
class Status:
    """One status line: ``+OK`` or ``-ERR``, an optional RESP-CODE and the text."""

    ok: bool
    text: str
    code: str | None = None  # RFC 2449 RESP-CODE, upper case, e.g. "IN-USE", "SYS/TEMP"

    @property
    def busy(self) -> bool:
        """The server says "try later" rather than "no" (RFC 2449 §8.1, RFC 3206 §4)."""
        if self.code is not None:
            return self.code in {"IN-USE", "LOGIN-DELAY", "SYS/TEMP"}
        # Servers without RESP-CODES still say it in words (qpopper, old Dovecot, UW).
        lowered = self.text.lower()
        return any(word in lowered for word in ("in use", "locked", "busy", "lock file"))


def parse_status(line: bytes) -> Status:
    """Parse a status line (without its CRLF). Anything but +OK/-ERR is a ProtocolError."""
    if line.startswith(b"+OK") and (len(line) == 3 or line[3:4] == b" "):
        ok = True
        rest = line[4:]
    elif line.startswith(b"-ERR") and (len(line) == 4 or line[4:5] == b" "):
        ok = False
        rest = line[5:]
    else:
        raise ProtocolError(
            f"The server sent an answer POP3 does not allow: {quote_server_text(line)!r}."
        )
    code = None
    match = _RESP_CODE_RE.match(rest)
    if match:
        code = match.group(1).decode("ascii").upper()
        rest = rest[match.end() :].lstrip(b" ")
    return Status(ok=ok, text=rest.decode("utf-8", "replace"), code=code)


def is_continuation(line: bytes) -> bool:
    """A SASL continuation ("+ " and a base64 challenge, RFC 5034 §4)."""
    return line == b"+" or line.startswith(b"+ ")


@dataclass(frozen=True)
class Capabilities:
    """What the server announced in its CAPA answer (RFC 2449 §6)."""

    known: bool = False  # False when the server has no CAPA (answered -ERR)
    pipelining: bool = False
    top: bool = False
    uidl: bool = False
    user: bool = False
    stls: bool = False
    resp_codes: bool = False
    sasl: frozenset[str] = frozenset()
    expire: str | None = None  # raw argument: "NEVER", "0", "30 USER"
    login_delay: int | None = None  # seconds between logins
    implementation: str | None = None
    raw: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def expire_days(self) -> int | None:
        """Days the server keeps retrieved mail; None when unknown or NEVER (§6.7)."""
        if self.expire is None:
            return None
        first = self.expire.split()[0] if self.expire.split() else ""
        return int(first) if first.isdigit() else None


def parse_capabilities(lines: Iterable[bytes]) -> Capabilities:
    """Parse the body of a CAPA answer (one capability per line, RFC 2449 §5)."""
    raw: dict[str, tuple[str, ...]] = {}
    implementation = None
    for line in lines:
        text = line.decode("ascii", "replace").strip()
        if not text:
            continue
        tag, _, rest = text.partition(" ")
        tag = tag.upper()
        raw[tag] = tuple(rest.split())
        if tag == "IMPLEMENTATION":
            implementation = quote_server_text(rest)
    expire = " ".join(raw["EXPIRE"]) if raw.get("EXPIRE") else None
    delay_args = raw.get("LOGIN-DELAY", ())
    login_delay = int(delay_args[0]) if delay_args and delay_args[0].isdigit() else None
    return Capabilities(
        known=True,
        pipelining="PIPELINING" in raw,
        top="TOP" in raw,
        uidl="UIDL" in raw,
        user="USER" in raw,
        stls="STLS" in raw,
        resp_codes="RESP-CODES" in raw,
        sasl=frozenset(m.upper() for m in raw.get("SASL", ())),
        expire=expire,
        login_delay=login_delay,
        implementation=implementation,
        raw=raw,
    )


def _number(token: bytes, what: str) -> int:
    if not _NUMBER_RE.fullmatch(token):
        raise ProtocolError(f"The server sent an invalid {what}: {quote_server_text(token)!r}.")
    return int(token)


def _message_number(token: bytes) -> int:
    num = _number(token, "message number")
    if num < 1:
        raise ProtocolError("The server sent message number 0, which POP3 does not allow.")
    return num


def parse_stat(text: str | bytes) -> tuple[int, int]:
    """The "+OK nn mm" drop listing of STAT (RFC 1939 §5): message count and octets."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    parts = raw.split()
    if len(parts) < 2:
        raise ProtocolError(f"The server sent an invalid STAT answer: {quote_server_text(raw)!r}.")
    return _number(parts[0], "message count"), _number(parts[1], "mailbox size")


def parse_scan_line(line: bytes | str) -> tuple[int, int]:
    """One scan listing "msg octets" (LIST, RFC 1939 §5); later fields are ignored.

    RFC 1939 lets servers append information after the size, so only the first two
    fields are read, but both must be plain decimal numbers.
    """
    raw = line.encode("utf-8") if isinstance(line, str) else line
    parts = raw.split(b" ")
    if len(parts) < 2:
        raise ProtocolError(f"The server sent an invalid LIST line: {quote_server_text(raw)!r}.")
    return _message_number(parts[0]), _number(parts[1], "message size")


def validate_uid(uid: bytes) -> str:
    """A unique-id checked against RFC 1939 §7 (1..70 chars of 0x21..0x7E)."""
    if not _UID_RE.fullmatch(uid):
        raise ProtocolError(
            f"The server sent an invalid unique id (UIDL): {quote_server_text(uid)!r}."
        )
    return uid.decode("ascii")


def parse_uidl_line(line: bytes | str) -> tuple[int, str]:
    """One unique-id listing "msg uid" (UIDL, RFC 1939 §7): exactly two fields."""
    raw = line.encode("utf-8") if isinstance(line, str) else line
    parts = raw.split(b" ")
    if len(parts) != 2:
        raise ProtocolError(f"The server sent an invalid UIDL line: {quote_server_text(raw)!r}.")
    return _message_number(parts[0]), validate_uid(parts[1])


def parse_scan_listing(
    lines: Sequence[bytes], *, max_entries: int = MAX_LISTING_ENTRIES
) -> dict[int, int]:
    """A whole LIST answer: message number -> size. Duplicate numbers are rejected."""
    _check_count(lines, max_entries, "LIST")
    result: dict[int, int] = {}
    for line in lines:
        num, size = parse_scan_line(line)
        if num in result:
            raise ProtocolError(f"The server listed message {num} twice in its LIST answer.")
        result[num] = size
    return result


def parse_uidl_listing(
    lines: Sequence[bytes], *, max_entries: int = MAX_LISTING_ENTRIES
) -> dict[int, str]:
    """A whole UIDL answer: message number -> unique id.

    Duplicate numbers and duplicate ids are both rejected: an id that names two
    messages could make a later DELE remove the wrong one (RFC 1939 §7).
    """
    _check_count(lines, max_entries, "UIDL")
    result: dict[int, str] = {}
    seen: set[str] = set()
    for line in lines:
        num, uid = parse_uidl_line(line)
        if num in result:
            raise ProtocolError(f"The server listed message {num} twice in its UIDL answer.")
        if uid in seen:
            raise ProtocolError(
                f"The server gave the same unique id to two messages ({quote_server_text(uid)!r})."
            )
        seen.add(uid)
        result[num] = uid
    return result


@dataclass(frozen=True)
class UidlListing:
    """A UIDL answer read leniently: the usable ids, and why the others are not.

    Real servers break RFC 1939 §7: some give byte-identical messages one id, some take
    the id from an ``X-UIDL:`` header inside the message (so a sender picks it, spaces
    and all). Such an id must cost only the messages that carry it - they are
    identified by fingerprint instead - never the whole mailbox.
    """

    ids: dict[int, str]  # number -> a valid id no other message in this listing has
    problems: dict[int, str]  # number -> why it has no usable id ("duplicate", "invalid")


def read_uidl_listing(
    lines: Sequence[bytes], *, max_entries: int = MAX_LISTING_ENTRIES
) -> UidlListing:
    """A whole UIDL answer, keeping the valid unique ids and naming the rest.

    A line whose number is invalid or repeated can't be tied to a message at all, so
    the answer is refused (ProtocolError); a bad *id* only marks its message.
    """
    _check_count(lines, max_entries, "UIDL")
    found: dict[int, str | None] = {}
    problems: dict[int, str] = {}
    holders: dict[str, list[int]] = {}
    for line in lines:
        first, sep, rest = line.partition(b" ")
        num = _message_number(first)
        if num in found:
            raise ProtocolError(f"The server listed message {num} twice in its UIDL answer.")
        if not sep or not _UID_RE.fullmatch(rest):
            found[num] = None
            problems[num] = "invalid"
            continue
        uid = rest.decode("ascii")
        found[num] = uid
        holders.setdefault(uid, []).append(num)
    for nums in holders.values():
        if len(nums) > 1:
            for num in nums:
                found[num] = None
                problems[num] = "duplicate"
    ids = {num: uid for num, uid in found.items() if uid is not None}
    return UidlListing(ids=ids, problems=problems)


def parse_uidl_answer(text: str | bytes, asked: int) -> str | None:
    """The id in a ``UIDL n`` answer: "n uid" (RFC 1939 §7) or, as some servers send,
    just "uid". None when the answer names another message or an invalid id."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    parts = raw.split(b" ")
    if len(parts) == 1:
        token = parts[0]
    elif len(parts) == 2 and _NUMBER_RE.fullmatch(parts[0]) and int(parts[0]) == asked:
        token = parts[1]
    else:
        return None
    return token.decode("ascii") if _UID_RE.fullmatch(token) else None


def _check_count(lines: Sequence[bytes], max_entries: int, command: str) -> None:
    if len(lines) > max_entries:
        raise ProtocolError(
            f"The server's {command} answer lists {len(lines)} messages, more than the "
            f"{max_entries} PyMailGUI accepts."
        )
