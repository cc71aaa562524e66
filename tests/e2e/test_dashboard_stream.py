"""The controlling dashboard in a real browser loads its panels through one streamed request and draws every
chart; when that request fails, each panel is loaded on its own instead — in English and German (screenshots
in test-artifacts/)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from salesflow.people.services import do_add_user
from salesflow.records import services
from tests.e2e.test_process_management import sign_in
from tests.e2e.test_sales_day import ARTIFACTS, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

#: JavaScript: every panel loaded (no "Computing…" left) and every chart it holds drawn.
ALL_DRAWN = """() => {
  const panels = [...document.querySelectorAll('section.controlling-panel')];
  return panels.length > 0 && panels.every(panel => !panel.querySelector('.loading') &&
    [...panel.querySelectorAll('.vega-chart[data-spec]')].every(chart => chart.querySelector('canvas')));
}"""


@pytest.fixture
def deals(live_server: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    do_add_user("head", ["head_of_sales"], [], password=PASSWORD, first_name="Helena", last_name="Hoffmann")
    kam = do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker")
    now = timezone.now()
    close = (now + datetime.timedelta(days=40)).date().isoformat()
    for title, amount, days in (("Grid monitoring", "120000", 9), ("Storage pilot", "60000", 3)):
        services.do_create_record("opportunity-management", kam, {
            "title": title, "account": "Nordwind", "amount": amount, "close_date": close},
            at=now - datetime.timedelta(days=days))


def requests_to(page: Page) -> list[str]:
    """The paths of the dashboard's panel requests, as the page makes them."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url.split("/controlling/", 1)[1])
            if "/controlling/panel" in request.url else None)
    return seen


@pytest.mark.parametrize("language", ["en", "de"])
def test_panels_arrive_in_one_stream(page: Page, live_server: Any, deals: None, language: str) -> None:
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    sign_in(page, base, "head")
    seen = requests_to(page)
    page.goto(base + "/controlling/")
    page.wait_for_function(ALL_DRAWN, timeout=90_000)
    assert [path.split("?")[0] for path in seen] == ["panels/"]           # one request, no panel on its own
    funnel = page.locator("#panel-funnel")
    expect(funnel.locator(".key-figures")).to_contain_text({"en": "Records", "de": "Vorgänge"}[language])
    expect(funnel.locator(".vega-chart canvas")).to_have_count(1)
    assert page.locator(".vega-chart canvas").count() >= 5
    page.set_viewport_size({"width": 1400, "height": 900})
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-stream-{language}.png"), full_page=False)


def test_a_failed_stream_loads_each_panel_on_its_own(page: Page, live_server: Any, deals: None) -> None:
    base = live_server.url
    sign_in(page, base, "head")
    page.route("**/controlling/panels/**", lambda route: route.abort())
    seen = requests_to(page)
    page.goto(base + "/controlling/")
    page.wait_for_function(ALL_DRAWN, timeout=90_000)
    panels = page.locator("section.controlling-panel").count()
    assert sorted(path.split("?")[0] for path in seen if path.startswith("panel/")) == sorted(
        f"panel/{section.split('panel-', 1)[1]}/" for section in
        page.locator("section.controlling-panel").evaluate_all("sections => sections.map(s => s.id)"))
    assert len([path for path in seen if path.startswith("panel/")]) == panels
    expect(page.locator("#panel-funnel .vega-chart canvas")).to_have_count(1)
