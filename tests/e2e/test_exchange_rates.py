"""Exchange rates in a real browser: the Head of Sales sets USD → EUR on the rates page; the board and the
forecast report then add 100 000 EUR and 100 000 USD up to 190 000 EUR and name the CHF deal without a rate —
in English and in German (screenshots in test-artifacts/)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from salesflow.people.services import do_add_user
from salesflow.records import services
from tests.e2e.test_sales_day import ARTIFACTS, PASSWORD, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deals(live_server: Any) -> dict[str, int]:
    from django.core.cache import cache

    cache.clear()
    do_add_user("head", ["head_of_sales"], ["North"], password=PASSWORD, first_name="Helena", last_name="Hoffmann")
    kam = do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker")
    return {currency: services.do_create_record("opportunity-management", kam, {
        "title": f"Grid monitoring ({currency})", "account": f"Customer {currency}", "amount": "100000",
        "currency": currency, "close_date": "2099-03-31"}).pk for currency in ("EUR", "USD", "CHF")}


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_set_a_rate_and_see_the_totals_in_both_languages(page: Page, live_server: Any, deals: dict[str, int]):
    base = live_server.url
    sign_in(page, base, "head")
    page.get_by_role("link", name="Exchange rates").click()
    page.get_by_label("From currency").fill("USD")
    page.get_by_label("Rate", exact=True).fill("0.9")
    page.get_by_label("In force from").fill("2020-01-01")
    page.get_by_role("button", name="Set rate").click()
    expect(page.locator(".messages")).to_contain_text("Rate set: from 2020-01-01 1 USD = 0.9 EUR.")
    expect(page.locator("table").first).to_contain_text("USD")
    shot(page, "rates-en")
    page.goto(base + "/board/")
    expect(page.locator(".lead")).to_contain_text("190 k EUR")
    expect(page.locator(".unconverted")).to_contain_text("1 record in CHF")
    shot(page, "board-currencies-en")
    page.goto(base + "/controlling/report/forecast/?period=2099-Q1")
    expect(page.locator("body")).to_contain_text(f"Record {deals['CHF']} (100,000.00 CHF): no exchange rate CHF → EUR")
    shot(page, "forecast-currencies-en")
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": base}])
    page.goto(base + "/currency/rates/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wechselkurse")
    shot(page, "rates-de")
    page.goto(base + "/board/")
    expect(page.locator(".unconverted")).to_contain_text("1 Vorgang in CHF")
    shot(page, "board-currencies-de")
    page.goto(base + "/controlling/report/forecast/?period=2099-Q1")
    shot(page, "forecast-currencies-de")
