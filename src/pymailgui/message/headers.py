"""Decoding header fields leniently: received headers are hostile input.

``email.policy.default`` already decodes RFC 2047 words, RFC 2231 parameters and raw
UTF-8 (RFC 6532). Some inputs still make its parser raise, so every accessor here falls
back to a small lenient decoder of the raw source value and never raises.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email.utils
import functools
import quopri
import re
from datetime import UTC, datetime
from email.headerregistry import HeaderRegistry
from email.message import Message

from pymailgui.message.model import Address, strip_deceptive

_REGISTRY = HeaderRegistry()

# RFC 2047 section 2 encoded-word, read loosely: any charset token (with an optional
# RFC 2231 language suffix), B or Q, and any text up to the next "?=".
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
# RFC 2047 section 6.2: white space between two adjacent encoded-words is not displayed.
_BETWEEN_WORDS = re.compile(r"(\?=)[ \t\r\n]+(=\?)")
_LINE_BREAK = re.compile(r"[\r\n]+[ \t]*")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")
_Q_BYTE = re.compile(rb"=([0-9A-Fa-f]{2})")
_Q_ESCAPES_ONLY = re.compile(rb"(?:[^=\r\n]|=[0-9A-Fa-f]{2})*+")

# Codecs that are not character sets of text (or are unsafe/slow on hostile input).
_REFUSED_CODECS = frozenset(
    {"unicode_escape", "raw_unicode_escape", "idna", "punycode", "undefined", "mbcs", "oem"}
)


@functools.lru_cache(maxsize=256)
def lookup_charset(name: str | None) -> str | None:
    """The Python codec name for a MIME charset label, or None when unknown or unsafe."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    label = label.split("*", 1)[0]  # RFC 2231 section 5 language suffix
    if label in {"unknown-8bit", "x-unknown", "unknown", "8bit", "default"}:
        return None
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED_CODECS:
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Decode ``data`` trying the declared charset, UTF-8, then cp1252 with replacement.

    Returns the text and, when the declared charset could not be used, a sentence for the
    defects list. Never raises.
    """
    codec = lookup_charset(charset)
    if codec is not None:
        try:
            return data.decode(codec), None
        except (UnicodeDecodeError, ValueError):
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # cp1252 is what most mislabelled "latin-1"/"us-ascii" mail really is (WHATWG
        # Encoding treats the label iso-8859-1 as windows-1252 for the same reason).
        text = data.decode("cp1252", errors="replace")
        used = "windows-1252"
    else:
        used = "utf-8"
    if codec is None and not charset:
        if data.isascii():
            return text, None
        return text, f"8-bit text has no declared charset; shown as {used}"
    if codec is None:
        return text, f"unknown charset {charset!r}; shown as {used}"
    return text, f"text is not valid {charset}; shown as {used}"


def decode_word(charset: str, encoding: str, text: str) -> str | None:
    """The text of one RFC 2047 encoded-word, leniently: broken base64 padding is
    repaired, an unknown or wrong charset falls back to UTF-8, then windows-1252.
    Q text is read as RFC 2047 section 4.2 defines it: "_" is a space, "=XX" a byte, and
    any other "=" just "=" (Q has no soft line breaks). None when it can't be decoded."""
    if encoding.lower() == "q":
        raw = text.encode("ascii", "replace")
        if _Q_ESCAPES_ONLY.fullmatch(raw):  # then a2b_qp's reading is the same, in C
            data = binascii.a2b_qp(raw, header=True)
        else:
            data = _Q_BYTE.sub(_q_byte, raw.replace(b"_", b" "))
        return decode_bytes(data, charset)[0]
    data_b = _b_bytes(text)
    return None if data_b is None else decode_bytes(data_b, charset)[0]


def _q_byte(match: re.Match[bytes]) -> bytes:
    return bytes.fromhex(match.group(1).decode("ascii"))


def _b_bytes(text: str) -> bytes | None:
    cleaned = _NOT_BASE64.sub("", text)
    # Broken padding is common: pad to a multiple of four, dropping a lone char.
    cleaned = cleaned[: len(cleaned) - (len(cleaned) % 4 == 1)]
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError):
        return None


