"""Issue 17 point 1, in a real browser, in English and German: a KAM logs a call and a task on an opportunity of
an existing account; both appear on the account page. Screenshots: activity-record-{lang}.png,
activity-account-{lang}.png (test-artifacts/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from salesflow.accounts.models import Account
from salesflow.activities.models import Activity
from salesflow.people.services import do_add_user
from salesflow.records import services
from salesflow.records.models import Event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TEXTS = {
    "en": {"user": "Username", "password": "Password", "sign_in": "Sign in", "my_work": "My work",
           "log": "Log a call, meeting, e-mail or note", "subject": "Subject", "duration": "Duration (minutes)",
           "outcome": "Outcome", "next": "Next step", "log_it": "Log it", "logged": "Logged.",
           "add_task": "Add a task", "task": "Task", "due": "Due date", "add_it": "Add the task",
           "added": "Task added."},
    "de": {"user": "Benutzername", "password": "Passwort", "sign_in": "Anmelden", "my_work": "Meine Arbeit",
           "log": "Anruf, Termin, E-Mail oder Notiz protokollieren", "subject": "Gegenstand",
           "duration": "Dauer (Minuten)", "outcome": "Ergebnis", "next": "Nächster Schritt",
           "log_it": "Protokollieren", "logged": "Protokolliert.", "add_task": "Aufgabe anlegen", "task": "Aufgabe",
           "due": "Fällig am", "add_it": "Aufgabe anlegen", "added": "Aufgabe angelegt."},
}


@pytest.mark.parametrize("language", ["en", "de"])
def test_kam_logs_a_call_and_a_task_that_show_on_the_account_page(browser: Browser, live_server: Any,
                                                                  language: str) -> None:
    texts, base = TEXTS[language], live_server.url
    kam = do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker")
    account = Account.objects.create(name="Nordwind Energie", created_at=timezone.now())
    record = services.do_create_record("opportunity-management", kam, {
        "title": "Grid monitoring", "account": "Nordwind Energie", "amount": "120000"}, customer_id=account.pk)
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  locale="de-DE" if language == "de" else "en-GB")
    try:
        page = context.new_page()
        page.goto(base + "/accounts/login/")
        page.get_by_label(texts["user"]).fill("kam")
        page.get_by_label(texts["password"]).fill(PASSWORD)
        page.get_by_role("button", name=texts["sign_in"]).click()
        expect(page.get_by_role("heading", name=texts["my_work"])).to_be_visible()

        page.goto(f"{base}/records/{record.pk}/")
        panel = page.locator("#activities")
        panel.get_by_text(texts["log"]).click()
        panel.get_by_label(texts["subject"]).fill("Price call with Anna Kunde")
        panel.get_by_label(texts["duration"]).fill("25")
        panel.get_by_label(texts["outcome"], exact=True).fill("wants 5 % off")
        panel.get_by_label(texts["next"], exact=True).fill("send a revised offer")
        panel.get_by_role("button", name=texts["log_it"]).click()
        panel = page.locator("#activities")
        expect(panel).to_contain_text(texts["logged"])
        expect(panel).to_contain_text("Price call with Anna Kunde")

        panel.get_by_text(texts["add_task"], exact=True).first.click()
        panel.get_by_label(texts["task"], exact=True).fill("Send the revised offer")
        panel.get_by_label(texts["due"]).fill("2030-01-15")
        panel.get_by_role("button", name=texts["add_it"]).click()
        expect(page.locator("#activities")).to_contain_text(texts["added"])
        page.locator("#activities").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"activity-record-{language}.png"), full_page=False)

        page.goto(f"{base}/accounts/{account.pk}/")
        section = page.locator("#activities")
        expect(section).to_contain_text("Price call with Anna Kunde")
        expect(section).to_contain_text("Send the revised offer")
        expect(section).to_contain_text("Grid monitoring")
        section.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"activity-account-{language}.png"), full_page=False)
        assert Activity.objects.count() == 2
        assert Event.objects.filter(record=record, kind__in=("activity_logged", "task_added")).count() == 2
    finally:
        context.close()
