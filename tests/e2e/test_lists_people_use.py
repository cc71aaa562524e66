"""Issue 17 point 5, in a real browser, in English and German: the Head of Sales filters the record list, saves
the filter, reopens it, exports exactly what the list shows (a record hidden from her is in neither), and
finds the export in the audit trail.

Screenshots (test-artifacts/): lists-records-{lang}.png (record list with saved filter and export),
lists-audit-trail-{lang}.png (the audit-trail browser filtered to exports, kinds by name),
lists-records-bad-filter-{lang}.png (a bad filter value explained in the page's language).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from salesflow.people.services import do_add_user
from salesflow.records import services
from salesflow.records.models import Event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

TEXTS = {
    "en": {"user": "Username", "password": "Password", "sign_in": "Sign in", "my_work": "My work",
           "name": "Name this filter", "save": "Save filter", "saved": "Filter “Confidential deals” saved.",
           "trail": "Audit trail", "one_event": "1 event", "title": "Title",
           "exported": "Exported the record list: 2 rows as CSV", "kind": "List exported",
           "bad_date": "close_from: a date YYYY-MM-DD is expected, got 'soon'"},
    "de": {"user": "Benutzername", "password": "Passwort", "sign_in": "Anmelden", "my_work": "Meine Arbeit",
           "name": "Diesen Filter benennen", "save": "Filter speichern",
           "saved": "Filter „Confidential deals“ gespeichert.", "trail": "Prüfpfad", "one_event": "1 Ereignis",
           "title": "Titel", "exported": "Vorgangsliste exportiert: 2 Zeilen als CSV", "kind": "Liste exportiert",
           "bad_date": "close_from: ein Datum JJJJ-MM-TT wird erwartet, erhalten 'soon'"},
}


@pytest.fixture
def team(live_server: Any) -> dict[str, Any]:
    from django.core.cache import cache

    cache.clear()
    head = do_add_user("head", ["head_of_sales"], ["North"], password=PASSWORD, first_name="Helena",
                       last_name="Hoffmann")
    kam = do_add_user("kam", ["kam"], ["South"], password=PASSWORD, first_name="Kai", last_name="Becker")
    for title, classification in (("Grid monitoring", "confidential"), ("Wind park sensors", "confidential"),
                                  ("Secret merger", "strictly_confidential"), ("Street lights", "internal")):
        services.do_create_record("opportunity-management", kam, {
            "title": title, "account": "Nordwind Energie", "amount": "120000", "classification": classification})
    return {"head": head, "kam": kam}


def sign_in(page: Page, base: str, texts: dict[str, str]) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label(texts["user"]).fill("head")
    page.get_by_label(texts["password"]).fill(PASSWORD)
    page.get_by_role("button", name=texts["sign_in"]).click()
    expect(page.get_by_role("heading", name=texts["my_work"])).to_be_visible()


@pytest.mark.parametrize("language", ["en", "de"])
def test_head_of_sales_saves_a_filter_exports_the_list_and_finds_the_export_in_the_audit_trail(
        browser: Browser, live_server: Any, team: dict[str, Any], language: str) -> None:
    texts, base = TEXTS[language], live_server.url
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  locale="de-DE" if language == "de" else "en-GB", accept_downloads=True)
    try:
        page = context.new_page()
        sign_in(page, base, texts)
        page.goto(base + "/records/")
        page.locator("select[name=classification]").select_option("confidential")
        expect(page.locator("#results tbody tr")).to_have_count(2)
        page.get_by_placeholder(texts["name"]).fill("Confidential deals")
        page.get_by_role("button", name=texts["save"]).click()
        expect(page.locator(".messages")).to_contain_text(texts["saved"])

        # Reopening the saved filter from the plain list shows the same two records.
        page.goto(base + "/records/")
        expect(page.locator("#results tbody tr")).to_have_count(3)  # open records she may see
        page.locator(".saved-filter a", has_text="Confidential deals").click()
        expect(page.locator("#results tbody tr")).to_have_count(2)
        expect(page.locator(".saved-filter-current")).to_contain_text("Confidential deals")
        listed = page.locator("#results tbody .cell-title a").all_inner_texts()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"lists-records-{language}.png"), full_page=True)

        with page.expect_download() as info:
            page.locator(".list-export a", has_text="CSV").click()
        rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
        assert rows[0][1] == texts["title"]
        assert [row[1] for row in rows[1:]] == listed and "Secret merger" not in str(rows)

        # The export is in the audit trail; the hidden record's events are not.
        page.get_by_role("link", name=texts["trail"]).click()
        expect(page.get_by_role("heading", name=texts["trail"])).to_be_visible()
        expect(page.locator("#audit-results")).not_to_contain_text("Secret merger")
        page.locator("select[name=kind]").select_option(label=texts["kind"])  # kinds by name, not by id
        expect(page.locator("#audit-results .results-count")).to_contain_text(texts["one_event"])
        expect(page.locator("#audit-results tbody")).to_contain_text(texts["exported"])
        expect(page.locator("#audit-results tbody td").nth(3)).to_have_text(texts["kind"])
        expect(page.locator("#audit-results")).not_to_contain_text("security.export")
        page.screenshot(path=str(ARTIFACTS / f"lists-audit-trail-{language}.png"), full_page=True)
        assert Event.objects.filter(kind="security.export", actor_id=team["head"].pk).count() == 1

        # A bad filter value is explained in the page's language.
        page.goto(base + "/records/?close_from=soon")
        expect(page.locator("#results .alert-error")).to_have_text(texts["bad_date"])
        page.screenshot(path=str(ARTIFACTS / f"lists-records-bad-filter-{language}.png"), full_page=False)
    finally:
        context.close()
