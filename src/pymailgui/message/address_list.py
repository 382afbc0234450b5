"""Address headers (From, To, Cc) shown as ``email.headerregistry`` shows them, in linear time.

The stdlib's address parser (``email._header_value_parser.get_address_list``) is the
reference: it turns a header into groups of ``Display Name <addr@spec>`` and its
output is what the viewer and the list showed so far. But it re-slices the rest of the
header after every token, so its cost grows with the square of a header's length (a
From whose display name is 100,000 dots took 76 s), and it recurses once per nested
comment. This module is the same grammar and the same recovery rules (which attempt
comes first, what an unparsable piece becomes, where the stdlib itself raises and the
raw text is shown instead), walked with an index into one string and with comments
scanned iteratively, so every character is looked at a bounded number of times.

Deliberate differences from the stdlib, both on purpose: encoded-words are decoded by
the lenient decoder of :mod:`pymailgui.message.headers` (bad padding, unknown or wrong
charsets), and white space between two adjacent encoded-words of a display name is
dropped, as RFC 2047 section 6.2 says (the stdlib keeps it).

Input is the unfolded header value, ASCII only (8-bit headers never reach here).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from pymailgui.message.headers import decode_word

WSP = frozenset(" \t")
CFWS_LEADER = frozenset(" \t(")
SPECIALS = frozenset('()<>@,:;.\\"[]')
ATOM_ENDS = SPECIALS | WSP
DOT_ATOM_ENDS = ATOM_ENDS - {"."}
PHRASE_ENDS = SPECIALS - set('."(')
_HEX = frozenset("0123456789abcdefABCDEF")

_SPACE_RUN = re.compile(r"\s*")  # what str.lstrip() removes (get_fws)
_WSP_RUN = re.compile(r"[ \t]+")
_ATEXT_RUN = re.compile(r'[^ \t()<>@,:;.\\"\[\]]+')
_QEQ = re.compile(r"\?=")
_WSP_CHAR = re.compile(r"[ \t]")
_DOTS = re.compile(r"\.+")
# get_fws inside decoded text: a run that starts with SP/TAB is one space.
_EW_SPACE = re.compile(r"[ \t]\s*")


class _Fail(Exception):
    """The stdlib's HeaderParseError: this attempt failed, the caller tries another."""


class _InvalidEw(_Fail):
    """The stdlib's _InvalidEwError: "=?...?=" that isn't an encoded-word."""


class _Raw(Exception):
    """The stdlib raises on this header (AttributeError, IndexError...): show raw text."""


class _T:
    """A terminal: ``text`` is its str(), ``val`` its value (" " for white space)."""

    __slots__ = ("kind", "text", "val")
    is_list = False

    def __init__(self, kind: str, text: str, val: str | None = None) -> None:
        self.kind = kind
        self.text = text
        self.val = text if val is None else val

    def value(self) -> str:
        return self.val

    def string(self) -> str:
        return self.text


class _L:
    """A token list (the stdlib's TokenList subclasses, told apart by ``kind``)."""

    __slots__ = ("items", "kind", "mark")
    is_list = True

    def __init__(self, kind: str, items: list[_Tok] | None = None) -> None:
        self.kind = kind
        self.items: list[_Tok] = items if items is not None else []
        self.mark = ""  # token_type changed to "invalid-mailbox" after the fact

    def value(self) -> str:
        kind = self.kind
        if kind in ("cfws", "comment"):
            return " "
        if kind == "bare-quoted-string":
            return "".join(x.string() for x in self.items)
        return "".join(x.value() for x in self.items)

    def string(self) -> str:
        if self.kind == "bare-quoted-string":
            return quote_string("".join(x.string() for x in self.items))
        return "".join(x.string() for x in self.items)


_Tok = _T | _L
_DOT_KIND = "dot"


def _dot() -> _T:
    return _T(_DOT_KIND, ".")


