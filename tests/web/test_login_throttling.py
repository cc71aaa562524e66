"""After five failed sign-ins for a user name or from an address within 15 minutes, sign-in is refused."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from salesflow.records.models import Event
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_correct_password_works_before_the_limit(people) -> None:
    client = Client()
    for _ in range(4):
        assert _login(client, "kam", "wrong").status_code == 200
    response = _login(client, "kam", PASSWORD)
    assert response.status_code == 302


def test_fifth_failure_locks_the_user_name_even_for_the_right_password(people) -> None:
    client = Client()
    for _ in range(4):
        _login(client, "kam", "wrong", address=f"10.0.0.{_ + 1}")
    response = _login(client, "kam", "wrong", address="10.0.0.9")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    response = _login(client, "kam", PASSWORD, address="10.0.1.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert Event.objects.filter(kind="security.login_locked").count() == 1
    assert Event.objects.filter(kind="security.login_failed").count() == 5


def test_an_address_is_locked_across_user_names(people) -> None:
    client = Client()
    for name in ["a", "b", "c", "d", "e"]:
        _login(client, name, "wrong", address="10.9.9.9")
    assert _login(client, "kam2", PASSWORD, address="10.9.9.9").status_code == 429
    assert _login(Client(), "kam2", PASSWORD, address="10.9.9.10").status_code == 302


def test_the_lock_ends_after_fifteen_minutes(people, monkeypatch) -> None:
    import time

    from salesflow.web import throttle

    start = time.time()
    client = Client()
    for _ in range(5):
        _login(client, "kam", "wrong")
    assert throttle.locked_for(type("R", (), {"META": {"REMOTE_ADDR": "10.0.0.1"}})(), "kam") > 14 * 60
    monkeypatch.setattr(throttle.time, "time", lambda: start + 15 * 60 + 2)
    assert _login(client, "kam", PASSWORD).status_code == 302
