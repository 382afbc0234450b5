"""Pure parsers of POP3 answers: examples from the RFCs and hostile input, plus properties."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pymailgui.errors import ProtocolError
from pymailgui.pop.parse import (
    parse_capabilities,
    parse_scan_line,
    parse_scan_listing,
    parse_stat,
    parse_status,
    parse_uidl_line,
    parse_uidl_listing,
    validate_uid,
)

# -- status lines ------------------------------------------------------------------------


def test_status_ok_and_err_with_text() -> None:
    ok = parse_status(b"+OK 2 320")
    err = parse_status(b"-ERR no such message")
    assert (ok.ok, ok.text, ok.code) == (True, "2 320", None)
    assert (err.ok, err.text, err.code) == (False, "no such message", None)


def test_status_without_text() -> None:
    assert parse_status(b"+OK").text == ""
    assert parse_status(b"-ERR").ok is False


@pytest.mark.parametrize(
    ("line", "code", "text"),
    [
        (b"-ERR [IN-USE] Do you have another POP session running?", "IN-USE", "Do you"),
        (b"-ERR [LOGIN-DELAY] wait 5 minutes", "LOGIN-DELAY", "wait 5"),
        (b"-ERR [AUTH] Authentication failed.", "AUTH", "Authentication"),
        (b"-ERR [SYS/TEMP] try later", "SYS/TEMP", "try later"),
        (b"-ERR [sys/perm] disk broken", "SYS/PERM", "disk broken"),
    ],
)
def test_status_resp_codes_rfc2449(line: bytes, code: str, text: str) -> None:
    status = parse_status(line)
    assert status.code == code
    assert status.text.startswith(text)


@pytest.mark.parametrize(
    ("line", "busy"),
    [
        (b"-ERR [IN-USE] another session", True),
        (b"-ERR [LOGIN-DELAY] too soon", True),
        (b"-ERR [SYS/TEMP] overloaded", True),
        (b"-ERR [AUTH] bad password", False),
        (b"-ERR Unable to lock maildrop: mailbox locked", True),
        (b"-ERR mailbox in use by another session", True),
        (b"-ERR invalid password", False),
        # An explicit code wins over the words in the text.
        (b"-ERR [AUTH] your account is locked", False),
    ],
)
def test_status_busy(line: bytes, busy: bool) -> None:
    assert parse_status(line).busy is busy


def test_brackets_that_are_not_a_resp_code_stay_text() -> None:
    status = parse_status(b"-ERR [not a code] x")  # spaces are not allowed in a code
    assert status.code is None
    assert status.text == "[not a code] x"


@pytest.mark.parametrize(
    "line", [b"", b"OK", b"+OKAY", b"-ERROR x", b"* OK imap", b"+ok", b"220 smtp ready"]
)
def test_status_rejects_anything_else(line: bytes) -> None:
    with pytest.raises(ProtocolError, match="does not allow"):
        parse_status(line)


def test_status_error_quotes_hostile_text_safely() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_status(b"\x1b[31mEVIL" + b"A" * 5000)
    message = str(info.value)
    assert "\x1b" not in message
    assert len(message) < 400


# -- CAPA --------------------------------------------------------------------------------


def test_capabilities_full_list() -> None:
    caps = parse_capabilities(
        [
            b"TOP",
            b"USER",
            b"SASL PLAIN login XOAUTH2",
            b"RESP-CODES",
            b"LOGIN-DELAY 900",
            b"PIPELINING",
            b"EXPIRE 0",
            b"UIDL",
            b"IMPLEMENTATION Shlemazle-Plotz-v302",
            b"STLS",
        ]
    )
    assert caps.known
    assert caps.top and caps.user and caps.uidl and caps.pipelining and caps.stls
    assert caps.resp_codes
    assert caps.sasl == frozenset({"PLAIN", "LOGIN", "XOAUTH2"})
    assert caps.login_delay == 900
    assert caps.expire == "0"
    assert caps.expire_days == 0
    assert caps.implementation == "Shlemazle-Plotz-v302"
    assert caps.raw["SASL"] == ("PLAIN", "login", "XOAUTH2")


def test_capabilities_minimal_and_expire_never() -> None:
    caps = parse_capabilities([b"uidl", b"EXPIRE NEVER", b"", b"X-FOO bar baz"])
    assert caps.uidl and not caps.top and not caps.pipelining and not caps.stls
    assert caps.sasl == frozenset()
    assert caps.expire == "NEVER"
    assert caps.expire_days is None
    assert caps.login_delay is None
    assert caps.raw["X-FOO"] == ("bar", "baz")


def test_capabilities_expire_per_user() -> None:
    caps = parse_capabilities([b"EXPIRE 30 USER", b"LOGIN-DELAY nonsense"])
    assert caps.expire_days == 30
    assert caps.login_delay is None


# -- STAT, LIST, UIDL --------------------------------------------------------------------


def test_stat() -> None:
    assert parse_stat("2 320") == (2, 320)
    assert parse_stat(b"0 0 extra words") == (0, 0)
    for bad in ("", "2", "-1 3", "2 x", "99999999999 1"):
        with pytest.raises(ProtocolError):
            parse_stat(bad)


def test_scan_line() -> None:
    assert parse_scan_line(b"1 120") == (1, 120)
    # RFC 1939 §5 allows more information after the size.
    assert parse_scan_line("7 5000 extra info") == (7, 5000)
    for bad in (b"1", b"0 10", b"1 -5", b"x 5", b"1  5", b"+1 5", b" 1 5", b"1 0x10"):
        with pytest.raises(ProtocolError):
            parse_scan_line(bad)


def test_uidl_line() -> None:
    assert parse_uidl_line(b"1 whqtswO00WBw418f9t5JxYwZ") == (1, "whqtswO00WBw418f9t5JxYwZ")
    assert parse_uidl_line("12 " + "~" * 70) == (12, "~" * 70)


@pytest.mark.parametrize(
    "line",
    [
        b"1",  # empty unique-id (NeoMutt CVE-2018-14356)
        b"1 ",
        b"1 " + b"a" * 71,  # over 70 characters (fetchmail CVE-2005-2335)
        b"1 ../../etc/passwd x",  # a space is not allowed, nor two ids
        b"1 uid\x00nul",
        b"1 caf\xc3\xa9",  # outside 0x21..0x7E
        b"1 tab\there",
        b"0 zero",
        b"-3 neg",
    ],
)
def test_uidl_line_rejects_hostile_ids(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_uidl_line(line)


def test_listing_rejects_duplicates_and_oversize() -> None:
    assert parse_uidl_listing([b"1 a", b"2 b"]) == {1: "a", 2: "b"}
    assert parse_scan_listing([b"1 10", b"3 30"]) == {1: 10, 3: 30}
    with pytest.raises(ProtocolError, match="same unique id"):
        parse_uidl_listing([b"1 same", b"2 same"])
    with pytest.raises(ProtocolError, match="twice"):
        parse_uidl_listing([b"1 a", b"1 b"])
    with pytest.raises(ProtocolError, match="twice"):
        parse_scan_listing([b"2 10", b"2 10"])
    with pytest.raises(ProtocolError, match="more than the 2"):
        parse_uidl_listing([b"1 a", b"2 b", b"3 c"], max_entries=2)
    with pytest.raises(ProtocolError, match="more than the 1"):
        parse_scan_listing([b"1 1", b"2 2"], max_entries=1)


uid_text = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=70)


@given(st.dictionaries(st.integers(1, 10**9), uid_text, max_size=40))
def test_uidl_listing_round_trip(entries: dict[int, str]) -> None:
    unique = {}
    seen: set[str] = set()
    for num, uid in entries.items():
        if uid not in seen:
            seen.add(uid)
            unique[num] = uid
    lines = [f"{n} {u}".encode() for n, u in unique.items()]
    assert parse_uidl_listing(lines) == unique


@given(st.integers(1, 9_999_999_999), st.integers(0, 9_999_999_999))
def test_scan_line_round_trip(num: int, size: int) -> None:
    assert parse_scan_line(f"{num} {size}".encode()) == (num, size)


@given(st.binary(max_size=100))
@example(b"1 \x7f")
@example(b"1 a b")
def test_uidl_line_never_accepts_invalid(raw: bytes) -> None:
    """Whatever bytes arrive, the parser returns a valid id or raises ProtocolError."""
    try:
        num, uid = parse_uidl_line(raw)
    except ProtocolError:
        return
    assert num >= 1
    assert 1 <= len(uid) <= 70
    assert all(0x21 <= ord(c) <= 0x7E for c in uid)
    assert raw == f"{num} {uid}".encode()


@given(st.binary(max_size=40))
def test_scan_line_only_accepts_decimal(raw: bytes) -> None:
    try:
        num, size = parse_scan_line(raw)
    except ProtocolError:
        return
    fields = raw.split(b" ")
    assert fields[0].isdigit() and fields[1].isdigit()
    assert (int(fields[0]), int(fields[1])) == (num, size)


def test_validate_uid_boundaries() -> None:
    assert validate_uid(b"!") == "!"
    assert validate_uid(b"~" * 70) == "~" * 70
    for bad in (b"", b" ", b"~" * 71, b"\x7f", b"\x20a"):
        with pytest.raises(ProtocolError):
            validate_uid(bad)
