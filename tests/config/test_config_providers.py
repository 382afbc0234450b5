"""The built-in provider table: lookups by address, and the table's own consistency."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from pymailgui.config.providers import (
    APP_PASSWORD,
    NO_POP,
    OAUTH2_ONLY,
    PROVIDERS,
    Login,
    domain_of,
    suggest,
)
from pymailgui.config.schema import Security
from pymailgui.errors import ConfigError

_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$")


def test_gmail_by_any_spelling_of_the_address() -> None:
    for address in (
        "alice@gmail.com",
        "Alice@GMail.COM",
        "  alice@googlemail.com ",
        "a@gmail.com.",
    ):
        found = suggest(address)
        assert found is not None and found.name == "Google Mail", address
    gmail = suggest("alice@gmail.com")
    assert gmail is not None and gmail.usable
    pop = gmail.pop_server("alice@gmail.com")
    assert pop is not None
    assert (pop.host, pop.security, pop.effective_port("pop")) == (
        "pop.gmail.com",
        Security.TLS,
        995,
    )
    assert pop.port == 0  # the standard port is left implicit
    assert pop.username == ""  # the whole address
    smtp = gmail.smtp_server("alice@gmail.com")
    assert smtp is not None and (smtp.host, smtp.effective_port("smtp")) == ("smtp.gmail.com", 465)
    assert APP_PASSWORD in gmail.notes


def test_a_subdomain_is_not_the_provider() -> None:
    assert suggest("alice@mail.gmail.com") is None
    assert suggest("alice@gmx.net.example.org") is None
    assert suggest("alice@example.org") is None


def test_no_address_no_suggestion() -> None:
    for text in ("", "gmail.com", "alice@", "@", "alice"):
        assert suggest(text) is None, text
    assert domain_of("gmail.com") == ""


def test_an_internationalised_domain_is_looked_up_as_a_labels() -> None:
    assert domain_of("anna@bücher.example") == "xn--bcher-kva.example"
    assert domain_of("anna@\udcff.example") == ""  # not encodable: no domain, no crash


def test_login_is_the_local_part_where_the_ispdb_says_so() -> None:
    web = suggest("max.muster@web.de")
    assert web is not None and web.pop is not None and web.pop.login is Login.LOCAL_PART
    pop = web.pop_server("max.muster@web.de")
    assert pop is not None and pop.username == "max.muster"
    account = web.account("web", "max.muster@web.de", "Max")
    assert account.login(account.pop) == "max.muster"
    assert account.smtp is not None and account.login(account.smtp) == "max.muster"


def test_oauth2_only_providers_are_not_usable_and_say_why() -> None:
    for address in ("bob@outlook.com", "bob@hotmail.co.uk", "bob@contoso.onmicrosoft.com"):
        found = suggest(address)
        if address.endswith("onmicrosoft.com"):
            assert found is None  # a subdomain: the ISPDB lists onmicrosoft.com itself only
            continue
        assert found is not None and not found.usable and found.oauth2_only
        assert found.notes[0] == OAUTH2_ONLY
        with pytest.raises(ConfigError, match="OAuth2"):
            found.account("work", address)


def test_a_provider_without_pop3_says_so() -> None:
    icloud = suggest("carol@icloud.com")
    assert icloud is not None and icloud.pop is None and not icloud.usable
    assert NO_POP in icloud.notes
    assert icloud.pop_server("carol@icloud.com") is None
    assert icloud.smtp is not None  # the SMTP server is still known


def test_every_domain_belongs_to_one_provider() -> None:
    counts = Counter(domain for provider in PROVIDERS for domain in provider.domains)
    assert [d for d, n in counts.items() if n > 1] == []
    for provider in PROVIDERS:
        for domain in provider.domains:
            assert domain == domain.lower().strip() and "." in domain, domain
            assert suggest(f"someone@{domain}") is provider


def test_the_table_is_sane() -> None:
    assert 25 <= len(PROVIDERS) <= 45
    assert len({p.ispdb for p in PROVIDERS}) == len(PROVIDERS)
    for provider in PROVIDERS:
        for endpoint, ports in ((provider.pop, {995, 110}), (provider.smtp, {465, 587})):
            if endpoint is None:
                continue
            assert _HOST.match(endpoint.host), endpoint.host
            assert endpoint.port in ports, (provider.name, endpoint)
            # Implicit TLS is preferred; STARTTLS only where the ISPDB lists nothing else.
            assert endpoint.security in {Security.TLS, Security.STARTTLS}
            if endpoint.security is Security.STARTTLS:
                assert endpoint.port in {110, 587}
        if provider.usable:
            account = provider.account("x", f"someone@{sorted(provider.domains)[0]}")
            assert account.pop.security is not Security.NONE
        else:
            assert provider.notes, provider.name
