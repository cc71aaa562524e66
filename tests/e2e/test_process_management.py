"""The "Sales process management" section of the controlling dashboard and a partner page in a real browser,
in English and German: the four panels render their charts, the adherence report is linked, the partner page
shows tier, region, the scores over time and the partner-sourced leads. Screenshots in test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from salesflow.accounts.models import Account
from salesflow.accounts.partners import do_attribute_lead, do_set_partner
from salesflow.people.services import do_add_user
from salesflow.quality.services import do_assess
from salesflow.records import services
from tests.coaching.conftest import PARTNER_62_5, PARTNER_ALL_YES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def world(live_server: Any) -> dict[str, Any]:
    from django.core.cache import cache

    cache.clear()
    head = do_add_user("head", ["head_of_sales"], ["North"], password=PASSWORD, first_name="Helena",
                       last_name="Hoffmann")
    quality = do_add_user("quinn", ["sales_quality"], [], password=PASSWORD)
    kam = do_add_user("kam", ["kam"], ["North"], password=PASSWORD)
    partner = do_set_partner(Account.objects.create(name="Fachhandel Nord GmbH", created_at=timezone.now()),
                             "Gold", "North")
    for answers, day in ((PARTNER_62_5, "2026-01-10"), (PARTNER_ALL_YES, "2026-04-10")):
        do_assess("partner-mystery-shopping", quality, f"partner:{partner.pk}", answers, date=day)
    lead = services.do_create_record("lead-management", kam, {"title": "PV – Nordlicht", "company": "Nordlicht GmbH",
                                                              "source": "partner"})
    do_attribute_lead(lead, partner)
    return {"head": head, "partner": partner}


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.locator("input[name='username']").fill(username)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("button.button-block[type='submit']").click()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "de"])
def test_dashboard_section_and_partner_page(page: Page, live_server: Any, world: dict, language: str) -> None:
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    sign_in(page, base, "head")
    words = {"en": ("Sales process management", "Mystery shopping", "Turn-around time per step", "Tier Gold",
                    "Partner-sourced leads", "Process adherence per process:"),
             "de": ("Vertriebsprozessmanagement", "Mystery Shopping", "Durchlaufzeit je Schritt", "Stufe Gold",
                    "Vom Partner vermittelte Leads", "Prozesstreue je Prozess:")}[language]
    page.goto(base + "/controlling/")
    expect(page.get_by_role("heading", name=words[0], level=2)).to_be_visible()
    for kind in ("mystery-shopping", "satisfaction", "tat", "coaching"):
        panel = page.locator(f"#panel-{kind}")
        expect(panel.locator(".key-figures")).to_be_visible(timeout=30_000)
        if kind in ("satisfaction", "coaching"):   # no survey, no manager in this world: no empty chart frame
            expect(panel.locator(".no-chart")).to_be_visible()
            expect(panel.locator(".vega-chart")).to_have_count(0)
        else:
            expect(panel.locator(".vega-chart svg, .vega-chart canvas").first).to_be_visible(timeout=30_000)
        expect(panel.get_by_role("link", name="CSV")).to_be_visible()
    expect(page.locator("#panel-mystery-shopping .key-figures")).to_contain_text("81")   # (62.5 + 100) / 2 = 81.2
    expect(page.locator("#process-management-note")).to_contain_text(words[5])
    expect(page.locator("#process-management-note a[href*='/controlling/report/adherence/']").first).to_be_visible()
    page.locator("#panel-mystery-shopping").scroll_into_view_if_needed()
    shot(page, f"process-management-dashboard-{language}")

    page.goto(base + f"/partners/{world['partner'].pk}/")
    expect(page.get_by_role("heading", name="Fachhandel Nord GmbH", level=1)).to_be_visible()
    expect(page.locator("#partner-tier")).to_have_text(words[3])
    expect(page.locator("#mystery-average")).to_contain_text("81")
    expect(page.get_by_role("heading", name=words[4])).to_be_visible()
    expect(page.get_by_role("link", name="PV – Nordlicht")).to_be_visible()
    expect(page.locator("#scores .vega-chart svg, #scores .vega-chart canvas").first).to_be_visible(timeout=30_000)
    shot(page, f"partner-page-{language}")
