"""Shared fixtures: each lives in tests/support/ and is registered here."""

pytest_plugins = [
    "tests.support.tls",
]
