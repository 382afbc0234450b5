"""The tokens of structured header fields, read as ``email._header_value_parser`` reads them.

The stdlib's header parser is the reference for what a list shows: the viewer and the
old list decoded headers with it. But it re-slices the rest of the header after every
token, so its cost grows with the square of a header's length (a From whose display
name is 100,000 dots took 76 s), and it recurses once per nested comment. These modules
(this one: white space, comments, quoted strings, encoded-words, atoms, words, phrases;
:mod:`.address_grammar`: addresses; :mod:`.unstructured`: Subject) are the same grammar
and the same recovery rules - which attempt comes first, what an unparsable piece
becomes, where the stdlib itself raises - walked with an index into one string, with
comments scanned iteratively and every "look ahead" answered from a table built once,
so each character is looked at a bounded number of times.

Each ``get_*`` method mirrors the stdlib function of that name; a :class:`TokenList`
stands for the stdlib's TokenList subclass named by its ``kind`` (its token_type), and
``value()``/``string()`` are the stdlib's ``.value``/``str()``. Encoded-words are decoded
by the lenient decoder of :mod:`pymailgui.message.headers` (bad padding, unknown or
wrong charsets) where the stdlib would show U+FFFD or give up.

Input is an unfolded header value, ASCII only (8-bit headers are never parsed).
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
_ATEXT_RUN = re.compile(r'[^ \t()<>@,:;.\\"\[\]]+')
_QEQ = re.compile(r"\?=")
_WSP_CHAR = re.compile(r"[ \t]")
_DOTS = re.compile(r"\.+")
# get_fws inside decoded text: a run that starts with SP/TAB is one space.
EW_SPACE = re.compile(r"[ \t]\s*")


class ParseFail(Exception):
    """The stdlib's HeaderParseError: this attempt failed, the caller tries another."""


class InvalidWord(ParseFail):
    """The stdlib's InvalidWordError: "=?...?=" that isn't an encoded-word."""


class StdlibRaises(Exception):
    """The stdlib raises on this header (AttributeError, IndexError...): show raw text.

    These three never leave the package: they are how the grammar says "try the next
    alternative" and "the stdlib would have raised", not errors for anyone to see.
    """


class Terminal:
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


class TokenList:
    """A token list (the stdlib's TokenList subclasses, told apart by ``kind``)."""

    __slots__ = ("items", "kind")
    is_list = True

    def __init__(self, kind: str, items: list[Token] | None = None) -> None:
        self.kind = kind
        self.items: list[Token] = items if items is not None else []

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


Token = Terminal | TokenList
DOT = "dot"


def dot() -> Terminal:
    return Terminal(DOT, ".")


# An encoded-word exactly as the stdlib finds it when it stands alone: charset, B or Q,
# text with no "?" or white space; the text may start with "=XX" (the stdlib then looks
# past the "?=" it found first). Possessive: no input makes it backtrack.
FAST_EW = r"=\?[A-Za-z0-9_*.+-]++\?[bBqQ]\?(?:(?:=[0-9A-Fa-f]{2}|[^?\s=])[^?\s]*+)?\?="


