"""A management review in a real browser, in English and German: the quality role starts the review from its
page, and the inputs assembled at that moment show frozen on the record (nonconformities, risks, adherence …);
the risk register page lists what the review saw. Screenshots in test-artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from salesflow.people.services import do_add_user
from salesflow.records.models import Event
from salesflow.records.services import do_complete_activity, do_create_record
from salesflow.risks.services import do_add_risk

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def review(live_server: Any) -> dict[str, Any]:
    """A quality user, a nonconformity, a risk and a planned review ready to start."""
    from django.core.cache import cache

    cache.clear()
    quinn = do_add_user("quinn", ["sales_quality"], [], password=PASSWORD, first_name="Quinn", last_name="Quality")
    do_create_record("nonconformity", quinn, {"title": "Wrong price quoted", "description": "Below the list price"})
    do_add_risk(quinn, {"title": "Partners misquote prices", "process": "opportunity-management",
                        "likelihood": 4, "impact": 4})
    do_add_risk(quinn, {"title": "Cross-selling to framework customers", "process": "account-management",
                        "likelihood": 3, "impact": 3, "kind": "opportunity"})
    record = do_create_record("management-review", quinn, {
        "title": "Management review", "review_date": "2026-12-01", "participants": "Head of Sales, Managing Director"})
    do_complete_activity(record.pk, quinn, "prepare_agenda")
    return {"quinn": quinn, "record": record}


def sign_in(page: Page, base: str) -> None:
    page.goto(base + "/accounts/login/")
    page.locator("input[name='username']").fill("quinn")
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("button.button-block[type='submit']").click()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("language", "button", "panel", "row", "risks", "chance"), [
    ("en", "Move to In Review", "Inputs (frozen)", "Nonconformities and their status", "Risks and opportunities",
     "Opportunity"),
    ("de", "Weiter zu In Bewertung", "Eingaben (eingefroren)", "Nichtkonformitäten und ihr Status",
     "Risiken und Chancen", "Chance"),
])
def test_starting_a_management_review_freezes_its_inputs(page: Page, live_server: Any, review: dict, language: str,
                                                         button: str, panel: str, row: str, risks: str,
                                                         chance: str) -> None:
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    sign_in(page, base)
    record = review["record"]
    page.goto(f"{base}/records/{record.pk}/")
    expect(page.locator("#frozen-inputs")).to_have_count(0)
    page.get_by_role("button", name=re.compile(re.escape(button))).first.click()
    panel_box = page.locator("#frozen-inputs")
    expect(panel_box.get_by_role("heading", name=panel)).to_be_visible()
    expect(panel_box.locator("tr[data-input='nonconformities']")).to_contain_text(row)
    expect(panel_box.locator("tr[data-input='nonconformities']")).to_contain_text("1")
    expect(panel_box.locator("tr[data-input='risks']")).to_be_visible()
    assert Event.objects.filter(record_id=record.pk, kind="inputs_frozen").count() == 1
    panel_box.scroll_into_view_if_needed()
    shot(page, f"management-review-{language}")
    page.goto(f"{base}/risks/")
    expect(page.get_by_role("heading", name=risks, level=1)).to_be_visible()
    expect(page.locator("#risk-register")).to_contain_text("Partners misquote prices")
    opportunity = page.locator("#risk-register tr", has_text="Cross-selling to framework customers")
    expect(opportunity.locator("td").first).to_have_text(chance)   # the kind in the reader's language
    shot(page, f"risk-register-{language}")