def quote_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Parser:
    """One header value; each ``get_*`` mirrors the stdlib function of that name."""

    def __init__(self, s: str) -> None:
        self.s = s
        self.n = len(s)
        self._qeq: list[int] | None = None
        self._wsp: list[int] | None = None
        self._rfc2047: tuple[int, int, int] = (0, -1, -1)  # (from, token end, first hit)

    # -- lexical pieces ---------------------------------------------------------------

    def next_qeq(self, start: int) -> int:
        """The next "?=" at or after ``start`` (-1): one scan for the whole header."""
        if self._qeq is None:
            self._qeq = [m.start() for m in _QEQ.finditer(self.s)]
        at = bisect.bisect_left(self._qeq, start)
        return self._qeq[at] if at < len(self._qeq) else -1

    def next_wsp(self, start: int) -> int:
        """The next SP/TAB at or after ``start`` (len when none), without rescanning."""
        if self._wsp is None:
            self._wsp = [m.start() for m in _WSP_CHAR.finditer(self.s)]
        at = bisect.bisect_left(self._wsp, start)
        return self._wsp[at] if at < len(self._wsp) else self.n

    def dots(self, i: int) -> tuple[_T, int]:
        """A run of "." (one token: each dot would be treated alike)."""
        m = _DOTS.match(self.s, i)
        assert m is not None
        return _T(_DOT_KIND, m.group()), m.end()

    def get_fws(self, i: int) -> tuple[_T, int]:
        m = _SPACE_RUN.match(self.s, i)
        assert m is not None
        return _T("fws", self.s[i : m.end()], " "), m.end()

    def ptext(self, i: int, endchars: str) -> tuple[str, int]:
        """``_get_ptext_to_endchars``: up to an unescaped end char or SP/TAB, unquoted."""
        s = self.s
        end = self.next_wsp(i)
        out: list[str] = []
        pos = i
        while pos < end:
            c = s[pos]
            if c == "\\":
                # A backslash quotes the next character of the same fragment.
                if pos + 1 < end:
                    out.append(s[pos + 1])
                pos += 2
                continue
            if c in endchars:
                return "".join(out), pos
            out.append(c)
            pos += 1
        return "".join(out), end

    def comment_end(self, i: int) -> int:
        """Where the comment opened at ``i`` ends (nesting counted, not recursed)."""
        s, n = self.s, self.n
        depth = 0
        pos = i
        while pos < n:
            c = s[pos]
            if c == "\\":
                # An escape reaches over one character, never over SP/TAB (a new fragment).
                pos += 1 if pos + 1 >= n or s[pos + 1] in WSP else 2
                continue
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return pos + 1
            pos += 1
        return n

    def get_cfws(self, i: int) -> tuple[_L, int]:
        s, n = self.s, self.n
        items: list[_Tok] = []
        while i < n and s[i] in CFWS_LEADER:
            if s[i] in WSP:
                tok, i = self.get_fws(i)
                items.append(tok)
            else:
                i = self.comment_end(i)
                items.append(_L("comment"))  # only its value (" ") is ever used
        return _L("cfws", items), i

    def get_encoded_word(self, i: int) -> tuple[_L, int]:
        s, n = self.s, self.n
        if not s.startswith("=?", i):
            raise _Fail
        end = self.next_qeq(i + 2)
        if end < 0:
            raise _Fail
        after = end + 2
        if n - after > 1 and s[after] in _HEX and s[after + 1] in _HEX and self._qs(i, end) < 2:
            # "?=" was the start of a quoted-printable "=XX": the word ends further on.
            nxt = self.next_qeq(after)
            end, after = (nxt, nxt + 2) if nxt >= 0 else (n, n)
        # email._encoded_words.decode splits "=?" + token + "?=" into exactly five parts.
        q1 = s.find("?", i + 2, end)
        q2 = s.find("?", q1 + 1, end) if q1 >= 0 else -1
        if q2 < 0 or s.find("?", q2 + 1, end) >= 0:
            raise _InvalidEw
        cte = s[q1 + 1 : q2].lower()
        if cte not in ("q", "b"):
            raise _InvalidEw
        text = decode_word(s[i + 2 : q1], cte, s[q2 + 1 : end])
        if text is None:
            raise _InvalidEw
        # An empty word has no tokens at all (the stdlib's properties index into them).
        tokens: list[_Tok] = [_T("ew", text, _EW_SPACE.sub(" ", text))] if text else []
        return _L("encoded-word", tokens), after

    def _qs(self, i: int, end: int) -> int:
        """How many "?" are in s[i+2:end], counted up to two."""
        q1 = self.s.find("?", i + 2, end)
        if q1 < 0:
            return 0
        return 1 if self.s.find("?", q1 + 1, end) < 0 else 2

    def get_atext(self, i: int) -> tuple[_T, int]:
        m = _ATEXT_RUN.match(self.s, i)
        if not m:
            raise _Fail
        return _T("atext", m.group()), m.end()

    def get_bare_quoted_string(self, i: int) -> tuple[_L, int]:
        s, n = self.s, self.n
        if s[i] != '"':
            raise _Fail
        items: list[_Tok] = []
        i += 1
        if i < n and s[i] == '"':
            text, i = self.ptext(i, '"')
            items.append(_T("ptext", text))
        while i < n and s[i] != '"':
            tok: _Tok
            if s[i] in WSP:
                tok, i = self.get_fws(i)
            elif s.startswith("=?", i):
                try:
                    tok, i = self.get_encoded_word(i)
                except _Fail:
                    text, i = self.ptext(i, '"')
                    tok = _T("ptext", text)
                else:
                    # The white space between two encoded-words is not displayed.
                    after_word = len(items) > 1 and items[-2].kind == "encoded-word"
                    if after_word and items[-1].kind == "fws":
                        items[-1] = _T("fws", "", "")
            else:
                text, i = self.ptext(i, '"')
                tok = _T("ptext", text)
            items.append(tok)
        return _L("bare-quoted-string", items), min(i + 1, n)

    # -- unstructured text (Subject) --------------------------------------------------

    def get_unstructured(self) -> str:
        """str(get_unstructured(value)): encoded-words decoded wherever the stdlib does."""
        s, n = self.s, self.n
        out: list[str] = []
        kinds: list[str] = []
        i = 0
        while i < n:
            if s[i] in WSP:
                fws, i = self.get_fws(i)
                out.append(fws.text)
                kinds.append("fws")
                continue
            valid_ew = True
            if s.startswith("=?", i):
                try:
                    ew, after = self.get_encoded_word(i)
                except _InvalidEw:
                    valid_ew = False
                except _Fail:
                    pass
                else:
                    if len(kinds) > 1 and kinds[-1] == "fws" and kinds[-2] == "encoded-word":
                        out[-1] = ""  # RFC 2047 6.2: no space shown between two words
                    out.append(ew.string())
                    kinds.append("encoded-word")
                    i = after
                    continue
            end = self.next_wsp(i)
            if valid_ew and self.rfc2047_in(i, end):
                # An encoded-word inside this word: cut before the first "=?", so that
                # the next round decodes it (the stdlib's "split in the middle of an atom").
                cut = s.find("=?", i, end)
                if cut > i:
                    end = cut
            out.append(s[i:end])
            kinds.append("vtext")
            i = end
        return "".join(out)

    def rfc2047_in(self, i: int, end: int) -> bool:
        """Whether the stdlib's ``rfc2047_matcher`` finds a word in s[i:end].

        The pattern is ``=\\?[^?]*\\?[qQbB]\\?.*?\\?=``: the charset runs to the next "?",
        and any later "?=" ends it. Searched from each "=?" in turn, and the first hit is
        kept for the rest of the token, so a token is scanned once, not once per cut.
        """
        start, cached_end, hit = self._rfc2047
        if cached_end == end and start <= i and (hit < 0 or i <= hit):
            return hit >= 0
        s = self.s
        last = s.rfind("?=", i, end)
        hit = -1
        at = s.find("=?", i, end) if last >= 0 else -1
        while at >= 0:
            q = s.find("?", at + 2, end)
            if q < 0:
                break
            if q + 2 < end and s[q + 1] in "qQbB" and s[q + 2] == "?" and last >= q + 3:
                hit = at
                break
            at = s.find("=?", at + 1, end)
        self._rfc2047 = (i, end, hit)
        return hit >= 0

    # -- words and phrases ------------------------------------------------------------

    def get_quoted_string(self, i: int) -> tuple[_L, int]:
        items: list[_Tok] = []
        if i < self.n and self.s[i] in CFWS_LEADER:
            tok, i = self.get_cfws(i)
            items.append(tok)
        tok, i = self.get_bare_quoted_string(i)
        items.append(tok)
        if i < self.n and self.s[i] in CFWS_LEADER:
            tok, i = self.get_cfws(i)
            items.append(tok)
        return _L("quoted-string", items), i

    def _core(self, i: int, fallback: Callable[[int], tuple[_Tok, int]]) -> tuple[_Tok, int]:
        if self.s.startswith("=?", i):
            try:
                return self.get_encoded_word(i)
            except _Fail:
                pass
        return fallback(i)

    def get_atom(self, i: int) -> tuple[_L, int]:
        s, n = self.s, self.n
        items: list[_Tok] = []
        if i < n and s[i] in CFWS_LEADER:
            tok, i = self.get_cfws(i)
            items.append(tok)
        if i < n and s[i] in ATOM_ENDS:
            raise _Fail
        core, i = self._core(i, self.get_atext)
        items.append(core)
        if i < n and s[i] in CFWS_LEADER:
            tok, i = self.get_cfws(i)
            items.append(tok)
        return _L("atom", items), i

    def get_dot_atom_text(self, i: int) -> tuple[_L, int]:
        s, n = self.s, self.n
        if i >= n or s[i] in ATOM_ENDS:
            raise _Fail
        items: list[_Tok] = []
        while i < n and s[i] not in ATOM_ENDS:
            tok, i = self.get_atext(i)
            items.append(tok)
            if i < n and s[i] == ".":
                items.append(_dot())
                i += 1
        if items[-1].kind == _DOT_KIND:
            raise _Fail
        return _L("dot-atom-text", items), i

    def get_dot_atom(self, i: int) -> tuple[_L, int]:
        items: list[_Tok] = []
        if self.s[i] in CFWS_LEADER:
            tok, i = self.get_cfws(i)
            items.append(tok)
        core, i = self._core(i, self.get_dot_atom_text)
        items.append(core)
        if i < self.n and self.s[i] in CFWS_LEADER:
            tok, i = self.get_cfws(i)
            items.append(tok)
        return _L("dot-atom", items), i

    def get_word(self, i: int) -> tuple[_L, int]:
        s = self.s
        leader = None
        if s[i] in CFWS_LEADER:
            leader, i = self.get_cfws(i)
        if i >= self.n:
            raise _Fail
        if s[i] == '"':
            tok, i = self.get_quoted_string(i)
        elif s[i] in SPECIALS:
            raise _Fail
        else:
            tok, i = self.get_atom(i)
        if leader is not None:
            tok.items.insert(0, leader)
        return tok, i

    def get_phrase(self, i: int) -> tuple[list[_Tok], int]:
        s, n = self.s, self.n
        items: list[_Tok] = []
        try:
            tok, i = self.get_word(i)
            items.append(tok)
        except _Fail:
            pass
        while i < n and s[i] not in PHRASE_ENDS:
            if s[i] == ".":
                dots, i = self.dots(i)
                items.append(dots)
                continue
            try:
                word, i = self.get_word(i)
            except _Fail:
                if s[i] not in CFWS_LEADER:
                    raise
                word, i = self.get_cfws(i)
            items.append(word)
        return items, i

    # -- addr-spec --------------------------------------------------------------------

    def get_local_part(self, i: int) -> tuple[_L, int]:
        s, n = self.s, self.n
        start = i
        leader = None
        if s[i] in CFWS_LEADER:
            leader, i = self.get_cfws(i)
        if i >= n:
            raise _Fail
        tok: _L
        try:
            tok, i = self.get_dot_atom(i)
        except _Fail:
            try:
                tok, i = self.get_word(i)
            except _Fail:
                if s[i] != "\\" and s[i] in PHRASE_ENDS:
                    raise
                tok = _L("token-list")
        if leader is not None:
            tok.items.insert(0, leader)
        if i < n and (s[i] == "\\" or s[i] not in PHRASE_ENDS):
            # The stdlib re-reads str(local_part) + rest; that is the raw text unless
            # the local part held quoted-pairs or encoded-words (garbage either way).
            tok, i = self.get_obs_local_part(start)
        return _L("local-part", [tok]), i

    def get_obs_local_part(self, i: int) -> tuple[_L, int]:
        s, n = self.s, self.n
        items: list[_Tok] = []
        while i < n and (s[i] == "\\" or s[i] not in PHRASE_ENDS):
            if s[i] == ".":
                dots, i = self.dots(i)
                items.append(dots)
                continue
            if s[i] == "\\":
                items.append(_T("misplaced-special", "\\"))
                i += 1
                continue
            word: _L
            try:
                word, i = self.get_word(i)
            except _Fail:
                if s[i] not in CFWS_LEADER:
                    raise
                word, i = self.get_cfws(i)
            items.append(word)
        return _L("obs-local-part", items), i

    def get_domain_literal(self, i: int) -> tuple[_L, int]:
        s, n = self.s, self.n
        items: list[_Tok] = []
        tok: _Tok
        if s[i] in CFWS_LEADER:
            tok, i = self.get_cfws(i)
            items.append(tok)
        if i >= n or s[i] != "[":
            raise _Fail
        i += 1
        # At the end of the header the stdlib appends a defect object to the tree, whose
        # missing .value later makes the whole header fall back to its raw text.
        poison: list[_Tok] = [_T("poison", ""), _T("domain-literal-end", "]")]
        if i >= n:
            return _L("domain-literal", items + poison), i
        items.append(_T("domain-literal-start", "["))
        if s[i] in WSP:
            tok, i = self.get_fws(i)
            items.append(tok)
        text, i = self.ptext(i, "[]")
        items.append(_T("ptext", text))
        if i < n and s[i] in WSP:
            tok, i = self.get_fws(i)
            items.append(tok)
        if i >= n:
            return _L("domain-literal", items + poison), i
        if s[i] != "]":
            raise _Fail
        items.append(_T("domain-literal-end", "]"))
        i += 1
        if i < n and s[i] in CFWS_LEADER:
            tok, i = self.get_cfws(i)
            items.append(tok)
        return _L("domain-literal", items), i

    def get_domain(self, i: int) -> tuple[_L, int]:
        s, n = self.s, self.n
        leader = None
        if s[i] in CFWS_LEADER:
            leader, i = self.get_cfws(i)
        if i >= n:
            raise _Fail
        tok: _L
        if s[i] == "[":
            tok, i = self.get_domain_literal(i)
            if leader is not None:
                tok.items.insert(0, leader)
            return _L("domain", [tok]), i
        try:
            tok, i = self.get_dot_atom(i)
        except _Fail:
            tok, i = self.get_atom(i)
        if i < n and s[i] == "@":
            raise _Fail
        if leader is not None:
            tok.items.insert(0, leader)
        items: list[_Tok] = [tok]
        if i < n and s[i] == ".":
            if tok.kind == "dot-atom":
                items = list(tok.items)
            while i < n and s[i] == ".":
                items.append(_dot())
                atom, i = self.get_atom(i + 1)
                items.append(atom)
        return _L("domain", items), i

    def get_addr_spec(self, i: int) -> tuple[_L, int]:
        local, i = self.get_local_part(i)
        if i >= self.n or self.s[i] != "@":
            return _L("addr-spec", [local]), i
        domain, i = self.get_domain(i + 1)
        return _L("addr-spec", [local, _T("address-at-symbol", "@"), domain]), i

    # -- mailboxes and groups ---------------------------------------------------------

    def get_obs_route(self, i: int) -> int:
        s, n = self.s, self.n
        while i < n and (s[i] == "," or s[i] in CFWS_LEADER):
            i = self.get_cfws(i)[1] if s[i] in CFWS_LEADER else i + 1
        if i >= n or s[i] != "@":
            raise _Fail
        i = self.get_domain(i + 1)[1]
        while i < n and s[i] == ",":
            i += 1
            if i >= n:
                break
            if s[i] in CFWS_LEADER:
                i = self.get_cfws(i)[1]
            if s[i] == "@":
                i = self.get_domain(i + 1)[1]
        if i >= n or s[i] != ":":
            raise _Fail
        return i + 1

    def get_angle_addr(self, i: int) -> tuple[_L, int]:
        s, n = self.s, self.n
        items: list[_Tok] = []
        if s[i] in CFWS_LEADER:
            tok, i = self.get_cfws(i)
            items.append(tok)
        if i >= n or s[i] != "<":
            raise _Fail
        i += 1
        if s[i] == ">":
            return _L("angle-addr", items), i + 1
        try:
            spec, i = self.get_addr_spec(i)
        except _Fail:
            i = self.get_obs_route(i)
            spec, i = self.get_addr_spec(i)
        items.append(spec)
        if i < n and s[i] == ">":
            i += 1
        if i < n and s[i] in CFWS_LEADER:
            tok, i = self.get_cfws(i)
            items.append(tok)
        return _L("angle-addr", items), i

    def get_name_addr(self, i: int) -> tuple[_L, int]:
        s, n = self.s, self.n
        leader = None
        if s[i] in CFWS_LEADER:
            leader, i = self.get_cfws(i)
            if i >= n:
                raise _Fail
        items: list[_Tok] = []
        if s[i] != "<":
            if s[i] in PHRASE_ENDS:
                raise _Fail
            words, i = self.get_phrase(i)
            if i >= n:
                raise _Fail
            if leader is not None:
                first = words[0]
                if not isinstance(first, _L):
                    raise _Raw  # the stdlib's token[0][:0] = [leader] on a "." raises
                first.items.insert(0, leader)
                leader = None
            items.append(_L("display-name", words))
        angle, i = self.get_angle_addr(i)
        if leader is not None:
            angle.items.insert(0, leader)
        items.append(angle)
        return _L("name-addr", items), i

    def get_mailbox(self, i: int) -> tuple[_L, int]:
        tok: _L
        try:
            tok, i = self.get_name_addr(i)
        except _Fail:
            tok, i = self.get_addr_spec(i)
        return _L("mailbox", [tok]), i

    def get_invalid_mailbox(self, i: int, endchars: str) -> tuple[_L, int]:
        s, n = self.s, self.n
        items: list[_Tok] = []
        while i < n and s[i] not in endchars:
            if s[i] in PHRASE_ENDS:
                items.append(_T("misplaced-special", s[i]))
                i += 1
            else:
                words, i = self.get_phrase(i)
                items.append(_L("phrase", words))
        return _L("invalid-mailbox", items), i

    def _recover(self, i: int, endchars: str) -> tuple[_Tok | None, int]:
        """After a failed mailbox/address: an empty element, or junk as an invalid mailbox."""
        s, n = self.s, self.n
        if s[i] in CFWS_LEADER:
            leader, i = self.get_cfws(i)
            if i >= n or s[i] in endchars:
                return leader, i
            bad, i = self.get_invalid_mailbox(i, endchars)
            bad.items.insert(0, leader)
            return bad, i
        if s[i] == ",":
            return None, i
        return self.get_invalid_mailbox(i, endchars)

    def get_mailbox_list(self, i: int) -> tuple[_L, int]:
        s, n = self.s, self.n
        items: list[_Tok] = []
        while i < n and s[i] != ";":
            try:
                tok, i = self.get_mailbox(i)
                items.append(tok)
            except _Fail:
                got, i = self._recover(i, ",;")
                if got is not None:
                    items.append(got)
            if i < n and s[i] not in ",;":
                junk, i = self.get_invalid_mailbox(i, ",;")
                last = items[-1]
                assert isinstance(last, _L)
                last.items.extend(junk.items)
            if i < n and s[i] == ",":
                items.append(_T("list-separator", ","))
                i += 1
        return _L("mailbox-list", items), i

    def get_group_list(self, i: int) -> tuple[_L, int]:
        s, n = self.s, self.n
        if i >= n:
            return _L("group-list"), i
        leader = None
        if s[i] in CFWS_LEADER:
            leader, i = self.get_cfws(i)
            if i >= n or s[i] == ";":
                return _L("group-list", [leader]), i
        mailboxes, i = self.get_mailbox_list(i)
        if not any(_is_mailbox(x) for x in mailboxes.items):
            flat = ([leader] if leader is not None else []) + mailboxes.items
            return _L("group-list", flat), i
        if leader is not None:
            mailboxes.items.insert(0, leader)
        return _L("group-list", [mailboxes]), i

    def get_group(self, i: int) -> tuple[_L, int]:
        s, n = self.s, self.n
        words, i = self.get_phrase(i)
        if i >= n or s[i] != ":":
            raise _Fail
        items: list[_Tok] = [_L("display-name", words), _T("group-display-name-terminator", ":")]
        i += 1
        if i < n and s[i] == ";":
            items.append(_T("group-terminator", ";"))
            return _L("group", items), i + 1
        members, i = self.get_group_list(i)
        items.append(members)
        items.append(_T("group-terminator", ";"))
        i = min(i + 1, n)
        if i < n and s[i] in CFWS_LEADER:
            tok, i = self.get_cfws(i)
            items.append(tok)
        return _L("group", items), i

    def get_address(self, i: int) -> tuple[_L, int]:
        tok: _L
        try:
            tok, i = self.get_group(i)
        except _Fail:
            tok, i = self.get_mailbox(i)
        return _L("address", [tok]), i

    def get_address_list(self) -> list[_L]:
        """The top-level addresses (the list's other children never show)."""
        s, n = self.s, self.n
        addresses: list[_L] = []
        last: _Tok | None = None
        i = 0
        while i < n:
            try:
                last, i = self.get_address(i)
                addresses.append(last)
            except _Fail:
                got, i = self._recover(i, ",")
                if isinstance(got, _L) and got.kind == "invalid-mailbox":
                    last = _L("address", [got])
                    addresses.append(last)
                elif got is not None:
                    last = got
            if i < n and s[i] != ",":
                assert isinstance(last, _L) and last.kind == "address"
                first = last.items[0]
                assert isinstance(first, _L)
                if first.kind == "group":
                    raise _Raw  # the stdlib then asks the group for a local part
                junk, i = self.get_invalid_mailbox(i, ",")
                first.items.extend(junk.items)
            if i < n:
                i += 1
        return addresses


