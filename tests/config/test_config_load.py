from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pymailgui import paths
from pymailgui.config import Security
from pymailgui.config.load import load, parse
from pymailgui.config.reference import render
from pymailgui.errors import ConfigError

GOOD = """
[general]
default_account = "work"
wrap_width = 72

[accounts.home]
address = "alice@example.com"
[accounts.home.pop]
host = "127.0.0.1"
port = 995
security = "tls"
username = "alice"
password_command = "echo secret"
ca_file = "{ca}"
[accounts.home.smtp]
host = "127.0.0.1"
security = "starttls"

[accounts.work]
address = "bob@example.com"
display_name = "Bob Ünicode"
aliases = ["Bob@Example.org"]
[accounts.work.pop]
host = "::1"
security = "none"
timeout = 5
"""


def good(tmp_path: Path) -> str:
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    return GOOD.format(ca=ca)


def test_parses_several_accounts(tmp_path: Path) -> None:
    cfg = parse(good(tmp_path))
    assert list(cfg.accounts) == ["home", "work"]
    home = cfg.accounts["home"]
    assert home.pop.security is Security.TLS
    assert home.pop.effective_port("pop") == 995
    assert home.smtp is not None and home.smtp.effective_port("smtp") == 587
    work = cfg.account()  # default_account
    assert work.name == "work"
    assert work.pop.security is Security.NONE
    assert work.pop.effective_port("pop") == 110
    assert work.pop.timeout == 5.0
    assert work.login(work.pop) == "bob@example.com"
    assert work.own_addresses() == {"bob@example.com", "bob@example.org"}
    assert cfg.general.wrap_width == 72


def test_security_defaults_to_tls_and_none_must_be_written() -> None:
    cfg = parse('[accounts.a]\naddress="a@example.com"\n[accounts.a.pop]\nhost="127.0.0.1"\n')
    assert cfg.account().pop.security is Security.TLS
    assert cfg.account().pop.effective_port("pop") == 995


@pytest.mark.parametrize(
    ("snippet", "words"),
    [
        ('[accounts.a.pop]\nhost="h"\npassword="x"', "never read from the config"),
        ('[accounts.a.pop]\nhost="h"\nsecurity="ssl"', '"tls", "starttls" or "none"'),
        ('[accounts.a.pop]\nhost="h"\nport="995"', "port"),
        ('[accounts.a.pop]\nhost="h"\nbogus=1', "unknown setting 'bogus'"),
        ('[accounts.a.pop]\nhost="h"\nport=70000', "out of range"),
        ('[accounts.a.pop]\nhost="h"\nca_file="/nonexistent/ca.pem"', "does not exist"),
        ("[accounts.a.smtp]\nhost='h'", "no [accounts.a.pop]"),
        ("[accounts.a.pop]\nhost='h'\nauth='cram'", "auth must be"),
    ],
)
def test_rejects_bad_settings(snippet: str, words: str) -> None:
    with pytest.raises(ConfigError, match=None) as info:
        parse('[accounts.a]\naddress="a@example.com"\n' + snippet)
    assert words in str(info.value)


def test_missing_required_and_bad_toml() -> None:
    with pytest.raises(ConfigError, match="address"):
        parse("[accounts.a.pop]\nhost='h'\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse("[accounts\n")
    with pytest.raises(ConfigError, match="default_account"):
        parse('[general]\ndefault_account="x"\n')


def test_unknown_account_name_lists_known(tmp_path: Path) -> None:
    cfg = parse(good(tmp_path))
    with pytest.raises(ConfigError, match="known: home, work"):
        cfg.account("nope")


def test_no_accounts_points_to_demo() -> None:
    with pytest.raises(ConfigError, match="--demo"):
        parse("").account()


def test_load_default_path_honours_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYMAILGUI_HOME", str(tmp_path))
    assert paths.config_file() == tmp_path / "config.toml"
    assert paths.cache_db().parent == tmp_path
    assert paths.folders_dir().parent == tmp_path
    assert load().accounts == {}  # a missing default file is an empty config
    (tmp_path / "config.toml").write_text(good(tmp_path))
    assert load().source == tmp_path / "config.toml"
    with pytest.raises(ConfigError, match="does not exist"):
        load(tmp_path / "other.toml")


def test_ensure_dir_is_private(tmp_path: Path) -> None:
    made = paths.ensure_dir(tmp_path / "a" / "b")
    assert stat.S_IMODE(made.stat().st_mode) == 0o700


def test_reference_doc_matches_schema() -> None:
    committed = Path(__file__).parents[2] / "docs" / "config.md"
    assert committed.read_text(encoding="utf-8") == render(), (
        "docs/config.md drifted: run python -m pymailgui.config.reference > docs/config.md"
    )
