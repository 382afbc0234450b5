"""Address headers (From, To, Cc) as ``str(email.headerregistry.AddressHeader)``, linearly.

The grammar is :mod:`.address_grammar` (a linear port of the stdlib's); this module turns
its tree into ``Display Name <addr@spec>`` text exactly as ``headerregistry`` does (display
names with specials quoted, ``<>`` for empty addresses, groups as ``name: a, b;``), and
reads the shapes nearly all mail uses with one possessive regex per mailbox instead.

Two differences from the stdlib, on purpose: white space between two adjacent
encoded-words of a display name is dropped, as RFC 2047 section 6.2 says (the stdlib
keeps it; its viewer code rejoins them too); and an encoded-word inside an addr-spec is
not re-read as address syntax once decoded (the stdlib's get_local_part re-parses the
decoded text, so a word hiding "," or "<" invents recipients; RFC 2047 section 5 allows
encoded-words only in phrases, comments and unstructured text).
"""

from __future__ import annotations

import re

from pymailgui.message.address_grammar import AddressParser, has_poison, is_mailbox
from pymailgui.message.header_tokens import (
    DOT,
    DOT_ATOM_ENDS,
    EW_SPACE,
    FAST_EW,
    SPECIALS,
    StdlibRaises,
    Token,
    TokenList,
    dot,
    quote_string,
)
from pymailgui.message.headers import decode_word

# -- from the parse tree to "Display Name <addr@spec>" ----------------------------------


def _display_name(words: list[Token]) -> str:
    """DisplayName.display_name, with adjacent encoded-words joined (RFC 2047 6.2)."""
    res: list[Token] = list(words)
    if not res:
        return ""
    first = res[0]
    if first.kind == "cfws":
        res.pop(0)
    elif not isinstance(first, TokenList):
        raise StdlibRaises  # the stdlib indexes into the "." terminal
    elif first.items[0].kind == "cfws":
        res[0] = TokenList("token-list", first.items[1:])
    if not res:
        raise StdlibRaises
    last = res[-1]
    if last.kind == "cfws":
        res.pop()
    elif not isinstance(last, TokenList):
        raise StdlibRaises
    elif last.items[-1].kind == "cfws":
        res[-1] = TokenList("token-list", last.items[:-1])
    parts = [t.value() for t in res]
    for k in range(len(res) - 1):
        joined = _ew_before_space(res[k])
        if joined is not None and _starts_with_ew(res[k + 1]):
            parts[k] = joined
    return "".join(parts)


def _ew_before_space(tok: Token) -> str | None:
    """A word ending in an encoded-word and white space: its value without the space."""
    if (
        not isinstance(tok, TokenList)
        or tok.kind not in ("atom", "token-list")
        or len(tok.items) < 2
    ):
        return None
    core, tail = tok.items[-2], tok.items[-1]
    if core.kind != "encoded-word" or not isinstance(tail, TokenList) or tail.kind != "cfws":
        return None
    if not all(t.kind == "fws" for t in tail.items):
        return None  # a comment between them: not adjacent
    return "".join(t.value() for t in tok.items[:-1])


def _starts_with_ew(tok: Token) -> bool:
    return (
        isinstance(tok, TokenList)
        and tok.kind in ("atom", "token-list")
        and bool(tok.items)
        and tok.items[0].kind == "encoded-word"
    )


def _local_part(local: TokenList) -> str:
    """LocalPart.local_part: white space dropped at the ends and around dots."""
    first = local.items[0]
    toks = first.items if isinstance(first, TokenList) else []
    res: list[Token] = [dot()]
    last: Token = res[0]
    last_is_list = False
    for tok in [*toks, dot()]:
        if tok.kind == "cfws":
            continue
        if last_is_list and tok.kind == DOT:
            assert isinstance(last, TokenList)
            if last.items[-1].kind == "cfws":
                res[-1] = TokenList("token-list", last.items[:-1])
        is_list = isinstance(tok, TokenList)
        if isinstance(tok, TokenList) and last.kind == DOT and tok.items[0].kind == "cfws":
            res.append(TokenList("token-list", tok.items[1:]))
        else:
            res.append(tok)
        last = res[-1]
        last_is_list = is_list
    return "".join(t.value() for t in res[1:-1])