def _is_mailbox(tok: _Tok) -> bool:
    return tok.kind in ("mailbox", "invalid-mailbox")


def _has_poison(tok: _Tok) -> bool:
    stack = [tok]
    while stack:
        t = stack.pop()
        if isinstance(t, _L):
            stack.extend(t.items)
        elif t.kind == "poison":
            return True
    return False


# -- from the parse tree to "Display Name <addr@spec>" ----------------------------------


def _display_name(words: list[_Tok]) -> str:
    """DisplayName.display_name, with adjacent encoded-words joined (RFC 2047 6.2)."""
    res: list[_Tok] = list(words)
    if not res:
        return ""
    first = res[0]
    if first.kind == "cfws":
        res.pop(0)
    elif not isinstance(first, _L):
        raise _Raw  # the stdlib indexes into the "." terminal
    elif first.items[0].kind == "cfws":
        res[0] = _L("token-list", first.items[1:])
    if not res:
        raise _Raw
    last = res[-1]
    if last.kind == "cfws":
        res.pop()
    elif not isinstance(last, _L):
        raise _Raw
    elif last.items[-1].kind == "cfws":
        res[-1] = _L("token-list", last.items[:-1])
    parts = [t.value() for t in res]
    for k in range(len(res) - 1):
        joined = _ew_before_space(res[k])
        if joined is not None and _starts_with_ew(res[k + 1]):
            parts[k] = joined
    return "".join(parts)


