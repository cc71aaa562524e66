"""Controlling, the guidelines and a record page in German in a real browser (demo data): no English headings,
German number formats, German chart titles. Screenshots: test-artifacts/german-{controlling,guidelines,
guideline,record}.png (1400 px wide)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_controlling_guidelines_and_record_page_in_german(browser: Browser, live_server: Any) -> None:
    from salesflow.people.models import User
    from salesflow.records import demo
    from salesflow.records.models import Record

    demo.generate(6, seed=5, now=datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC), leads=3)
    client = Client()
    client.force_login(User.objects.get(username="head"))
    base = live_server.url
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="de-DE")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": base}, {"name": "django_language", "value": "de", "url": base}])
    page = context.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.goto(f"{base}/controlling/")
        expect(page.get_by_role("heading", name="Vertriebscontrolling")).to_be_visible()
        expect(page.locator("#panel-funnel .key-figures")).to_contain_text("Gewinnquote", timeout=20_000)
        expect(page.locator("#panel-funnel svg, #panel-funnel canvas").first).to_be_visible(timeout=20_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "german-controlling.png"), full_page=True)
        assert "Records entering each stage" not in page.inner_text("body")

        page.goto(f"{base}/guidelines/")
        expect(page.get_by_role("heading", name="Richtlinien")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "german-guidelines.png"), full_page=True)
        page.goto(f"{base}/guidelines/opportunity-management/")
        expect(page.get_by_text("Änderungshinweis: Version 2: Teil der gesamten")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "german-guideline.png"), full_page=True)

        record = Record.objects.filter(events__kind="handoff_sent", process__record_type="opportunity").first()
        page.goto(f"{base}/records/{record.pk}/")
        body = page.inner_text("body")
        assert "Übergeben: Auftrag anlegen" in body or "Übergeben: Vertrag anlegen" in body
        assert "Create the contract" not in body and "Create the order" not in body
        page.screenshot(path=str(ARTIFACTS / "german-record.png"), full_page=True)
    finally:
        context.close()