def _domain(tok: TokenList) -> str:
    return "".join(tok.value().split())


def _spec_parts(spec: TokenList) -> tuple[str, str]:
    local = spec.items[0]
    assert isinstance(local, TokenList)
    domain = ""
    if len(spec.items) >= 3:
        dom = spec.items[-1]
        assert isinstance(dom, TokenList)
        domain = _domain(dom)
    return _local_part(local), domain


def _mailbox_parts(mb: TokenList) -> tuple[str, str, str]:
    """(display name, local part, domain) as headerregistry.Address receives them."""
    if mb.kind == "invalid-mailbox":
        return "", "", ""
    inner = mb.items[0]
    assert isinstance(inner, TokenList)
    if inner.kind == "addr-spec":
        return ("", *_spec_parts(inner))
    display = ""
    if len(inner.items) > 1:
        words = inner.items[0]
        assert isinstance(words, TokenList)
        display = _display_name(words.items)
    angle = inner.items[-1]
    assert isinstance(angle, TokenList)
    for tok in angle.items:
        if isinstance(tok, TokenList) and tok.kind == "addr-spec":
            return (display, *_spec_parts(tok))
    return display, "", ""


def _addr_spec(local: str, domain: str) -> str:
    """headerregistry.Address.addr_spec: the local part quoted where it needs it."""
    if not DOT_ATOM_ENDS.isdisjoint(local):
        local = quote_string(local)
    return f"{local}@{domain}" if domain else local or "<>"


def _address_text(display: str, local: str, domain: str) -> str:
    """str(headerregistry.Address)."""
    parts = display + local + domain
    if "\r" in parts or "\n" in parts:
        raise StdlibRaises  # the stdlib's Address() refuses CR/LF (from an encoded-word)
    spec = _addr_spec(local, domain)
    if not SPECIALS.isdisjoint(display):
        display = quote_string(display)
    if display:
        return f"{display} <{'' if spec == '<>' else spec}>"
    return spec


def _members(group: TokenList) -> list[TokenList]:
    """Group.all_mailboxes: the mailboxes of a group's list (none for "name:;")."""
    group_list = group.items[2]
    if isinstance(group_list, TokenList) and group_list.kind == "group-list" and group_list.items:
        mailboxes = group_list.items[0]
        if isinstance(mailboxes, TokenList) and mailboxes.kind == "mailbox-list":
            return [mb for mb in mailboxes.items if isinstance(mb, TokenList) and is_mailbox(mb)]
    return []


def _group_text(address: TokenList) -> str:
    """str(headerregistry.Group) of one top-level address."""
    first = address.items[0]
    assert isinstance(first, TokenList)
    if first.kind != "group":
        return _address_text(*_mailbox_parts(first))
    words = first.items[0]
    assert isinstance(words, TokenList)
    display = _display_name(words.items)
    members = [_address_text(*_mailbox_parts(mb)) for mb in _members(first)]
    if not SPECIALS.isdisjoint(display):
        display = quote_string(display)
    joined = ", ".join(members)
    return f"{display}:{' ' + joined if joined else ''};"


# -- the common shapes, by regular expression --------------------------------------------

# Mailboxes as nearly all mail writes them: ``addr@spec``, ``<addr@spec>`` or a phrase of
# atoms, quoted strings and well-formed encoded-words before ``<addr@spec>``. For these
# the grammar above gives exactly what the text says, so one match per mailbox is
# enough. Every quantifier is possessive: no input makes these patterns backtrack.
_AT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"  # RFC 5322 atext
_FAST_ATOM = rf"(?!=\?){_AT}++"  # an atom starting "=?" is tried as an encoded-word
_FAST_SPEC = rf"(?!=\?){_AT}++(?:\.{_AT}++)*+@(?!=\?){_AT}++(?:\.{_AT}++)*+"
_FAST_QUOTED = r'"(?:[^"\\=]|=(?!\?))*+"'
_FAST_WORD = rf"(?:{FAST_EW}|{_FAST_ATOM}|{_FAST_QUOTED})"
_FAST_MAILBOX = re.compile(
    rf"[ \t]*+(?:(?:(?P<phrase>{_FAST_WORD}(?:[ \t]*+{_FAST_WORD})*+)[ \t]*+)?"
    rf"<(?P<angle>{_FAST_SPEC})>|(?P<spec>{_FAST_SPEC}))[ \t]*+"
)
_FAST_EW_RE = re.compile(FAST_EW)
_FAST_PIECE = re.compile(
    rf"(?P<ew>{FAST_EW})|(?P<quoted>{_FAST_QUOTED})|(?P<atom>{_FAST_ATOM})|(?P<ws>[ \t]++)"
)