def _decode_word(match: re.Match[str]) -> str:
    charset, encoding, text = match.group(1), match.group(2).lower(), match.group(3)
    if encoding == "b":
        data = _b_bytes(text)
        if data is None:
            return match.group(0)
    else:
        data = quopri.decodestring(text.replace("_", " ").encode("ascii", "replace"))
    return decode_bytes(data, charset)[0]


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded-words leniently (bad padding, unknown charsets, no spaces)."""
    value = _BETWEEN_WORDS.sub(r"\1\2", value)
    return _ENCODED_WORD.sub(_decode_word, value)


def _cp1252_for_invalid(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 are read as windows-1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("cp1252", errors="replace"), error.end


codecs.register_error("pymailgui-cp1252", _cp1252_for_invalid)


def recover_8bit(value: str) -> str:
    """Turn surrogate-escaped raw bytes (8-bit headers) into text.

    RFC 6532 allows raw UTF-8 in headers; older mailers send raw latin-1/cp1252, and a
    forwarded header can mix both, so each byte run that isn't UTF-8 is read as cp1252.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "surrogateescape")
        return raw.decode("utf-8", "pymailgui-cp1252")
    return value


def _has_8bit(value: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in value)


def one_line(value: str) -> str:
    """Unfold (RFC 5322 section 2.2.3) and fold stray CR/LF to spaces; strip controls."""
    return strip_deceptive(_LINE_BREAK.sub(" ", value.replace("\x00", ""))).strip()


def raw_header(msg: Message, name: str) -> str | None:
    """The first source value of header ``name`` without parsing it, or None."""
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return str(value)
    return None


def header_text(msg: Message, name: str, defects: list[str] | None = None) -> str:
    """The decoded, single-line text of header ``name`` ("" when absent)."""
    raw = raw_header(msg, name)
    if raw is not None and _has_8bit(raw):
        # The stdlib turns undecodable 8-bit bytes into U+FFFD; read them ourselves.
        return one_line(decode_words(recover_8bit(raw)))
    try:
        value = msg.get(name)
        if value is None:
            return ""
        text = str(value)
        for defect in getattr(value, "defects", ()):
            if defects is not None:
                defects.append(f"{name} header: {describe_defect(defect)}")
    except Exception:  # the stdlib header parser can raise on hostile input
        if defects is not None:
            defects.append(f"{name} header could not be parsed; shown as decoded text")
        text = decode_words(raw_header(msg, name) or "")
    if "=?" in text:  # words the stdlib left alone (e.g. inside quotes or adjoining text)
        text = decode_words(text)
    return one_line(recover_8bit(text))


def addresses(msg: Message, name: str, defects: list[str] | None = None) -> list[Address]:
    """Every mailbox in the address header ``name`` (groups flattened)."""
    result: list[Address] = []
    wanted = name.lower()
    raws = [str(v) for k, v in msg.raw_items() if k.lower() == wanted]
    try:
        values = msg.get_all(name) or []
        for index, value in enumerate(values):
            parsed = getattr(value, "addresses", ())
            found = [make_address(a.display_name, a.addr_spec) for a in parsed]
            if index < len(raws) and "=?" in raws[index]:
                found = _rejoined(raws[index], found)
            result.extend(found)
        if values and not result:
            raise ValueError("no mailbox parsed")
    except Exception:  # fall back to the forgiving parser
        result = [a for raw in raws for a in parse_address_list(raw)]
        if defects is not None and result:
            defects.append(f"{name} header is malformed; addresses were guessed")
    return result


def _rejoined(raw: str, found: list[Address]) -> list[Address]:
    """Display names re-read with adjacent encoded-words joined first.

    RFC 2047 section 6.2 says white space between two encoded-words is not displayed,
    but the stdlib keeps it inside a phrase, so a long name folded by any mailer
    (including the stdlib) would gain spaces. The mailboxes must stay the same.
    """
    try:
        header = _REGISTRY("to", one_line(_BETWEEN_WORDS.sub(r"\1\2", raw)))
        again = [make_address(a.display_name, a.addr_spec) for a in header.addresses]  # type: ignore[attr-defined]
    except Exception:
        return found
    if [a.addr_spec for a in again] != [a.addr_spec for a in found]:
        return found
    return again