def _ew_before_space(tok: _Tok) -> str | None:
    """A word ending in an encoded-word and white space: its value without the space."""
    if not isinstance(tok, _L) or tok.kind not in ("atom", "token-list") or len(tok.items) < 2:
        return None
    core, tail = tok.items[-2], tok.items[-1]
    if core.kind != "encoded-word" or not isinstance(tail, _L) or tail.kind != "cfws":
        return None
    if not all(t.kind == "fws" for t in tail.items):
        return None  # a comment between them: not adjacent
    return "".join(t.value() for t in tok.items[:-1])


def _starts_with_ew(tok: _Tok) -> bool:
    return (
        isinstance(tok, _L)
        and tok.kind in ("atom", "token-list")
        and bool(tok.items)
        and tok.items[0].kind == "encoded-word"
    )


def _local_part(local: _L) -> str:
    """LocalPart.local_part: white space dropped at the ends and around dots."""
    first = local.items[0]
    toks = first.items if isinstance(first, _L) else []
    res: list[_Tok] = [_dot()]
    last: _Tok = res[0]
    last_is_list = False
    for tok in [*toks, _dot()]:
        if tok.kind == "cfws":
            continue
        if last_is_list and tok.kind == _DOT_KIND:
            assert isinstance(last, _L)
            if last.items[-1].kind == "cfws":
                res[-1] = _L("token-list", last.items[:-1])
        is_list = isinstance(tok, _L)
        if isinstance(tok, _L) and last.kind == _DOT_KIND and tok.items[0].kind == "cfws":
            res.append(_L("token-list", tok.items[1:]))
        else:
            res.append(tok)
        last = res[-1]
        last_is_list = is_list
    return "".join(t.value() for t in res[1:-1])