def quote_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class WordParser:
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

    def dots(self, i: int) -> tuple[Terminal, int]:
        """A run of "." (one token: each dot would be treated alike)."""
        m = _DOTS.match(self.s, i)
        assert m is not None
        return Terminal(DOT, m.group()), m.end()

    def get_fws(self, i: int) -> tuple[Terminal, int]:
        m = _SPACE_RUN.match(self.s, i)
        assert m is not None
        return Terminal("fws", self.s[i : m.end()], " "), m.end()

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

    def get_cfws(self, i: int) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        items: list[Token] = []
        while i < n and s[i] in CFWS_LEADER:
            if s[i] in WSP:
                tok, i = self.get_fws(i)
                items.append(tok)
            else:
                i = self.comment_end(i)
                items.append(TokenList("comment"))  # only its value (" ") is ever used
        return TokenList("cfws", items), i

    def get_encoded_word(self, i: int) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        if not s.startswith("=?", i):
            raise ParseFail
        end = self.next_qeq(i + 2)
        if end < 0:
            raise ParseFail
        after = end + 2
        if n - after > 1 and s[after] in _HEX and s[after + 1] in _HEX and self._qs(i, end) < 2:
            # "?=" was the start of a quoted-printable "=XX": the word ends further on.
            nxt = self.next_qeq(after)
            end, after = (nxt, nxt + 2) if nxt >= 0 else (n, n)
        # email._encoded_words.decode splits "=?" + token + "?=" into exactly five parts.
        q1 = s.find("?", i + 2, end)
        q2 = s.find("?", q1 + 1, end) if q1 >= 0 else -1
        if q2 < 0 or s.find("?", q2 + 1, end) >= 0:
            raise InvalidWord
        cte = s[q1 + 1 : q2].lower()
        if cte not in ("q", "b"):
            raise InvalidWord
        text = decode_word(s[i + 2 : q1], cte, s[q2 + 1 : end])
        if text is None:
            raise InvalidWord
        # An empty word has no tokens at all (the stdlib's properties index into them).
        tokens: list[Token] = [Terminal("ew", text, EW_SPACE.sub(" ", text))] if text else []
        return TokenList("encoded-word", tokens), after

    def _qs(self, i: int, end: int) -> int:
        """How many "?" are in s[i+2:end], counted up to two."""
        q1 = self.s.find("?", i + 2, end)
        if q1 < 0:
            return 0
        return 1 if self.s.find("?", q1 + 1, end) < 0 else 2

    def get_atext(self, i: int) -> tuple[Terminal, int]:
        m = _ATEXT_RUN.match(self.s, i)
        if not m:
            raise ParseFail
        return Terminal("atext", m.group()), m.end()

    def get_bare_quoted_string(self, i: int) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        if s[i] != '"':
            raise ParseFail
        items: list[Token] = []
        i += 1
        if i < n and s[i] == '"':
            text, i = self.ptext(i, '"')
            items.append(Terminal("ptext", text))
        while i < n and s[i] != '"':
            tok: Token
            if s[i] in WSP:
                tok, i = self.get_fws(i)
            elif s.startswith("=?", i):
                try:
                    tok, i = self.get_encoded_word(i)
                except ParseFail:
                    text, i = self.ptext(i, '"')
                    tok = Terminal("ptext", text)
                else:
                    # The white space between two encoded-words is not displayed.
                    after_word = len(items) > 1 and items[-2].kind == "encoded-word"
                    if after_word and items[-1].kind == "fws":
                        items[-1] = Terminal("fws", "", "")
            else:
                text, i = self.ptext(i, '"')
                tok = Terminal("ptext", text)
            items.append(tok)
        return TokenList("bare-quoted-string", items), min(i + 1, n)

    # -- words and phrases ------------------------------------------------------------

    def get_quoted_string(self, i: int) -> tuple[TokenList, int]:
        items: list[Token] = []
        i = self.cfws_into(items, i)
        tok, i = self.get_bare_quoted_string(i)
        items.append(tok)
        i = self.cfws_into(items, i)
        return TokenList("quoted-string", items), i

    def _core(self, i: int, fallback: Callable[[int], tuple[Token, int]]) -> tuple[Token, int]:
        if self.s.startswith("=?", i):
            try:
                return self.get_encoded_word(i)
            except ParseFail:
                pass
        return fallback(i)

    def get_atom(self, i: int) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        items: list[Token] = []
        i = self.cfws_into(items, i)
        if i < n and s[i] in ATOM_ENDS:
            raise ParseFail
        core, i = self._core(i, self.get_atext)
        items.append(core)
        i = self.cfws_into(items, i)
        return TokenList("atom", items), i

    def get_dot_atom_text(self, i: int) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        if i >= n or s[i] in ATOM_ENDS:
            raise ParseFail
        items: list[Token] = []
        while i < n and s[i] not in ATOM_ENDS:
            tok, i = self.get_atext(i)
            items.append(tok)
            if i < n and s[i] == ".":
                items.append(dot())
                i += 1
        if items[-1].kind == DOT:
            raise ParseFail
        return TokenList("dot-atom-text", items), i

    def get_dot_atom(self, i: int) -> tuple[TokenList, int]:
        items: list[Token] = []
        if self.s[i] in CFWS_LEADER:
            tok, i = self.get_cfws(i)
            items.append(tok)
        core, i = self._core(i, self.get_dot_atom_text)
        items.append(core)
        i = self.cfws_into(items, i)
        return TokenList("dot-atom", items), i

    def get_word(self, i: int) -> tuple[TokenList, int]:
        s = self.s
        leader = None
        if s[i] in CFWS_LEADER:
            leader, i = self.get_cfws(i)
        if i >= self.n:
            raise ParseFail
        if s[i] == '"':
            tok, i = self.get_quoted_string(i)
        elif s[i] in SPECIALS:
            raise ParseFail
        else:
            tok, i = self.get_atom(i)
        if leader is not None:
            tok.items.insert(0, leader)
        return tok, i

    def get_phrase(self, i: int) -> tuple[list[Token], int]:
        s, n = self.s, self.n
        items: list[Token] = []
        try:
            tok, i = self.get_word(i)
            items.append(tok)
        except ParseFail:
            pass
        while i < n and s[i] not in PHRASE_ENDS:
            if s[i] == ".":
                dots, i = self.dots(i)
                items.append(dots)
                continue
            word, i = self.get_word_or_cfws(i)
            items.append(word)
        return items, i

    def get_word_or_cfws(self, i: int) -> tuple[TokenList, int]:
        """A word; where none starts here, the comments and white space (obsolete forms)."""
        try:
            return self.get_word(i)
        except ParseFail:
            if self.s[i] not in CFWS_LEADER:
                raise
            return self.get_cfws(i)

    def leader(self, i: int) -> tuple[TokenList | None, int]:
        """Comments and white space a piece starts with (``s[i]`` is read unguarded, as the
        stdlib reads ``value[0]``: at the end that IndexError is its behaviour too)."""
        if self.s[i] in CFWS_LEADER:
            return self.get_cfws(i)
        return None, i

    def cfws_into(self, items: list[Token], i: int) -> int:
        """Append the comments and white space at ``i`` (if any) to ``items``."""
        if i < self.n and self.s[i] in CFWS_LEADER:
            cfws, i = self.get_cfws(i)
            items.append(cfws)
        return i
