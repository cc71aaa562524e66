"""Two-factor sign-in in a real browser: set up by scanning (reading) the secret, then asked at the next sign-in."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from salesflow.people.services import do_add_user

from .totp import code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _password(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-2fa-1")
    page.get_by_role("button", name="Sign in").click()


def test_set_up_then_sign_in_with_a_code(page: Page, live_server, settings) -> None:
    settings.REQUIRE_2FA_ROLES = ["head_of_sales"]
    do_add_user("hanna", ["head_of_sales"], password="pw-2fa-1", first_name="Hanna", last_name="Head")
    base = live_server.url
    _password(page, base, "hanna")
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    expect(page.locator("#totp-qr")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.screenshot(path="test-artifacts/2fa-setup-en.png", full_page=True)
    page.get_by_label("Code from the app").fill(code(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    _password(page, base, "hanna")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("The code is not right")
    page.screenshot(path="test-artifacts/2fa-verify-en.png", full_page=True)
    time.sleep(1.1)  # django-otp throttles after a wrong code
    page.get_by_label("Code from the app").fill(code(secret, 1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page).to_have_url(f"{base}/")
