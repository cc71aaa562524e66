"""Changing one's password asks for the old one and is recorded as a security event."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from salesflow.records.models import Event
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_password_change_is_logged(people) -> None:
    client = Client()
    assert client.login(username="kam", password=PASSWORD)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "a-new-long-passphrase-7", "new_password2": "a-new-long-passphrase-7"})
    assert response.status_code == 302
    assert Event.objects.filter(kind="security.password_changed", actor_id=people["kam"].pk).count() == 1
    assert client.get(reverse("home")).status_code == 200  # still signed in
    assert Client().login(username="kam", password="a-new-long-passphrase-7")


def test_a_wrong_old_password_changes_nothing(people) -> None:
    client = Client()
    client.login(username="kam", password=PASSWORD)
    response = client.post(reverse("password_change"), {
        "old_password": "wrong", "new_password1": "a-new-long-passphrase-7", "new_password2": "a-new-long-passphrase-7"})
    assert response.status_code == 200
    assert not Event.objects.filter(kind="security.password_changed").exists()
    assert Client().login(username="kam", password=PASSWORD)
