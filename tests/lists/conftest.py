"""Fixtures of the list tests: the web tests' cast of users and records, signed-in clients."""

from tests.web.conftest import _clean_cache, cast, client_for, people  # noqa: F401 - shared fixtures