def _domain(tok: _L) -> str:
    return "".join(tok.value().split())


def _spec_parts(spec: _L) -> tuple[str, str]:
    local = spec.items[0]
    assert isinstance(local, _L)
    domain = ""
    if len(spec.items) >= 3:
        dom = spec.items[-1]
        assert isinstance(dom, _L)
        domain = _domain(dom)
    return _local_part(local), domain


def _mailbox_parts(mb: _L) -> tuple[str, str, str]:
    """(display name, local part, domain) as headerregistry.Address receives them."""
    if mb.kind == "invalid-mailbox":
        return "", "", ""
    inner = mb.items[0]
    assert isinstance(inner, _L)
    if inner.kind == "addr-spec":
        return ("", *_spec_parts(inner))
    display = ""
    if len(inner.items) > 1:
        words = inner.items[0]
        assert isinstance(words, _L)
        display = _display_name(words.items)
    angle = inner.items[-1]
    assert isinstance(angle, _L)
    for tok in angle.items:
        if isinstance(tok, _L) and tok.kind == "addr-spec":
            return (display, *_spec_parts(tok))
    return display, "", ""


def _address_text(display: str, local: str, domain: str) -> str:
    """str(headerregistry.Address)."""
    if "\r" in display + local + domain or "\n" in display + local + domain:
        raise _Raw  # the stdlib's Address() refuses CR/LF (from an encoded-word)
    if not DOT_ATOM_ENDS.isdisjoint(local):
        local = quote_string(local)
    spec = f"{local}@{domain}" if domain else local or "<>"
    if not SPECIALS.isdisjoint(display):
        display = quote_string(display)
    if display:
        return f"{display} <{'' if spec == '<>' else spec}>"
    return spec