def _fast_display_name(phrase: str) -> str | None:
    """The display name of a fast-path phrase (None: an undecodable word, go slow)."""
    if '"' not in phrase and "=?" not in phrase:
        return " ".join(phrase.split())  # atoms: one space wherever there was any
    if phrase[0] == '"' and phrase.find('"', 1) == len(phrase) - 1:
        return phrase[1:-1]  # one quoted string
    if phrase[0] == "=" and _FAST_EW_RE.fullmatch(phrase):  # one encoded-word
        _, charset, cte, text, _ = phrase.split("?")
        decoded = decode_word(charset, cte, text)
        return None if decoded is None else EW_SPACE.sub(" ", decoded)
    parts: list[str] = []
    kinds: list[str | None] = []
    for m in _FAST_PIECE.finditer(phrase):
        kind = m.lastgroup
        if kind == "ws":
            parts.append(" ")
        elif kind == "ew":
            _, charset, cte, text, _ = m.group().split("?")
            decoded = decode_word(charset, cte.lower(), text)
            if decoded is None:
                return None
            parts.append(EW_SPACE.sub(" ", decoded))
        elif kind == "quoted":
            parts.append(m.group()[1:-1])
        else:
            parts.append(m.group())
        kinds.append(kind)
    for k in range(1, len(parts) - 1):
        if kinds[k] == "ws" and kinds[k - 1] == kinds[k + 1] == "ew":
            parts[k] = ""  # RFC 2047 6.2: white space between two words is not shown
    return "".join(parts)


def _fast_prefix(value: str) -> tuple[list[str], int]:
    """The leading mailboxes of common shape, formatted, and where the rest starts."""
    texts: list[str] = []
    pos, n = 0, len(value)
    match = _FAST_MAILBOX.match
    while pos < n:
        m = match(value, pos)
        if m is None:
            break
        end = m.end()
        if end < n and value[end] != ",":
            break
        phrase, angle, spec = m.group("phrase", "angle", "spec")
        local, _, domain = (angle or spec).partition("@")
        display = ""
        if phrase:
            name = _fast_display_name(phrase)
            if name is None:
                break
            display = name
        texts.append(_address_text(display, local, domain))
        pos = min(end + 1, n)
    return texts, pos


def format_address_list(value: str) -> str | None:
    """The header as ``str(email.headerregistry.AddressHeader)`` would read, or None
    where the stdlib raises (the caller then shows the raw text, as the viewer does)."""
    try:
        texts, pos = _fast_prefix(value)
        if pos < len(value):
            addresses = AddressParser(value[pos:]).get_address_list()
            if any(has_poison(a) for a in addresses):
                return None
            texts.extend(_group_text(a) for a in addresses)
    except (StdlibRaises, IndexError):
        return None
    return ", ".join(texts)


def mailbox_pairs(value: str) -> list[tuple[str, str]] | None:
    """(display name, addr-spec) of every mailbox (groups flattened), read linearly;
    None where the stdlib raises (the caller then falls back to its lenient reading)."""
    pairs: list[tuple[str, str]] = []
    try:
        for address in AddressParser(value).get_address_list():
            if has_poison(address):
                return None
            first = address.items[0]
            assert isinstance(first, TokenList)
            for mb in _members(first) if first.kind == "group" else [first]:
                display, local, domain = _mailbox_parts(mb)
                pairs.append((display, _addr_spec(local, domain) if local or domain else ""))
    except (StdlibRaises, IndexError):
        return None
    return pairs


def first_addr_spec(value: str) -> str:
    """The addr-spec of the header's first mailbox (``Address.addr_spec``), or ""."""
    try:
        for address in AddressParser(value).get_address_list():
            first = address.items[0]
            assert isinstance(first, TokenList)
            for mb in _members(first) if first.kind == "group" else [first]:
                return _addr_spec(*_mailbox_parts(mb)[1:])
    except (StdlibRaises, IndexError):
        pass
    return ""
