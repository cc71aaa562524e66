"""Done when: sign-in through a local OpenID provider creates or maps the user with the roles from the claims
(a real provider — django-oidc-provider — in its own process, a real Chromium)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from salesflow.people.models import User
from salesflow.people.services import do_add_user
from salesflow.records.models import Event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in_at_provider(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Sign in with the test provider").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("User").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in at the provider").click()
    page.wait_for_url(f"{base}/**")


def test_first_sso_sign_in_creates_the_user_with_mapped_roles_and_teams(page: Page, live_server, sso_settings) -> None:
    _sign_in_at_provider(page, live_server.url, "olivia", sso_settings.password)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    user = User.objects.get(username="olivia")
    assert set(user.role_ids()) == {"head_of_sales"}
    assert list(user.teams.values_list("name", flat=True)) == ["North"]
    assert user.email == "olivia@example.com" and not user.has_usable_password()
    kinds = list(Event.objects.filter(actor_name__in=["Olivia Okta", "olivia"]).values_list("kind", flat=True))
    assert "security.sso_user_created" in kinds and "security.login" in kinds


def test_sso_maps_an_existing_user_and_brings_roles_in_line(page: Page, live_server, sso_settings) -> None:
    existing = do_add_user("sam", ["head_of_sales"], password="local-pw-1", email="sam@example.com")
    _sign_in_at_provider(page, live_server.url, "sam", sso_settings.password)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    existing.refresh_from_db()
    assert User.objects.filter(username="sam").count() == 1
    assert set(User.objects.get(pk=existing.pk).role_ids()) == {"kam"}  # the provider's groups win
    synced = Event.objects.filter(kind="security.sso_roles_synced").last()
    assert synced.payload["roles"] == {"old": ["head_of_sales"], "new": ["kam"]}


def test_local_passwords_can_be_switched_off(page: Page, live_server, sso_settings, settings) -> None:
    settings.LOCAL_LOGIN = False
    settings.AUTHENTICATION_BACKENDS = ["salesflow.sso.backend.SalesflowOIDCBackend"]
    do_add_user("lena", ["kam"], password="local-pw-1")
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("link", name="Sign in with the test provider")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_count(0)
    page.screenshot(path="test-artifacts/sso-login-en.png", full_page=True)
