"""Shared fixtures: each lives in tests/support/ and is registered here."""

pytest_plugins = [
    "tests.support.tls",
    "tests.support.popserver",
    "tests.support.dovecot",
    "tests.support.smtp",
]
