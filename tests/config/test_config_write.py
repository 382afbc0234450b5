"""Writing the config: parse(dumps(cfg)) == cfg for any valid Config; durable saves."""

from __future__ import annotations

import dataclasses
import math
import stat
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pymailgui import paths
from pymailgui.config.load import load, parse
from pymailgui.config.providers import suggest
from pymailgui.config.schema import AccountConfig, Config, GeneralConfig, Security, ServerConfig
from pymailgui.config.write import (
    HEADER,
    PasswordSource,
    dumps,
    password_source,
    save,
    with_account,
    with_password_source,
    without_account,
)
from pymailgui.errors import ConfigError, LocalStoreError

# Text as users and hostile files hold it: quotes, backslashes, newlines, tabs, control
# characters, non-ASCII, empty.
tricky = st.lists(
    st.sampled_from(['"', "\\", "\n", "\r", "\t", "\x00", "\x7f", "'''", '"""', "é", "日", "🙂"])
    | st.characters(codec="utf-8"),
    max_size=20,
).map("".join)
nonblank = tricky.filter(lambda s: s.strip() != "")
int64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@st.composite
def servers(draw: st.DrawFn, protocol: str, files: tuple[str, str]) -> ServerConfig:
    security = draw(st.sampled_from(list(Security)))
    auth = ("auto", "plain", "user", "none") if protocol == "smtp" else ("auto", "plain", "user")
    ca_file, pin = files
    return ServerConfig(
        host=draw(nonblank),
        port=draw(st.integers(0, 65535)),
        security=security,
        username=draw(tricky),
        password_command=draw(tricky),
        ca_file=draw(st.sampled_from(["", ca_file])),
        pinned_certificate="" if security is Security.NONE else draw(st.sampled_from(["", pin])),
        timeout=draw(
            st.floats(min_value=1e-6, allow_infinity=True, allow_nan=False)
            | st.integers(1, 10**6).map(float)
        ),
        auth=draw(st.sampled_from(auth)),
    )


@st.composite
def accounts(draw: st.DrawFn, name: str, files: tuple[str, str]) -> AccountConfig:
    local = draw(tricky)
    return AccountConfig(
        name=name,
        address=f"{local}@{draw(tricky)}",
        pop=draw(servers("pop", files)),
        smtp=draw(st.none() | servers("smtp", files)),
        display_name=draw(tricky),
        signature=draw(tricky),
        aliases=draw(st.lists(tricky, max_size=3)),
    )


@st.composite
def configs(draw: st.DrawFn, files: tuple[str, str]) -> Config:
    names = draw(st.lists(tricky, max_size=3, unique=True))
    accts = {name: draw(accounts(name, files)) for name in names}
    general = GeneralConfig(
        default_account=draw(st.sampled_from(["", *names])),
        wrap_width=draw(int64),
        use_keyring=draw(st.booleans()),
        protocol_log=draw(st.booleans()),
        max_message_bytes=draw(int64),
    )
    return Config(general=general, accounts=accts)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    base = tmp_path_factory.mktemp("files")
    (base / "ca.pem").write_text("ca")
    (base / "pin.pem").write_text("pin")
    return str(base / "ca.pem"), str(base / "pin.pem")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_over_the_schema(data: st.DataObject, files: tuple[str, str]) -> None:
    config = data.draw(configs(files))
    text = dumps(config)
    assert parse(text) == config
    assert text.startswith(HEADER + "\n")
    raw = tomllib.loads(text)
    # Never a password key, whatever the values hold.
    for account in raw.get("accounts", {}).values():
        for table in (account, account["pop"], account.get("smtp", {})):
            assert not {"password", "pass", "passwd", "secret"} & set(table)


def test_only_settings_that_differ_from_their_defaults_are_written() -> None:
    config = parse(
        '[accounts.home]\naddress = "a@example.com"\n'
        '[accounts.home.pop]\nhost = "pop.example.com"\n'
    )
    text = dumps(config)
    assert "[general]" not in text
    assert 'host = "pop.example.com"' in text
    assert "port" not in text and "timeout" not in text and "security" not in text


