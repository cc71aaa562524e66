"""A user created by an import (inactive, no roles, no password) can be activated and given roles."""

from __future__ import annotations

import pytest
from django.test import Client

from salesflow.people.models import User
from tests.interop.conftest import opportunity

pytestmark = pytest.mark.django_db


def test_an_imported_owner_is_activated_given_a_role_and_signs_in(cli, sf_export) -> None:
    folder = sf_export([opportunity("006O1", "Acme rollout", "Prospecting", amount="1000", probability="10",
                                    modified="2025-02-01 09:00:00")])
    assert cli("import", "salesforce", folder).code == 0
    imported = User.objects.get(username="kim@acme.example")
    assert not imported.is_active and not imported.has_usable_password()

    assert cli("user", "update", "kim@acme.example", "--add-role", "kam").code == 0
    result = cli("user", "reactivate", "kim@acme.example")
    assert result.code == 0 and "no password yet" in result.out
    password = cli("user", "password", "kim@acme.example").out.strip().splitlines()[-1]

    imported.refresh_from_db()
    assert imported.is_active and imported.must_change_password
    assert sorted(imported.roles.values_list("id", flat=True)) == ["kam"]
    browser = Client()
    response = browser.post("/accounts/login/", {"username": "kim@acme.example", "password": password})
    assert response.status_code == 302
    assert browser.get("/").status_code == 302  # to the password change page first
    response = browser.post("/account/password/", {"old_password": password, "new_password1": "Kim-New-Phrase-42",
                                                    "new_password2": "Kim-New-Phrase-42"})
    assert response.status_code == 302
    assert browser.get("/").status_code == 200
    assert [row["username"] for row in cli("user", "list", "--json").json() if row["active"]] == ["kim@acme.example"]