#: Longer address text skips the stdlib's parser: it is quadratic on some input (a display
#: name of 100,000 dots took 76 s) and the linear readings below suffice.
STDLIB_ADDRESS_LIMIT = 2_000

# A mailbox written as "phrase <addr-spec>", phrase quoted or not (commas split mailboxes).
_BRACKETED = re.compile(r'((?:"(?:[^"\\]|\\.)*"|[^<>",])*)<([^<>]*)>')


def parse_address_list(value: str) -> list[Address]:
    """Addresses from free text (user input or a malformed header); never raises.

    The stdlib parser first; when it reports defects, "name <addr>" pairs are taken
    as written, so a broken display name (an encoded-word hiding "@" or ":", which
    RFC 2047 section 5 forbids in a phrase) can't invent extra recipients.
    """
    value = recover_8bit(value)
    loose: list[Address] = []
    try:
        if len(value) > STDLIB_ADDRESS_LIMIT:
            raise ValueError("too long for the stdlib's quadratic parser")
        header = _REGISTRY("to", one_line(value))
        loose = [make_address(a.display_name, a.addr_spec) for a in header.addresses]  # type: ignore[attr-defined]
        if loose and not header.defects:
            return loose
    except Exception:  # noqa: S110 - next fallback below
        pass
    bracketed = _BRACKETED.findall(one_line(value))
    if bracketed:
        return [make_address(name.strip().strip('"'), spec.strip()) for name, spec in bracketed]
    if loose:
        return loose
    pairs = email.utils.getaddresses([one_line(value)])
    return [make_address(name, spec) for name, spec in pairs if name or spec]


def make_address(display_name: str, addr_spec: str) -> Address:
    """An :class:`Address` for display: one line, 8-bit and encoded words decoded."""
    name = one_line(recover_8bit(display_name))
    if "=?" in name:
        name = one_line(decode_words(name))
    spec = one_line(recover_8bit(addr_spec))
    if spec in {"<>", "@"}:
        spec = ""
    return Address(name, spec)


def header_date(msg: Message, defects: list[str] | None = None) -> datetime | None:
    """The Date header as an aware datetime; "-0000" (unknown zone) is taken as UTC."""
    raw = raw_header(msg, "date")
    if raw is None:
        return None
    value = date_from_text(raw)
    if value is None and defects is not None:
        defects.append("Date header could not be parsed")
    return value


def date_from_text(raw: str) -> datetime | None:
    """A Date value (RFC 5322 section 3.3, read leniently) as an aware datetime, or None."""
    try:
        value = email.utils.parsedate_to_datetime(one_line(raw))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value.tzinfo is None:
        # RFC 5322 section 3.3: -0000 says the time is UTC but the local zone is unknown.
        value = value.replace(tzinfo=UTC)
    return value


def attachments_from_headers(msg: Message) -> bool:
    """Whether a message has attachments, judged from its top-level headers only.

    For lists, where the body is not read: multipart/mixed is what mail clients use to
    carry attachments (RFC 2046 §5.1.3), and a message that is one non-text part (a bare
    PDF) is an attachment too. Only the type/subtype token is read (RFC 2045 §5.1).
    """
    return attachments_from_type(raw_header(msg, "content-type") or "")


def attachments_from_type(content_type: str) -> bool:
    """:func:`attachments_from_headers` for a raw Content-Type value ("" when absent)."""
    ctype = content_type.split(";", 1)[0].strip().lower()
    if "/" not in ctype:
        return False  # absent or invalid: text/plain (RFC 2045 §5.2)
    if ctype == "multipart/mixed":
        return True
    return ctype.split("/", 1)[0] not in {"text", "multipart", "message"}


_MSG_ID = re.compile(r"<[^<>\s]+>")


def message_ids(value: str) -> list[str]:
    """The "<id>" tokens of a Message-ID/References/In-Reply-To value, in order."""
    return _MSG_ID.findall(one_line(recover_8bit(value)))


def describe_defect(defect: object) -> str:
    """A short readable form of an ``email.errors`` defect."""
    name = type(defect).__name__.removesuffix("Defect")
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()
    detail = str(defect).strip()
    if detail and detail.lower() != words:
        return f"{words} ({one_line(detail)[:120]})"
    return words