def _group_text(address: _L) -> str:
    """str(headerregistry.Group) of one top-level address."""
    first = address.items[0]
    assert isinstance(first, _L)
    if first.kind != "group":
        return _address_text(*_mailbox_parts(first))
    words = first.items[0]
    assert isinstance(words, _L)
    display = _display_name(words.items)
    members: list[str] = []
    group_list = first.items[2]
    if isinstance(group_list, _L) and group_list.kind == "group-list" and group_list.items:
        mailboxes = group_list.items[0]
        if isinstance(mailboxes, _L) and mailboxes.kind == "mailbox-list":
            members = [
                _address_text(*_mailbox_parts(mb))
                for mb in mailboxes.items
                if isinstance(mb, _L) and _is_mailbox(mb)
            ]
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
# The text may start with "=XX" (the stdlib then looks past the "?=" it found first).
_FAST_EW = r"=\?[A-Za-z0-9_*.+-]++\?[bBqQ]\?(?:(?:=[0-9A-Fa-f]{2}|[^?\s=])[^?\s]*+)?\?="
_FAST_QUOTED = r'"(?:[^"\\=]|=(?!\?))*+"'
_FAST_WORD = rf"(?:{_FAST_EW}|{_FAST_ATOM}|{_FAST_QUOTED})"
_FAST_MAILBOX = re.compile(
    rf"[ \t]*+(?:(?:(?P<phrase>{_FAST_WORD}(?:[ \t]*+{_FAST_WORD})*+)[ \t]*+)?"
    rf"<(?P<angle>{_FAST_SPEC})>|(?P<spec>{_FAST_SPEC}))[ \t]*+"
)
_FAST_PIECE = re.compile(
    rf"(?P<ew>{_FAST_EW})|(?P<quoted>{_FAST_QUOTED})|(?P<atom>{_FAST_ATOM})|(?P<ws>[ \t]++)"
)


