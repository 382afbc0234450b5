"""The lean summarizer shows what the full ``email`` parser shows.

``reference_summary`` is the summary as it was made before (the stdlib's
header registry under ``policy.default``, then the project's lenient fallbacks). The
lean one must agree with it on every message of the corpus and on realistic generated
headers. It differs on purpose in exactly these ways, each listed below with the mail
that shows it:

* adjacent encoded-words in a display name are joined (RFC 2047 section 6.2); the
  stdlib keeps the space between them. For generated mail this is checked by giving the
  reference the same header with that white space removed.
* encoded-words whose bytes don't fit their charset are read as windows-1252 (the
  project's lenient decoder); the stdlib shows U+FFFD.
* an encoded-word inside an addr-spec is not re-read as address syntax after decoding
  (the stdlib's is, which can invent recipients).
* comments nested deeper than Python's recursion limit are read (the stdlib gives up and
  shows the raw text).
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pymailgui.message.reference_summary import reference_summary
from pymailgui.message.summary import HeaderFields, summarize_headers

MAIL = Path(__file__).resolve().parent.parent / "data" / "mail"
FILES = sorted(p for p in MAIL.rglob("*") if p.is_file() and p.suffix in {".eml", ".txt"})

# (file, column) -> what the lean summarizer shows there, and why it differs.
EXPECTED_DIFFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    ("summary_adjacent_words.eml", "from_"): (
        "山田太郎 <taro@example.jp>",
        "RFC 2047 6.2: no space between adjacent encoded-words (reference: '山田 太郎')",
    ),
    ("summary_mislabelled_words.eml", "to"): (
        "René <rene@example.fr>",
        "latin-1 bytes in a utf-8 word read as windows-1252 (reference: U+FFFD)",
    ),
    ("summary_mislabelled_words.eml", "cc"): (
        "Señor <senor@example.es>",
        "unknown charset, bytes not UTF-8: windows-1252 (reference: U+FFFD)",
    ),
    ("summary_mislabelled_words.eml", "subject"): (
        "Café crème and été",
        "latin-1 bytes in a utf-8 word read as windows-1252 (reference: U+FFFD)",
    ),
    ("summary_word_in_address.eml", "to"): (
        '"you, attacker@evil.examplex"@example.org',
        "one (odd) address; the reference re-reads the decoded word: 'you, <>'",
    ),
    ("summary_deep_comments.eml", "from_"): (
        "Deep <deep@example.com>",
        "1200 nested comments read; the reference hits the recursion limit, shows raw text",
    ),
}

COLUMNS = HeaderFields.__dataclass_fields__


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_message_summarized_as_the_full_parser_does(path: Path) -> None:
    data = path.read_bytes()
    ours, reference = summarize_headers(data), reference_summary(data)
    for column in COLUMNS:
        got, want = getattr(ours, column), getattr(reference, column)
        expected = EXPECTED_DIFFERENCES.get((path.name, column))
        if expected is None:
            assert got == want, column
        else:
            assert got == expected[0], expected[1]
            assert got != want, f"{column} no longer differs: drop it from the list"


def test_every_listed_difference_is_in_the_corpus() -> None:
    names = {p.name for p in FILES}
    assert {name for name, _ in EXPECTED_DIFFERENCES} <= names


# -- realistic generated headers ---------------------------------------------------------

NAMES = [
    "Alice Martin",
    "Bob",
    "Jürgen Müller",
    "Chloé Dubois",
    "山田 太郎",
    "Ελένη Παπαδοπούλου",
    "Łukasz Żółć",
    "José Ñúñez",
    "Dr. Eva Schmidt",
    "Nguyen, Bob",
    "O'Brien",
    'Anna "Nan" Lee',
    "Back\\slash",
    "support@bank.example",
    "Zoë (work)",
    "A very long display name that a mailer will have to fold onto another line",
    "Marië-Louise van der Berg-Østergaard de la Fontaine-Ñañez Vásquez",
]
LOCALS = ["alice", "bob.smith", "j.mueller", "team+lists", "x", "o'brien", "a_b-c"]
DOMAINS = ["example.com", "mail.example.org", "example.co.jp", "sub.domain.example"]
WORDS = ["Re:", "Fwd:", "[list]", "meeting", "notes", "café", "Übersicht", "会議", "résumé"]
WORDS += ["quarterly", "report", "(draft)", "-", "naïve", "Ελληνικά", "100%", "a,b"]
CHARSETS = ["utf-8", "iso-8859-1", "windows-1252", "iso-2022-jp", "koi8-r"]

addresses = st.builds(
    lambda local, domain: f"{local}@{domain}", st.sampled_from(LOCALS), st.sampled_from(DOMAINS)
)
mailboxes = st.tuples(st.sampled_from(["", *NAMES]), addresses)
mailbox_lists = st.lists(mailboxes, min_size=1, max_size=6)
subjects = st.lists(st.sampled_from(WORDS), min_size=0, max_size=14).map(" ".join)
zones = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
dates = st.builds(
    lambda s, tz: datetime.fromtimestamp(s, UTC).astimezone(tz),
    st.integers(0, 2_000_000_000),
    zones,
)


def _encoded(text: str, charset: str, encoding: str) -> str:
    data = text.encode(charset)
    if encoding == "b":
        payload = base64.b64encode(data).decode()
    else:
        payload = "".join(_q_char(b) for b in data)
    return f"=?{charset}?{encoding}?{payload}?="


def _q_char(byte: int) -> str:
    char = chr(byte)
    if char.isascii() and char.isalnum():
        return char
    return "_" if byte == 32 else f"={byte:02X}"


@st.composite
def display_name_styles(draw: st.DrawFn, name: str) -> str:
    """A display name the way some mailer writes it (the full range real mail shows)."""
    if not name:
        return ""
    ascii_only = name.isascii()
    style = draw(st.sampled_from(["quoted", "encoded", "split", "in_quotes", "atoms"]))
    if style == "atoms" and ascii_only and re.fullmatch(r"[A-Za-z0-9 .']+", name):
        return name  # "J. Smith" unquoted (obsolete, common)
    if style in ("encoded", "split", "in_quotes") and not ascii_only:
        charset = draw(st.sampled_from([c for c in CHARSETS if _fits(name, c)] or ["utf-8"]))
        encoding = draw(st.sampled_from(["b", "q"]))
        if style == "split":  # folded into two words, as long names are
            cut = draw(st.integers(1, max(1, len(name) - 1)))
            parts = [name[:cut], name[cut:]] if len(name) > 1 else [name]
            fold = draw(st.sampled_from([" ", "\r\n ", "\r\n\t"]))
            return fold.join(_encoded(p, "utf-8", encoding) for p in parts)
        word = _encoded(name, charset, encoding)
        return f'"{word}"' if style == "in_quotes" else word
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _fits(text: str, charset: str) -> bool:
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


@st.composite
def hand_written_lists(draw: st.DrawFn) -> str:
    """An address list written by hand (or by an old mailer): styles, comments, groups."""
    items: list[str] = []
    for name, addr in draw(mailbox_lists):
        shown = draw(display_name_styles(name))
        form = draw(st.sampled_from(["name", "name", "bare", "angle", "comment"]))
        if form == "bare" or (form == "name" and not shown):
            items.append(addr)
        elif form == "angle":
            items.append(f"<{addr}>")
        elif form == "comment" and name.isascii() and "(" not in name and ")" not in name:
            items.append(f"{addr} ({name})")
        else:
            items.append(f"{shown} <{addr}>" if shown else addr)
    if draw(st.booleans()) and len(items) > 2:
        items[1:3] = [f"Team: {items[1]}, {items[2]};"]
    if draw(st.integers(0, 9)) == 0:
        items.append("undisclosed-recipients:;")
    separator = draw(st.sampled_from([", ", ",\r\n ", ",\r\n\t", ","]))
    return separator.join(items)


@st.composite
def header_blocks(draw: st.DrawFn) -> bytes:
    """A header block as real mail has it: trace fields, then the list columns."""
    generated = draw(st.booleans())
    lines: list[bytes] = []
    for hop in range(draw(st.integers(0, 4))):
        received = (
            f"Received: from mx{hop}.example.net (mx{hop}.example.net [192.0.2.{hop}])\r\n"
            f"\tby mail.example.org with ESMTPS id {hop}abc; Mon, 5 Jan 2026 08:30:12 +0000"
        )
        lines.append(received.encode())
    if draw(st.booleans()):
        lines.append(
            b"DKIM-Signature: v=1; a=rsa-sha256; d=example.net; s=sel;\r\n"
            b"\th=from:to:subject:date; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
            b"\tb=Qm0Y0Jq4f3cY8H1s3yZ2pW9q8f7Gm0aP6c1zZ1l7m8lJ8j4nQxK0v8Qm0Y0Jq4f3cY8"
        )
    when = draw(dates)
    if generated:
        # What Python's own mail generator writes (encoded names, quoting, folding).
        msg = EmailMessage(policy=draw(st.sampled_from([SMTP, SMTPUTF8])))
        msg["From"] = _formatted(draw(mailbox_lists)[:1])
        msg["To"] = _formatted(draw(mailbox_lists))
        if draw(st.booleans()):
            msg["Cc"] = _formatted(draw(mailbox_lists))
        msg["Subject"] = draw(subjects)
        msg["Date"] = format_datetime(when)
        msg["Message-ID"] = f"<{draw(st.integers(0, 10**9))}@{draw(st.sampled_from(DOMAINS))}>"
        msg.set_content("body\n")
        lines.append(msg.as_bytes().split(b"\r\n\r\n", 1)[0])
    else:
        lines.append(b"From: " + draw(hand_written_lists()).encode("utf-8"))
        lines.append(b"To: " + draw(hand_written_lists()).encode("utf-8"))
        if draw(st.booleans()):
            lines.append(b"Cc: " + draw(hand_written_lists()).encode("utf-8"))
        lines.append(b"Subject: " + _subject(draw).encode("utf-8"))
        date = format_datetime(when)
        date = draw(st.sampled_from([date, date[5:], date + " (UTC)", date[:-5] + "-0000"]))
        lines.append(b"Date: " + date.encode())
        lines.append(b"Content-Type: " + draw(st.sampled_from(CONTENT_TYPES)))
    eol = draw(st.sampled_from([b"\r\n", b"\r\n", b"\n"]))
    return (b"\r\n".join(lines) + b"\r\n\r\n").replace(b"\r\n", eol)


CONTENT_TYPES = [b"text/plain; charset=utf-8", b'multipart/mixed; boundary="b"', b"image/png"]


def _formatted(pairs: list[tuple[str, str]]) -> str:
    from email.headerregistry import Address

    return ", ".join(
        str(Address(display_name=name, addr_spec=addr)) if name else addr for name, addr in pairs
    )


def _subject(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=0, max_size=10))
    out = []
    for word in words:
        if not word.isascii() and draw(st.booleans()):
            word = _encoded(word, "utf-8", draw(st.sampled_from(["b", "q"])))
        out.append(word)
    return " ".join(out)  # non-ASCII left raw is RFC 6532 (8-bit) text


# RFC 2047 6.2, as a transformation of the source: the reference then joins them too.
_BETWEEN_WORDS = re.compile(rb"\?=[ \t]*(?:\r?\n)?[ \t]+=\?")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header_blocks())
def test_generated_headers_summarized_as_the_full_parser_does(block: bytes) -> None:
    ours = summarize_headers(block)
    reference = reference_summary(block)
    joined = reference_summary(_BETWEEN_WORDS.sub(b"?==?", block))
    assert ours == joined
    for column in ("subject", "date", "message_id", "has_attachments"):
        assert getattr(ours, column) == getattr(reference, column)
    for column in ("from_", "to", "cc"):
        if getattr(ours, column) != getattr(reference, column):
            # Only where adjacent encoded-words were joined.
            assert _BETWEEN_WORDS.search(block), column
