"""The forecast page in a real browser: a KAM submits their call, the team's manager adjusts the team with a note,
the Head of Sales sees both in the roll-up — and the pipeline waterfall on the report page — in English and
German (screenshots in test-artifacts/)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from salesflow.analytics.periods import period_containing
from salesflow.forecasting import services as forecasting
from salesflow.people.models import Team
from salesflow.people.services import do_add_user
from salesflow.records import services
from tests.e2e.test_sales_day import ARTIFACTS, PASSWORD, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team(live_server: Any) -> dict[str, Any]:
    from django.core.cache import cache

    cache.clear()
    people = {
        "head": do_add_user("head", ["head_of_sales"], [], password=PASSWORD, first_name="Helena", last_name="Hoffmann"),
        "lead": do_add_user("lead", ["kam"], ["North"], password=PASSWORD, first_name="Lea", last_name="Lang"),
        "kam": do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker"),
    }
    Team.objects.get_or_create(name="Sales")
    forecasting.do_set_team(None, "North", "Sales", "lead")
    now = timezone.now()
    quarter = period_containing(now, "quarter")
    close = (quarter.end - datetime.timedelta(days=3)).isoformat()
    earlier = now - datetime.timedelta(days=6)
    moved = services.do_create_record("opportunity-management", people["kam"], {
        "title": "Grid monitoring", "account": "Nordwind", "amount": "120000", "close_date": close}, at=earlier)
    services.do_set_fields(moved.pk, people["kam"], {"amount": "150000"}, at=now - datetime.timedelta(days=2))
    services.do_create_record("opportunity-management", people["kam"], {
        "title": "Storage pilot", "account": "Alpen Solar", "amount": "60000", "close_date": close},
        at=now - datetime.timedelta(days=1))
    pushed = services.do_create_record("opportunity-management", people["kam"], {
        "title": "Heat pump fleet", "account": "Stadtwerke Süd", "amount": "90000", "close_date": close},
        at=now - datetime.timedelta(days=30))
    services.do_set_fields(pushed.pk, people["kam"], {"close_date": (quarter.end + datetime.timedelta(days=20)
                                                                     ).isoformat()}, at=now - datetime.timedelta(days=20))
    people["pushed"] = pushed.pk
    people["period"] = quarter.key
    people["from"] = (now - datetime.timedelta(days=4)).date().isoformat()
    return people


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _form(page: Page, form: str, **values: str) -> None:
    for name, value in values.items():
        page.locator(f"#{form} [name={name}]").fill(value)
    page.locator(f"#{form} button[type=submit]").click()


def test_submit_adjust_and_see_the_rollup(page: Page, live_server: Any, team: dict[str, Any]):
    base, period = live_server.url, team["period"]
    sign_in(page, base, "kam")
    page.goto(f"{base}/controlling/forecast/?period={period}")
    expect(page.locator("#adjust-form")).to_have_count(0)          # a KAM adjusts nothing
    _form(page, "submit-form", commit="180000", best_case="240000", note="Two deals in negotiation")
    expect(page.locator(".messages")).to_contain_text(f"Your forecast for {period} is submitted.")
    expect(page.locator("#rollup tr[data-name=kam]")).to_contain_text("180,000")
    page.context.clear_cookies()
    sign_in(page, base, "lead")
    page.goto(f"{base}/controlling/forecast/?period={period}")
    page.locator("#adjust-form select[name=team]").select_option("North")
    _form(page, "adjust-form", commit="150000", note="Storage pilot slips")
    expect(page.locator("#rollup tr[data-name=North]")).to_contain_text("Storage pilot slips")
    page.context.clear_cookies()
    sign_in(page, base, "head")
    page.goto(f"{base}/controlling/forecast/?period={period}")
    north = page.locator("#rollup tr[data-name=North]")
    expect(north).to_contain_text("150,000")
    expect(north).to_contain_text("lead: Storage pilot slips")
    expect(page.locator("#rollup tr[data-name=kam]")).to_contain_text("Two deals in negotiation")
    shot(page, "forecast-calls-en")
    page.goto(f"{base}/controlling/report/waterfall/?period={period}&from={team['from']}")
    expect(page.locator("body")).to_contain_text("Amount increased")
    page.wait_for_timeout(800)
    shot(page, "waterfall-en")
    page.goto(f"{base}/board/")
    card = page.locator(f"#card-{team['pushed']}")
    expect(card).to_contain_text("slipped 1×")
    expect(card).to_contain_text("stale")                      # qualification: stale after 14 days without an event
    shot(page, "board-slips-stale-en")
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": base}])
    page.goto(f"{base}/board/")
    expect(page.locator(f"#card-{team['pushed']}")).to_contain_text("1× verschoben")
    shot(page, "board-slips-stale-de")
    page.goto(f"{base}/controlling/forecast/?period={period}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Forecast-Calls")
    expect(page.locator("#rollup")).to_contain_text("Angepasstes Commit")
    expect(page.locator("#rollup tr[data-name=North]")).to_contain_text("150.000")
    shot(page, "forecast-calls-de")
    page.goto(f"{base}/controlling/report/waterfall/?period={period}&from={team['from']}")
    expect(page.locator("body")).to_contain_text("Betrag erhöht")
    page.wait_for_timeout(800)
    shot(page, "waterfall-de")