def _fast_display_name(phrase: str) -> str | None:
    """The display name of a fast-path phrase (None: an undecodable word, go slow)."""
    if '"' not in phrase and "=?" not in phrase:
        return " ".join(phrase.split())  # atoms: one space wherever there was any
    if phrase[0] == '"' and phrase.find('"', 1) == len(phrase) - 1:
        return phrase[1:-1]  # one quoted string
    parts: list[str] = []
    ews: list[bool] = []
    for m in _FAST_PIECE.finditer(phrase):
        kind = m.lastgroup
        if kind == "ws":
            parts.append(" ")
        elif kind == "ew":
            _, charset, cte, text, _ = m.group().split("?")
            decoded = decode_word(charset, cte.lower(), text)
            if decoded is None:
                return None
            parts.append(_EW_SPACE.sub(" ", decoded))
        elif kind == "quoted":
            parts.append(m.group()[1:-1])
        else:
            parts.append(m.group())
        ews.append(kind == "ew")
    for k in range(1, len(parts) - 1):
        if parts[k] == " " and ews[k - 1] and ews[k + 1]:
            parts[k] = ""  # RFC 2047 6.2: white space between two words is not shown
    return "".join(parts)


def _fast_prefix(value: str) -> tuple[list[str], int]:
    """The leading mailboxes of common shape, formatted, and where the rest starts."""
    texts: list[str] = []
    pos, n = 0, len(value)
    while pos < n:
        m = _FAST_MAILBOX.match(value, pos)
        if m is None or (m.end() < n and value[m.end()] != ","):
            break
        spec = m.group("angle") or m.group("spec")
        local, _, domain = spec.partition("@")
        display = ""
        if m.group("phrase"):
            name = _fast_display_name(m.group("phrase"))
            if name is None:
                break
            display = name
        texts.append(_address_text(display, local, domain))
        pos = min(m.end() + 1, n)
    return texts, pos


