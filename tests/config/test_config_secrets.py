from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pymailgui.config import secrets
from pymailgui.config.load import parse
from pymailgui.errors import ConfigError, PasswordCancelled


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    secrets.forget_passwords()


def account(command: str) -> tuple[object, object]:
    cfg = parse(
        '[accounts.a]\naddress="a@example.com"\n[accounts.a.pop]\nhost="127.0.0.1"\n'
        f"password_command = {command!r}\n"
    )
    acct = cfg.account()
    return acct, acct.pop


def test_password_command_stdout_without_newline() -> None:
    acct, pop = account("printf ' s3cret with space \\n'")
    got = secrets.get_password(acct, pop, protocol="pop", use_keyring=False)  # type: ignore[arg-type]
    assert got == " s3cret with space "


def test_password_command_failure_does_not_leak_stdout() -> None:
    acct, pop = account("echo topsecret; echo 'vault locked' >&2; exit 3")
    with pytest.raises(ConfigError) as info:
        secrets.get_password(acct, pop, protocol="pop", use_keyring=False)  # type: ignore[arg-type]
    assert "exit status 3" in str(info.value)
    assert "vault locked" in str(info.value)
    assert "topsecret" not in str(info.value)


def test_prompt_used_when_no_command_and_cached() -> None:
    cfg = parse('[accounts.a]\naddress="a@example.com"\n[accounts.a.pop]\nhost="127.0.0.1"\n')
    acct = cfg.account()
    asked: list[secrets.PasswordRequest] = []

    def prompt(request: secrets.PasswordRequest) -> str:
        asked.append(request)
        return "pw-from-prompt"

    for _ in range(2):
        got = secrets.get_password(acct, acct.pop, protocol="pop", use_keyring=False, prompt=prompt)
        assert got == "pw-from-prompt"
    assert len(asked) == 1  # cached for the process
    request = asked[0]
    assert (request.account, request.protocol, request.host, request.user) == (
        "a",
        "pop",
        "127.0.0.1",
        "a@example.com",
    )
    assert not request.again
    assert "a@example.com" in request.text and "127.0.0.1" in request.text


def test_a_cancelled_prompt_is_not_a_missing_password() -> None:
    cfg = parse('[accounts.a]\naddress="a@example.com"\n[accounts.a.pop]\nhost="127.0.0.1"\n')
    asked: list[secrets.PasswordRequest] = []

    def cancel(request: secrets.PasswordRequest) -> None:
        asked.append(request)
        return None

    with pytest.raises(PasswordCancelled):
        secrets.get_password(
            cfg.account(),
            cfg.account().pop,
            protocol="pop",
            use_keyring=False,
            prompt=cancel,
            again=True,
        )
    assert asked[0].again and "refused" in asked[0].text


def test_no_source_is_a_clear_config_error() -> None:
    cfg = parse('[accounts.a]\naddress="a@example.com"\n[accounts.a.pop]\nhost="127.0.0.1"\n')
    with pytest.raises(ConfigError, match="password_command"):
        secrets.get_password(cfg.account(), cfg.account().pop, protocol="pop", use_keyring=False)


def test_redacting_filter_masks_handed_out_passwords(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    acct, pop = account("echo 'hunter2-xyz'")
    pw = secrets.get_password(acct, pop, protocol="pop", use_keyring=False)  # type: ignore[arg-type]
    logger = logging.getLogger("pymailgui.test.redact")
    logger.addFilter(secrets.RedactingFilter())
    with caplog.at_level(logging.DEBUG, logger="pymailgui.test.redact"):
        logger.debug("PASS %s", pw)
    assert "hunter2-xyz" not in caplog.text
    assert "PASS ***" in caplog.text
