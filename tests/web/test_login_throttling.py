"""Sign-in throttling: per account and per client address, in the database every worker shares.

One person's typos lock only their own account; an address is locked only after many more failures
(the default 100, here set to 12 against an account limit of 4), so colleagues behind the same
office address keep signing in. Locks are security events.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from salesflow.people.models import SignInThrottle
from salesflow.records.models import Event
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings) -> None:
    settings.SALESFLOW_SIGNIN_ACCOUNT_LIMIT = 4
    settings.SALESFLOW_SIGNIN_ADDRESS_LIMIT = 12
    settings.SALESFLOW_SIGNIN_LOCK_SECONDS = 15 * 60


def _login(username: str, password: str, address: str = "10.0.0.1", client: Client | None = None):
    return (client or Client()).post(reverse("login"), {"username": username, "password": password},
                                     REMOTE_ADDR=address)


def test_correct_password_works_before_the_limit(people) -> None:
    for _ in range(3):
        assert _login("kam", "wrong").status_code == 200
    assert _login("kam", PASSWORD).status_code == 302


def test_the_account_limit_locks_the_account_from_every_address(people) -> None:
    for attempt in range(4):
        _login("kam", "wrong", address=f"10.0.0.{attempt + 1}")
    response = _login("kam", PASSWORD, address="192.168.7.7")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    locks = Event.objects.filter(kind="security.login_locked")
    assert [(lock.payload["scope"], lock.payload["username"]) for lock in locks] == [("account", "kam")]


def test_one_persons_typos_do_not_lock_out_colleagues_behind_the_same_address(people) -> None:
    office = "203.0.113.10"
    for _ in range(4):
        _login("kam", "wrong", address=office)
    assert _login("kam", PASSWORD, address=office).status_code == 429
    assert _login("kam2", PASSWORD, address=office).status_code == 302
    assert _login("head", PASSWORD, address=office).status_code == 302


def test_many_accounts_tried_from_one_address_lock_the_address(people) -> None:
    attacker = "198.51.100.66"
    for number in range(12):
        _login(f"guess{number}", "wrong", address=attacker)
    assert _login("kam2", PASSWORD, address=attacker).status_code == 429
    assert _login("kam2", PASSWORD, address="198.51.100.67").status_code == 302
    scopes = sorted(lock.payload["scope"] for lock in Event.objects.filter(kind="security.login_locked"))
    assert scopes == ["address"]


def test_counts_live_in_the_database_hashed(people) -> None:
    """Every worker reads the same table; no user name or address is stored in clear."""
    for _ in range(4):
        _login("kam", "wrong", address="10.1.1.1")
    rows = list(SignInThrottle.objects.all())
    assert {row.scope for row in rows} == {"account", "address"}
    assert all("kam" not in row.subject and "10.1.1.1" not in row.subject for row in rows)
    # A fresh client (another worker would be another process reading the same table) is refused too.
    assert _login("kam", PASSWORD, address="10.2.2.2", client=Client()).status_code == 429
    SignInThrottle.objects.all().delete()
    assert _login("kam", PASSWORD, address="10.2.2.2").status_code == 302


def test_the_lock_ends_after_its_time(people) -> None:
    for _ in range(4):
        _login("kam", "wrong")
    assert _login("kam", PASSWORD).status_code == 429
    SignInThrottle.objects.update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    assert _login("kam", PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_accounts_failures(people) -> None:
    for _ in range(3):
        _login("kam", "wrong")
    assert _login("kam", PASSWORD).status_code == 302
    for _ in range(3):
        _login("kam", "wrong")
    assert _login("kam", PASSWORD).status_code == 302


def test_failures_outside_the_window_are_forgotten(people, settings) -> None:
    for _ in range(3):
        _login("kam", "wrong")
    SignInThrottle.objects.update(window_started=timezone.now() - datetime.timedelta(
        seconds=settings.SALESFLOW_SIGNIN_WINDOW_SECONDS + 5))
    _login("kam", "wrong")
    assert _login("kam", PASSWORD).status_code == 302
