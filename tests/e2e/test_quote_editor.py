"""Quote editing on the record page in a real browser, in English and German: the KAM creates a quote with a
20 % discount (htmx swaps the panel), the Head of Sales approves it, the KAM revises it in German (a new version,
not approved any more). Screenshots in test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from salesflow.people.services import do_add_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def proposal(live_server: Any) -> dict[str, Any]:
    """A KAM's opportunity in Proposal, two catalogue products, a Head of Sales."""
    from django.core.cache import cache

    from salesflow.products.services import do_save_product
    from salesflow.records import services

    cache.clear()
    head = do_add_user("helena", ["head_of_sales"], ["North"], password=PASSWORD, first_name="Helena",
                       last_name="Hoffmann")
    kam = do_add_user("kai", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker")
    do_save_product(head, "LIC-PRO", "CRM licence Pro (user/year)", "CRM-Lizenz Pro (Nutzer/Jahr)", "user",
                    {"EUR": "1200"})
    do_save_product(head, "SRV-DAY", "Consulting day", "Beratungstag", "day", {"EUR": "1400"})
    record = services.do_create_record("opportunity-management", kam, {"title": "Gateway roll-out",
                                                                       "account": "Nordwind Energie"})
    services.do_move(record.pk, head, "proposal", override_reason="e2e set-up")
    return {"record": record.pk, "head": head}


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#quotes").screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_quote_editing_in_english_and_german(page: Page, live_server: Any, proposal: dict) -> None:
    base = live_server.url
    sign_in(page, base, "kai")
    page.goto(f"{base}/records/{proposal['record']}/")
    panel = page.locator("#quotes")
    expect(panel.get_by_role("heading", name="Quote")).to_be_visible()
    expect(panel).to_contain_text("No quote yet.")
    editor = panel.get_by_test_id("quote-editor")
    editor.get_by_label("SKU 1", exact=True).fill("LIC-PRO")
    editor.get_by_label("Quantity 1", exact=True).fill("50")
    editor.get_by_label("Discount % 1", exact=True).fill("20")
    editor.get_by_label("Free text 2", exact=True).fill("Project set-up")
    editor.get_by_label("Quantity 2", exact=True).fill("1")
    editor.get_by_label("Unit price 2", exact=True).fill("2000")
    shot(page, "quote-editor-new-en")
    editor.get_by_role("button", name="Create quote").click()
    expect(panel.get_by_test_id("quote-feedback")).to_have_text("Quote created.")
    expect(panel.get_by_test_id("quote-total")).to_have_text("50,000.00 EUR")  # 50 × 1200 × 0.8 + 2000
    expect(panel.get_by_test_id("quote-approval")).to_have_text("Not approved")
    expect(panel.locator("#quote-lines")).to_contain_text("CRM licence Pro (user/year)")
    shot(page, "quote-editor-en")

    bad = panel.get_by_test_id("quote-editor")
    page.locator("#quotes details.quote-editor summary").click()
    bad.get_by_label("Discount % 1", exact=True).fill("120")
    bad.get_by_role("button", name="Save as new version").click()
    expect(panel.get_by_test_id("quote-feedback")).to_contain_text("Line 1")
    expect(panel.get_by_test_id("quote-feedback")).to_contain_text("120")

    page.get_by_role("navigation").get_by_role("link", name="Products").click()
    expect(page.locator("#product-catalogue")).to_contain_text("1,200.00 EUR")
    page.screenshot(path=str(ARTIFACTS / "products-en.png"), full_page=True)

    from salesflow.records import services

    services.do_approve(proposal["record"], proposal["head"], "offer")
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": base}])
    page.goto(f"{base}/records/{proposal['record']}/")
    panel = page.locator("#quotes")
    expect(panel.get_by_test_id("quote-approval")).to_have_text("Freigegeben von Helena Hoffmann")
    page.locator("#quotes details.quote-editor summary").click()
    editor = panel.get_by_test_id("quote-editor")
    editor.get_by_label("Rabatt % 1", exact=True).fill("15")
    editor.get_by_label("Was sich geändert hat").fill("Rabatt auf 15 % gesenkt")
    editor.get_by_role("button", name="Als neue Version speichern").click()
    expect(panel.get_by_test_id("quote-feedback")).to_have_text("Angebot überarbeitet: neue Version.")
    from salesflow.quotes.models import Quote

    quote = Quote.objects.get(record_id=proposal["record"])   # the number follows the id (other tests made quotes)
    expect(panel.get_by_role("heading", name=f"Angebot {quote.number} · Version 2")).to_be_visible()
    expect(panel.get_by_test_id("quote-total")).to_have_text("53.000,00 EUR")
    expect(panel.get_by_test_id("quote-approval")).to_have_text("Nicht freigegeben")
    expect(panel.locator("#quote-lines")).to_contain_text("CRM-Lizenz Pro (Nutzer/Jahr)")
    expect(panel).to_contain_text("Zahlungsbedingungen: 30 Tage netto ab Rechnungsdatum")  # the library's terms in German
    shot(page, "quote-editor-de")
    page.get_by_role("navigation").get_by_role("link", name="Produkte").click()
    expect(page.locator("#product-catalogue")).to_contain_text("CRM-Lizenz Pro (Nutzer/Jahr)")
    expect(page.locator("#product-catalogue")).to_contain_text("1.200,00 EUR")
    page.screenshot(path=str(ARTIFACTS / "products-de.png"), full_page=True)
    page.goto(f"{base}/quotes/{quote.pk}/offer.html?language=de")
    expect(page.locator(".offer-doc h1")).to_contain_text(f"Angebot {quote.number}")
    expect(page.locator(".offer-doc")).to_contain_text("Version 2")
    expect(page.locator(".offer-doc")).to_contain_text("63.070,00 EUR")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "offer-document-de.png"), full_page=True)
