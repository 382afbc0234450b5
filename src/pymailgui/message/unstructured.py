"""Unstructured fields (Subject) decoded as ``email._header_value_parser.get_unstructured``.

Encoded-words are decoded wherever the stdlib decodes them (whole words, and words
glued to text), and white space between two of them is dropped (RFC 2047 section 6.2);
see :mod:`.header_tokens` for how this stays linear.
"""

from __future__ import annotations

import re

from pymailgui.message.header_tokens import (
    FAST_EW,
    WSP,
    InvalidWord,
    ParseFail,
    WordParser,
)
from pymailgui.message.headers import decode_word


class _UnstructuredParser(WordParser):
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
                except InvalidWord:
                    valid_ew = False
                except ParseFail:
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


_FAST_EW_RE = re.compile(FAST_EW)
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
    return _UnstructuredParser(value).get_unstructured()