def test_a_multi_line_signature_survives(tmp_path: Path) -> None:
    account = AccountConfig(
        name="home",
        address="alice@example.com",
        pop=ServerConfig(host="127.0.0.1"),
        signature='-- \nAlice "Al" Example\\n\n\tC:\\Users',
    )
    config = with_account(Config(), account)
    target = save(config, tmp_path / "config.toml")
    assert load(target).accounts["home"].signature == account.signature


def test_an_invalid_config_is_never_written(tmp_path: Path) -> None:
    bad = AccountConfig(name="x", address="no-at-sign", pop=ServerConfig(host="h"))
    target = tmp_path / "config.toml"
    with pytest.raises(ConfigError, match="not an address"):
        save(Config(accounts={"x": bad}), target)
    assert not target.exists()
    missing_ca = AccountConfig(
        name="x", address="a@b", pop=ServerConfig(host="h", ca_file=str(tmp_path / "nope.pem"))
    )
    with pytest.raises(ConfigError, match="does not exist"):
        dumps(Config(accounts={"x": missing_ca}))
    with pytest.raises(ConfigError, match="filed under"):
        dumps(Config(accounts={"y": dataclasses.replace(missing_ca, pop=ServerConfig(host="h"))}))
    with pytest.raises(ConfigError, match="NaN"):
        dumps(
            with_account(
                Config(),
                dataclasses.replace(
                    bad, address="a@b", pop=ServerConfig(host="h", timeout=math.nan)
                ),
            )
        )


def test_save_is_private_durable_and_keeps_a_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "home"))
    gmail = suggest("alice@gmail.com")
    assert gmail is not None
    first = with_account(Config(), gmail.account("gmail", "alice@gmail.com", "Alice"))
    target = save(first)
    assert target == paths.config_file()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert not target.with_name("config.toml.bak").exists()
    old_text = target.read_text()

    second = load()
    assert second == dataclasses.replace(first, source=target)
    edited = with_account(
        second,
        dataclasses.replace(second.accounts["gmail"], name="google", display_name="A. E."),
        replacing="gmail",
    )
    save(edited)
    backup = target.with_name("config.toml.bak")
    assert backup.read_text() == old_text
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert list(load().accounts) == ["google"]
    assert [p.name for p in target.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_save_follows_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "pymailgui.toml"
    real.parent.mkdir()
    real.write_text("")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    account = AccountConfig(name="a", address="a@example.com", pop=ServerConfig(host="h"))
    save(with_account(Config(), account), link)
    assert link.is_symlink()
    assert "a@example.com" in real.read_text()


def test_save_failure_is_a_local_store_error(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    with pytest.raises(LocalStoreError, match="could not be saved"):
        save(Config(), not_a_dir / "config.toml")


def test_accounts_are_added_renamed_and_removed() -> None:
    def account(name: str) -> AccountConfig:
        return AccountConfig(name=name, address=f"{name}@example.com", pop=ServerConfig(host="h"))

    config = with_account(with_account(Config(), account("a")), account("b"))
    config = dataclasses.replace(
        config, general=dataclasses.replace(config.general, default_account="a")
    )
    with pytest.raises(ConfigError, match="already exists"):
        with_account(config, account("b"))
    renamed = with_account(config, account("c"), replacing="a")
    assert list(renamed.accounts) == ["c", "b"]
    assert renamed.general.default_account == "c"
    removed = without_account(renamed, "c")
    assert list(removed.accounts) == ["b"] and removed.general.default_account == ""
    with pytest.raises(ConfigError, match="No account"):
        without_account(removed, "zzz")
    with pytest.raises(ConfigError, match="No account"):
        with_account(removed, account("d"), replacing="zzz")
    assert parse(dumps(removed)) == removed


def test_password_source_maps_to_password_command() -> None:
    server = ServerConfig(host="h")
    assert password_source(server) is PasswordSource.KEYRING
    by_command = with_password_source(server, PasswordSource.COMMAND, "pass show mail")
    assert by_command.password_command == "pass show mail"
    assert password_source(by_command) is PasswordSource.COMMAND
    back = with_password_source(by_command, PasswordSource.KEYRING)
    assert back.password_command == "" and password_source(back) is PasswordSource.KEYRING
    with pytest.raises(ConfigError, match="command"):
        with_password_source(server, PasswordSource.COMMAND, "  ")
    with pytest.raises(ConfigError, match="one line"):
        with_password_source(server, PasswordSource.COMMAND, "a\nb")
