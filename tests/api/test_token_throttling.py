"""Unknown API tokens from one address are throttled in a scope of their own (never the web sign-in)."""

from __future__ import annotations

import pytest
from django.test import Client

from salesflow.records.models import Event
from tests.api.conftest import PASSWORD, Api, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings) -> None:
    settings.SALESFLOW_SIGNIN_ACCOUNT_LIMIT = 3
    settings.SALESFLOW_SIGNIN_ADDRESS_LIMIT = 6


def _call(secret: str, address: str) -> object:
    return Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/me", REMOTE_ADDR=address)


def test_unknown_tokens_lock_further_token_attempts_from_that_address(people, token_for) -> None:
    for number in range(6):
        assert_problem(_call(f"sf_guess{number}", "198.51.100.9"), 401)
    good = token_for(people["kam"])
    locked = _call(good, "198.51.100.9")
    assert_problem(locked, 429, "throttled")
    assert int(locked["Retry-After"]) > 0
    assert _call(good, "198.51.100.10").status_code == 200
    lock = Event.objects.get(kind="security.login_locked")
    assert lock.payload["scope"] == "api_address"


def test_a_script_with_a_revoked_token_does_not_block_sign_in_from_its_address(people) -> None:
    for _ in range(10):
        _call("sf_revoked-or-wrong", "203.0.113.5")
    response = Client().post("/accounts/login/", {"username": "kam", "password": PASSWORD}, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 302


def test_a_good_token_is_not_counted(people, token_for) -> None:
    good = token_for(people["kam"])
    for _ in range(10):
        assert Api(good).get("/api/me").status_code == 200
    assert not Event.objects.filter(kind="security.login_locked").exists()
