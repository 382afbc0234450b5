"""The address-list grammar of ``email._header_value_parser``, walked by index.

Mailboxes, groups and the recovery rules for everything else (an unparsable piece
becomes an "invalid mailbox", junk after a mailbox is swallowed), as the stdlib has
them; see :mod:`.header_tokens` for the tokens and why this is a port at all.
"""

from __future__ import annotations

from pymailgui.message.header_tokens import (
    CFWS_LEADER,
    PHRASE_ENDS,
    WSP,
    ParseFail,
    StdlibRaises,
    Terminal,
    Token,
    TokenList,
    WordParser,
    dot,
)


class AddressParser(WordParser):
    """The address list of one header value (``get_address_list``)."""

    # -- addr-spec --------------------------------------------------------------------

    def get_local_part(self, i: int) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        start = i
        leader, i = self.leader(i)
        if i >= n:
            raise ParseFail
        tok: TokenList
        try:
            tok, i = self.get_dot_atom(i)
        except ParseFail:
            try:
                tok, i = self.get_word(i)
            except ParseFail:
                if s[i] != "\\" and s[i] in PHRASE_ENDS:
                    raise
                tok = TokenList("token-list")
        if leader is not None:
            tok.items.insert(0, leader)
        if i < n and (s[i] == "\\" or s[i] not in PHRASE_ENDS):
            # The stdlib re-reads str(local_part) + rest; that is the raw text unless
            # the local part held quoted-pairs or encoded-words (garbage either way).
            tok, i = self.get_obs_local_part(start)
        return TokenList("local-part", [tok]), i

    def get_obs_local_part(self, i: int) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        items: list[Token] = []
        while i < n and (s[i] == "\\" or s[i] not in PHRASE_ENDS):
            if s[i] == ".":
                dots, i = self.dots(i)
                items.append(dots)
                continue
            if s[i] == "\\":
                items.append(Terminal("misplaced-special", "\\"))
                i += 1
                continue
            word, i = self.get_word_or_cfws(i)
            items.append(word)
        return TokenList("obs-local-part", items), i

    def get_domain_literal(self, i: int) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        items: list[Token] = []
        tok: Token
        if s[i] in CFWS_LEADER:
            tok, i = self.get_cfws(i)
            items.append(tok)
        if i >= n or s[i] != "[":
            raise ParseFail
        i += 1
        # At the end of the header the stdlib appends a defect object to the tree, whose
        # missing .value later makes the whole header fall back to its raw text.
        poison: list[Token] = [Terminal("poison", ""), Terminal("domain-literal-end", "]")]
        if i >= n:
            return TokenList("domain-literal", items + poison), i
        items.append(Terminal("domain-literal-start", "["))
        if s[i] in WSP:
            tok, i = self.get_fws(i)
            items.append(tok)
        text, i = self.ptext(i, "[]")
        items.append(Terminal("ptext", text))
        if i < n and s[i] in WSP:
            tok, i = self.get_fws(i)
            items.append(tok)
        if i >= n:
            return TokenList("domain-literal", items + poison), i
        if s[i] != "]":
            raise ParseFail
        items.append(Terminal("domain-literal-end", "]"))
        i += 1
        i = self.cfws_into(items, i)
        return TokenList("domain-literal", items), i

    def get_domain(self, i: int) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        leader, i = self.leader(i)
        if i >= n:
            raise ParseFail
        tok: TokenList
        if s[i] == "[":
            tok, i = self.get_domain_literal(i)
            if leader is not None:
                tok.items.insert(0, leader)
            return TokenList("domain", [tok]), i
        try:
            tok, i = self.get_dot_atom(i)
        except ParseFail:
            tok, i = self.get_atom(i)
        if i < n and s[i] == "@":
            raise ParseFail
        if leader is not None:
            tok.items.insert(0, leader)
        items: list[Token] = [tok]
        if i < n and s[i] == ".":
            if tok.kind == "dot-atom":
                items = list(tok.items)
            while i < n and s[i] == ".":
                items.append(dot())
                atom, i = self.get_atom(i + 1)
                items.append(atom)
        return TokenList("domain", items), i

    def get_addr_spec(self, i: int) -> tuple[TokenList, int]:
        local, i = self.get_local_part(i)
        if i >= self.n or self.s[i] != "@":
            return TokenList("addr-spec", [local]), i
        domain, i = self.get_domain(i + 1)
        return TokenList("addr-spec", [local, Terminal("address-at-symbol", "@"), domain]), i

    # -- mailboxes and groups ---------------------------------------------------------

    def get_obs_route(self, i: int) -> int:
        s, n = self.s, self.n
        while i < n and (s[i] == "," or s[i] in CFWS_LEADER):
            i = self.get_cfws(i)[1] if s[i] in CFWS_LEADER else i + 1
        if i >= n or s[i] != "@":
            raise ParseFail
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
            raise ParseFail
        return i + 1

    def get_angle_addr(self, i: int) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        items: list[Token] = []
        if s[i] in CFWS_LEADER:
            tok, i = self.get_cfws(i)
            items.append(tok)
        if i >= n or s[i] != "<":
            raise ParseFail
        i += 1
        if s[i] == ">":
            return TokenList("angle-addr", items), i + 1
        try:
            spec, i = self.get_addr_spec(i)
        except ParseFail:
            i = self.get_obs_route(i)
            spec, i = self.get_addr_spec(i)
        items.append(spec)
        if i < n and s[i] == ">":
            i += 1
        i = self.cfws_into(items, i)
        return TokenList("angle-addr", items), i

    def get_name_addr(self, i: int) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        leader, i = self.leader(i)
        if i >= n:
            raise ParseFail
        items: list[Token] = []
        if s[i] != "<":
            if s[i] in PHRASE_ENDS:
                raise ParseFail
            words, i = self.get_phrase(i)
            if i >= n:
                raise ParseFail
            if leader is not None:
                first = words[0]
                if not isinstance(first, TokenList):
                    raise StdlibRaises  # the stdlib's token[0][:0] = [leader] on a "." raises
                first.items.insert(0, leader)
                leader = None
            items.append(TokenList("display-name", words))
        angle, i = self.get_angle_addr(i)
        if leader is not None:
            angle.items.insert(0, leader)
        items.append(angle)
        return TokenList("name-addr", items), i

    def get_mailbox(self, i: int) -> tuple[TokenList, int]:
        tok: TokenList
        try:
            tok, i = self.get_name_addr(i)
        except ParseFail:
            tok, i = self.get_addr_spec(i)
        return TokenList("mailbox", [tok]), i

    def get_invalid_mailbox(self, i: int, endchars: str) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        items: list[Token] = []
        while i < n and s[i] not in endchars:
            if s[i] in PHRASE_ENDS:
                items.append(Terminal("misplaced-special", s[i]))
                i += 1
            else:
                words, i = self.get_phrase(i)
                items.append(TokenList("phrase", words))
        return TokenList("invalid-mailbox", items), i

    def _recover(self, i: int, endchars: str) -> tuple[Token | None, int]:
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

    def get_mailbox_list(self, i: int) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        items: list[Token] = []
        while i < n and s[i] != ";":
            try:
                tok, i = self.get_mailbox(i)
                items.append(tok)
            except ParseFail:
                got, i = self._recover(i, ",;")
                if got is not None:
                    items.append(got)
            if i < n and s[i] not in ",;":
                junk, i = self.get_invalid_mailbox(i, ",;")
                last = items[-1]
                assert isinstance(last, TokenList)
                last.items.extend(junk.items)
            if i < n and s[i] == ",":
                items.append(Terminal("list-separator", ","))
                i += 1
        return TokenList("mailbox-list", items), i

    def get_group_list(self, i: int) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        if i >= n:
            return TokenList("group-list"), i
        leader = None
        if s[i] in CFWS_LEADER:
            leader, i = self.get_cfws(i)
            if i >= n or s[i] == ";":
                return TokenList("group-list", [leader]), i
        mailboxes, i = self.get_mailbox_list(i)
        if not any(is_mailbox(x) for x in mailboxes.items):
            flat = ([leader] if leader is not None else []) + mailboxes.items
            return TokenList("group-list", flat), i
        if leader is not None:
            mailboxes.items.insert(0, leader)
        return TokenList("group-list", [mailboxes]), i

    def get_group(self, i: int) -> tuple[TokenList, int]:
        s, n = self.s, self.n
        words, i = self.get_phrase(i)
        if i >= n or s[i] != ":":
            raise ParseFail
        items: list[Token] = [
            TokenList("display-name", words),
            Terminal("group-display-name-terminator", ":"),
        ]
        i += 1
        if i < n and s[i] == ";":
            items.append(Terminal("group-terminator", ";"))
            return TokenList("group", items), i + 1
        members, i = self.get_group_list(i)
        items.append(members)
        items.append(Terminal("group-terminator", ";"))
        i = min(i + 1, n)
        i = self.cfws_into(items, i)
        return TokenList("group", items), i

    def get_address(self, i: int) -> tuple[TokenList, int]:
        tok: TokenList
        try:
            tok, i = self.get_group(i)
        except ParseFail:
            tok, i = self.get_mailbox(i)
        return TokenList("address", [tok]), i

    def get_address_list(self) -> list[TokenList]:
        """The top-level addresses (the list's other children never show)."""
        s, n = self.s, self.n
        addresses: list[TokenList] = []
        last: Token | None = None
        i = 0
        while i < n:
            try:
                last, i = self.get_address(i)
                addresses.append(last)
            except ParseFail:
                got, i = self._recover(i, ",")
                if isinstance(got, TokenList) and got.kind == "invalid-mailbox":
                    last = TokenList("address", [got])
                    addresses.append(last)
                elif got is not None:
                    last = got
            if i < n and s[i] != ",":
                assert isinstance(last, TokenList) and last.kind == "address"
                first = last.items[0]
                assert isinstance(first, TokenList)
                if first.kind == "group":
                    raise StdlibRaises  # the stdlib then asks the group for a local part
                junk, i = self.get_invalid_mailbox(i, ",")
                first.items.extend(junk.items)
            if i < n:
                i += 1
        return addresses


def is_mailbox(tok: Token) -> bool:
    """A mailbox of MailboxList.all_mailboxes (parsed or not)."""
    return tok.kind in ("mailbox", "invalid-mailbox")


def has_poison(tok: Token) -> bool:
    """Whether the tree holds the defect object the stdlib puts into an unterminated
    domain literal (reading its .value later raises, so the stdlib shows raw text)."""
    stack = [tok]
    while stack:
        t = stack.pop()
        if isinstance(t, TokenList):
            stack.extend(t.items)
        elif t.kind == "poison":
            return True
    return False
