"""In a real browser, a KAM's account page and record timeline never show what comes from a record he may
not see: the segment is withheld, the link names no record (English and German).

Screenshots (EN and DE) are saved in test-artifacts/.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from salesflow.accounts.models import Account
from salesflow.accounts.segmentation import do_segment_accounts
from salesflow.people.services import do_add_user
from salesflow.records import services
from salesflow.records.chain import do_link_records
from salesflow.records.models import Record

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def world(live_server: Any) -> dict[str, Any]:
    from django.core.cache import cache

    cache.clear()
    head = do_add_user("head", ["head_of_sales"], ["North", "South"], password=PASSWORD)
    kam = do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker")
    kam2 = do_add_user("kam2", ["kam"], ["South"], password=PASSWORD, first_name="Lena", last_name="Wolf")
    beta = Account.objects.create(name="Beta AG", created_at=timezone.now())
    secret = services.do_create_record("opportunity-management", kam2, {
        "title": "Project Nightingale", "amount": "700000", "classification": "strictly_confidential"},
        customer_id=beta.pk)
    Record.objects.filter(pk=secret.pk).update(outcome="won", stage="won",
                                               closed_at=timezone.now() - datetime.timedelta(days=2))
    mine = services.do_create_record("opportunity-management", kam, {"title": "Grid sensors", "amount": "1000"},
                                     customer_id=beta.pk)
    do_link_records(mine.pk, secret.pk, kam2, kind="related")
    do_segment_accounts(head)
    return {"beta": beta, "secret": secret, "mine": mine}


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()


def test_account_page_and_timeline_hide_the_other_teams_record(world, live_server, page: Page) -> None:
    base = live_server.url
    sign_in(page, base, "kam")
    page.goto(f"{base}/accounts/{world['beta'].pk}/")
    expect(page.get_by_text("Computed from records you may not see")).to_be_visible()
    expect(page.get_by_text("new customer").first).to_be_visible()
    assert "700,000" not in page.content() and "Nightingale" not in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "account-segment-withheld-en.png"), full_page=True)

    page.goto(f"{base}/records/{world['mine'].pk}/")
    expect(page.get_by_text("Linked with a record you may not see (related)")).to_be_visible()
    assert f"#{world['secret'].pk} " not in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "timeline-hidden-link-en.png"), full_page=True)

    page.context.add_cookies([{"name": "django_language", "value": "de", "url": base}])
    page.goto(f"{base}/accounts/{world['beta'].pk}/")
    expect(page.get_by_text("Aus Vorgängen berechnet, die Sie nicht sehen dürfen")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "account-segment-withheld-de.png"), full_page=True)
    page.goto(f"{base}/records/{world['mine'].pk}/")
    expect(page.get_by_text("Verknüpft mit einem Vorgang, den Sie nicht sehen dürfen")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "timeline-hidden-link-de.png"), full_page=True)
