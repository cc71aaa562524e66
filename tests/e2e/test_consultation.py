"""RACI in a real browser (issue 12): the owner asks a Consulted role from the record page, the consulted
person sees it on My work and answers on the record; the KAM's refused early close names the Head of Sales.

Screenshots of the record page with the open consultation request, in English and German, are saved in
test-artifacts/ (record-consultation-en.png, record-consultation-de.png, record-lost-refused-de.png).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from salesflow.people.services import do_add_user
from salesflow.records import services
from salesflow.records.models import Consultation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def team(live_server: Any) -> dict[str, Any]:
    from django.core.cache import cache

    cache.clear()
    return {
        "head": do_add_user("head", ["head_of_sales"], ["North"], password=PASSWORD, first_name="Helena",
                            last_name="Hoffmann"),
        "kam": do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker"),
        "support": do_add_user("support", ["sales_support"], ["North"], password=PASSWORD, first_name="Sara",
                               last_name="Yilmaz"),
    }


def sign_in(page: Page, base: str, username: str, german: bool = False) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Benutzername" if german else "Username").fill(username)
    page.get_by_label("Passwort" if german else "Password").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden" if german else "Sign in").click()
    expect(page.get_by_role("heading", name="Meine Arbeit" if german else "My work")).to_be_visible()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_ask_a_consulted_role_and_answer_it(page: Page, browser: Browser, live_server: Any, team: dict) -> None:
    base = live_server.url
    record = services.do_create_record("opportunity-management", team["kam"], {
        "title": "Heat pumps – Nordwerk", "account": "Nordwerk", "amount": "400000"})

    # The owner (responsible for the workshop) asks Sales Support for advice from the record page.
    sign_in(page, base, "kam")
    page.goto(f"{base}/records/{record.pk}/")
    workshop = page.locator("#activity-customer_workshop")
    workshop.get_by_label("Consulted role").select_option("sales_support")
    workshop.get_by_label("Question").fill("Which budget did the customer mention last year?")
    workshop.get_by_role("button", name="Ask for advice").click()
    expect(page.locator(".messages")).to_contain_text("Consultation requested.")
    workshop = page.locator("#activity-customer_workshop")
    expect(workshop).to_contain_text("Kai Becker asked Sales Support — waiting for the answer.")
    # The KAM may not do Sales Support's own activity: the page says who does it.
    expect(page.locator("#activity-qualification_support")).to_contain_text("Done by Sales Support.")
    shot(page, "record-consultation-en")

    # Closing as Lost from Qualification is refused and names the deciding role.
    services.do_complete_activity(record.pk, team["kam"], "customer_informed")
    page.reload()
    page.get_by_role("button", name="Close as Lost").click()
    expect(page.locator("#record-feedback .feedback")).to_contain_text(
        "Closing the record as Lost from Qualification is the decision of Head of Sales")

    # The same page in German.
    german = browser.new_context(viewport={"width": 1280, "height": 800}, locale="de-DE")
    try:
        de = german.new_page()
        sign_in(de, base, "kam", german=True)
        de.goto(f"{base}/records/{record.pk}/")
        workshop_de = de.locator("#activity-customer_workshop")
        expect(workshop_de).to_contain_text("Kai Becker hat Sales Support gefragt — die Antwort steht aus.")
        expect(de.locator("#activity-qualification_support")).to_contain_text("Erledigt von: Sales Support.")
        expect(de.locator("#activity-risk_analysis").get_by_role("button", name="Um Rat fragen")).to_be_visible()
        shot(de, "record-consultation-de")
        de.get_by_role("button", name="Abschließen: Verloren").click()
        expect(de.locator("#record-feedback .feedback")).to_contain_text(
            "Den Vorgang aus Qualifizierung als Verloren abzuschließen, entscheidet die Rolle Vertriebsleiter "
            "(oder ein beauftragter Key Account Manager).")
        shot(de, "record-lost-refused-de")
    finally:
        german.close()

    # Sales Support sees the request on My work and answers it on the record.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "support")
    asked = page.locator("#consultations")
    expect(asked).to_contain_text("Heat pumps – Nordwerk")
    expect(asked).to_contain_text("Which budget did the customer mention last year?")
    shot(page, "my-work-consultation-en")
    asked.get_by_role("link", name="Heat pumps – Nordwerk").click()
    workshop = page.locator("#activity-customer_workshop")
    workshop.get_by_label("Your answer").fill("About 450 000 EUR, for two sites")
    workshop.get_by_role("button", name="Answer").click()
    expect(page.locator(".messages")).to_contain_text("Answer sent.")
    expect(page.locator("#activity-customer_workshop")).to_contain_text("About 450 000 EUR, for two sites")
    assert not Consultation.objects.filter(record=record, answered_at__isnull=True).exists()
    page.goto(base + "/")
    expect(page.locator("#consultations")).to_have_count(0)
