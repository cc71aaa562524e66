"""Issue 19 item 6 in a real browser, in English and German: the guideline list names "Create Offer" and "Create
Order / Order Management"; the Create Offer guideline page shows its flowchart, RACI and stages; on an offer record
with a quote the amount is read-only with its reason. Screenshots (test-artifacts/): guideline-create-offer-{lang}.png,
guideline-create-offer-flowchart-{lang}.png, offer-amount-fixed-{lang}.png."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from salesflow.people.services import do_add_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TEXTS = {
    "en": {"user": "Username", "password": "Password", "sign_in": "Sign in", "offer": "Create Offer",
           "order": "Create Order / Order Management", "stage": "Review and Approval",
           "fixed": "Set by the current quote: revise the quote to change it.", "edit": "Edit fields"},
    "de": {"user": "Benutzername", "password": "Passwort", "sign_in": "Anmelden", "offer": "Angebot erstellen",
           "order": "Bestellung anlegen / Auftragsabwicklung", "stage": "Prüfung und Freigabe",
           "fixed": "Vom aktuellen Angebot vorgegeben: zum Ändern das Angebot überarbeiten.",
           "edit": "Felder bearbeiten"},
}


@pytest.mark.parametrize("language", ["en", "de"])
def test_create_offer_guideline_and_an_offer_with_its_quote(browser: Browser, live_server: Any,
                                                            language: str) -> None:
    from django.core.cache import cache

    from salesflow.products.services import do_save_product
    from salesflow.quotes.services import LineInput, do_create_quote
    from salesflow.records import services

    cache.clear()
    texts, base = TEXTS[language], live_server.url
    head = do_add_user("helena", ["head_of_sales"], ["North"], password=PASSWORD, first_name="Helena",
                       last_name="Hoffmann")
    kam = do_add_user("kai", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker")
    do_save_product(head, "HW-GW", "Gateway appliance", "Gateway-Appliance", "pcs", {"EUR": "5000"})
    offer = services.do_create_record("create-offer", kam, {"title": "Spare gateways"})
    do_create_quote(offer.pk, kam, [LineInput(quantity=Decimal(4), sku="HW-GW", discount=Decimal(10))])
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  locale="de-DE" if language == "de" else "en-GB")
    try:
        page = context.new_page()
        page.goto(base + "/accounts/login/")
        page.get_by_label(texts["user"]).fill("kai")
        page.get_by_label(texts["password"]).fill(PASSWORD)
        page.get_by_role("button", name=texts["sign_in"]).click()
        page.goto(base + "/guidelines/")
        expect(page.get_by_role("link", name=texts["order"], exact=True)).to_be_visible()
        page.get_by_role("link", name=texts["offer"], exact=True).first.click()
        expect(page.get_by_role("heading", name=texts["offer"]).first).to_be_visible()
        expect(page.locator("main")).to_contain_text(texts["stage"])
        expect(page.locator("main svg").first).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"guideline-create-offer-{language}.png"), full_page=False)
        page.locator("main svg.flowchart").first.screenshot(
            path=str(ARTIFACTS / f"guideline-create-offer-flowchart-{language}.png"))

        page.goto(f"{base}/records/{offer.pk}/")
        page.locator("#fields details.edit-fields summary").click()
        amount = page.locator("#fields input[name=amount]")
        expect(amount).to_be_disabled()
        expect(amount).to_have_value("18000.00")
        expect(page.locator("#fields")).to_contain_text(texts["fixed"])
        page.locator("#fields").screenshot(path=str(ARTIFACTS / f"offer-amount-fixed-{language}.png"))
    finally:
        context.close()