def format_address_list(value: str) -> str | None:
    """The header as ``str(email.headerregistry.AddressHeader)`` would read, or None
    where the stdlib raises (the caller then shows the raw text, as the viewer does)."""
    try:
        texts, pos = _fast_prefix(value)
        if pos < len(value):
            addresses = _Parser(value[pos:]).get_address_list()
            if any(_has_poison(a) for a in addresses):
                return None
            texts.extend(_group_text(a) for a in addresses)
    except (_Raw, IndexError):
        return None
    return ", ".join(texts)


_FAST_EW_RE = re.compile(_FAST_EW)
_WSP_SPLIT = re.compile(r"([ \t]+)")


def unstructured_text(value: str) -> str:
    """An unstructured field (Subject) as ``str(get_unstructured(value))`` reads."""
    # The common shape - plain words and whole, well-formed encoded-words between SP and
    # TAB - without the parser; anything else (other white space, words glued to text).
    if value.replace("\t", " ").isprintable():
        pieces = _WSP_SPLIT.split(value)
        ews = [False] * len(pieces)
        for k in range(0, len(pieces), 2):
            word = pieces[k]
            if "=?" not in word:
                continue
            if not _FAST_EW_RE.fullmatch(word):
                break
            _, charset, cte, text, _ = word.split("?")
            decoded = decode_word(charset, cte, text)
            if decoded is None:
                break
            pieces[k] = decoded
            ews[k] = True
            if k >= 2 and ews[k - 2]:
                pieces[k - 1] = ""  # RFC 2047 6.2: no space shown between two words
        else:
            return "".join(pieces)
    return _Parser(value).get_unstructured()
