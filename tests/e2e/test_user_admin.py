"""User administration in a real browser: an administrator changes roles and teams, sets a one-time
password and deactivates a leaver from the access review; the user must choose a new password at the
next sign-in; the leaver cannot sign in. Screenshots (EN and DE) in test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from salesflow.people.models import User
from salesflow.people.services import do_add_user
from salesflow.records.models import Event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
NEW_PASSWORD = "Kai-Chooses-His-Own-7"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def staff(live_server: Any) -> dict[str, Any]:
    from django.core.cache import cache

    cache.clear()
    return {
        "admin": do_add_user("ada", ["admin"], [], password=PASSWORD, first_name="Ada", last_name="Admin"),
        "head": do_add_user("head", ["head_of_sales"], ["North", "South"], password=PASSWORD, first_name="Helena",
                            last_name="Hoffmann"),
        "kam": do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker"),
        "kam2": do_add_user("kam2", ["kam"], ["South"], password=PASSWORD, first_name="Lena", last_name="Wolf"),
    }


def sign_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_an_administrator_manages_users_over_their_life(page: Page, live_server: Any, staff: dict) -> None:
    base = live_server.url
    sign_in(page, base, "ada")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()

    # The user list, reached from the navigation.
    page.get_by_role("navigation").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    expect(page.locator("#user-kam")).to_contain_text("Key Account Manager")
    shot(page, "users-list-en")

    # Kai gets the bid manager role and moves from North to South.
    page.get_by_role("link", name="Kai Becker").click()
    expect(page.get_by_role("heading", name="Kai Becker")).to_be_visible()
    page.get_by_label("Bid Manager").check()
    page.get_by_label("North").uncheck()
    page.get_by_label("South").check()
    page.get_by_role("button", name="Save roles and teams").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("Roles and teams of Kai Becker saved")
    kam = User.objects.get(username="kam")
    assert sorted(kam.roles.values_list("id", flat=True)) == ["bid_manager", "kam"]
    assert list(kam.teams.values_list("name", flat=True)) == ["South"]

    # A one-time password, shown once.
    page.get_by_role("button", name="Set one-time password").click()
    secret = page.locator("#one-time-password")
    expect(secret).to_be_visible()
    one_time = secret.inner_text().strip()
    shot(page, "users-detail-en")

    # Lena leaves: deactivated from the access review.
    page.goto(base + "/review/access/")
    page.get_by_role("button", name="Deactivate Lena Wolf").click()
    expect(page.get_by_text("Lena Wolf was deactivated")).to_be_visible()
    shot(page, "access-review-admin-en")
    assert not User.objects.get(username="kam2").is_active

    # The same pages in German.
    page.locator(".lang-switch button[value=de]").click()
    expect(page.get_by_role("heading", name="Zugriffsrechte-Prüfung").or_(
        page.get_by_role("heading", level=1)).first).to_be_visible()
    shot(page, "access-review-admin-de")
    page.goto(base + "/users/")
    expect(page.get_by_role("heading", name="Benutzer", level=1)).to_be_visible()
    expect(page.locator("#user-kam2")).to_contain_text("inaktiv")
    shot(page, "users-list-de")
    page.goto(base + "/users/kam/")
    expect(page.get_by_role("button", name="Rollen und Teams speichern")).to_be_visible()
    shot(page, "users-detail-de")
    page.locator(".lang-switch button[value=en]").click()
    page.get_by_role("button", name="Sign out").click()

    # Kai signs in with the one-time password and must choose his own first.
    sign_in(page, base, "kam", one_time)
    expect(page.locator("#password-required")).to_contain_text("one-time password")
    shot(page, "password-required-en")
    page.goto(base + "/records/")
    expect(page.locator("#password-required")).to_be_visible()
    page.get_by_label("Old password").fill(one_time)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(base + "/records/")
    page.get_by_role("button", name="Sign out").click()

    # Lena cannot sign in any more.
    sign_in(page, base, "kam2")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    kinds = set(Event.objects.filter(kind__startswith="security.").values_list("kind", flat=True))
    assert {"security.user_updated", "security.password_reset", "security.user_deactivated",
            "security.password_changed"} <= kinds


def test_the_forced_change_page_in_german(page: Page, live_server: Any, staff: dict) -> None:
    from salesflow.people.lifecycle import set_one_time_password

    _user, one_time = set_one_time_password("kam")
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": live_server.url}])
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill("kam")
    page.locator("#id_password").fill(one_time)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("#password-required")).to_contain_text("Einmalpasswort")
    shot(page, "password-required-de")
