"""Issue 17 "Done when", in a real browser, in English and German: a KAM creates an opportunity on the create
form by picking the existing account (search as you type), logs a call and a task on it (both show on the account
page), requests the offer approval; the Head of Sales sees the request first on My work and refuses it with a
reason; the KAM is notified and reads the reason; the deal is won and its close date is today.

Screenshots (test-artifacts/): done-create-kam-{lang}.png, done-record-kam-{lang}.png, done-account-{lang}.png,
done-my-work-head-{lang}.png, done-refused-kam-{lang}.png, done-won-{lang}.png.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect

from salesflow.accounts.models import Account
from salesflow.activities.models import Activity
from salesflow.people.services import do_add_user
from salesflow.records import services
from salesflow.records.models import Event, Notification, Record
from salesflow.web import formats

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TITLE = "Grid monitoring – Nordwind"
REASON = "Margin below 18 % — revise the price"
PLANNED = "2027-03-31"
TEXTS = {
    "en": {"user": "Username", "password": "Password", "sign_in": "Sign in", "my_work": "My work",
           "log": "Log a call, meeting, e-mail or note", "subject": "Subject", "duration": "Duration (minutes)",
           "outcome": "Outcome", "next": "Next step", "log_it": "Log it", "logged": "Logged.",
           "add_task": "Add a task", "task": "Task", "due": "Due date", "add_it": "Add the task",
           "added": "Task added.", "note": "Note (optional)", "request": "Request approval",
           "requested": "Approval requested: the approver is notified.", "requested_by": "Requested by Kai Becker",
           "reason_label": "Reason for the refusal", "refuse": "Refuse",
           "refused_message": "Approval refused: the requester and the owner are notified.",
           "refused_by": "Refused by Helena Hoffmann", "reason": f"Reason: {REASON}",
           "notice": "Helena Hoffmann refused Offer approval (competence catalog)", "close_date": "Close date",
           "won": "Won", "title": "Title", "account": "Account", "amount": "Amount", "create": "Create",
           "linked": "Linked to the account", "lang": "en"},
    "de": {"user": "Benutzername", "password": "Passwort", "sign_in": "Anmelden", "my_work": "Meine Arbeit",
           "log": "Anruf, Termin, E-Mail oder Notiz protokollieren", "subject": "Gegenstand",
           "duration": "Dauer (Minuten)", "outcome": "Ergebnis", "next": "Nächster Schritt",
           "log_it": "Protokollieren", "logged": "Protokolliert.", "add_task": "Aufgabe anlegen", "task": "Aufgabe",
           "due": "Fällig am", "add_it": "Aufgabe anlegen", "added": "Aufgabe angelegt.", "note": "Notiz (optional)",
           "request": "Freigabe anfragen", "requested": "Freigabe angefragt: wer freigibt, ist benachrichtigt.",
           "requested_by": "Angefragt von Kai Becker", "reason_label": "Begründung der Ablehnung",
           "refuse": "Ablehnen",
           "refused_message": "Freigabe abgelehnt: wer angefragt hat und der Verantwortliche sind benachrichtigt.",
           "refused_by": "Abgelehnt von Helena Hoffmann", "reason": f"Begründung: {REASON}",
           "notice": "Helena Hoffmann hat Angebotsfreigabe (Kompetenzkatalog)", "close_date": "Abschlussdatum",
           "won": "Gewonnen", "title": "Titel", "account": "Kunde", "amount": "Betrag", "create": "Anlegen",
           "linked": "Verknüpft mit dem Kunden", "lang": "de"},
}


@pytest.fixture
def team(live_server: Any) -> dict[str, Any]:
    """The Head of Sales and a KAM of team North, and the existing customer account."""
    from django.core.cache import cache

    cache.clear()
    return {
        "head": do_add_user("head", ["head_of_sales"], ["North"], password=PASSWORD, first_name="Helena",
                            last_name="Hoffmann"),
        "kam": do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker"),
        "account": Account.objects.create(name="Nordwind Energie", created_at=timezone.now()),
    }


def sign_in(page: Page, base: str, username: str, texts: dict[str, str]) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label(texts["user"]).fill(username)
    page.get_by_label(texts["password"]).fill(PASSWORD)
    page.get_by_role("button", name=texts["sign_in"]).click()
    expect(page.get_by_role("heading", name=texts["my_work"])).to_be_visible()


def shot(page: Page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def log_call_and_task(page: Page, texts: dict[str, str]) -> None:
    """The KAM logs a call and adds a task in the record page's activity panel."""
    panel = page.locator("#activities")
    panel.get_by_text(texts["log"]).click()
    panel.get_by_label(texts["subject"]).fill("Price call with Anna Kunde")
    panel.get_by_label(texts["duration"]).fill("25")
    panel.get_by_label(texts["outcome"], exact=True).fill("wants 5 % off")
    panel.get_by_label(texts["next"], exact=True).fill("send a revised offer")
    panel.get_by_role("button", name=texts["log_it"]).click()
    expect(page.locator("#activities")).to_contain_text(texts["logged"])
    panel = page.locator("#activities")
    panel.get_by_text(texts["add_task"], exact=True).first.click()
    panel.get_by_label(texts["task"], exact=True).fill("Send the revised offer")
    panel.get_by_label(texts["due"]).fill("2030-01-15")
    panel.get_by_role("button", name=texts["add_it"]).click()
    expect(page.locator("#activities")).to_contain_text(texts["added"])


def create_for_the_account(page: Page, base: str, texts: dict[str, str], account: Account) -> Record:
    """The KAM creates the opportunity on the create form, typing part of the name and picking the account."""
    page.goto(base + "/records/new/?process=opportunity-management")
    page.get_by_label(texts["title"]).first.fill(TITLE)  # "Title *": the label carries the required mark
    search = page.get_by_label(texts["account"], exact=True)
    search.fill("nordw")
    page.locator("#account-options").locator("button.account-option", has_text=account.name).click()
    expect(page.locator("#account-picked")).to_contain_text(texts["linked"])
    expect(page.locator("#account-picked")).to_contain_text(account.name)
    page.get_by_label(texts["amount"], exact=True).fill("120000")
    page.get_by_label(texts["close_date"], exact=True).fill(PLANNED)
    shot(page, f"done-create-kam-{texts['lang']}", full_page=False)
    page.get_by_role("button", name=texts["create"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    record = Record.objects.get(title=TITLE)
    assert record.customer_id == account.pk and record.owner.username == "kam"
    return record


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_working_day_from_the_call_to_the_won_deal(browser: Browser, live_server: Any, team: dict[str, Any],
                                                     language: str) -> None:
    texts, base = TEXTS[language], live_server.url
    locale = "de-DE" if language == "de" else "en-GB"
    kam_context = browser.new_context(viewport={"width": 1400, "height": 900}, locale=locale)
    head_context = browser.new_context(viewport={"width": 1400, "height": 900}, locale=locale)
    for context in (kam_context, head_context):
        context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        context.set_default_timeout(15_000)
    try:
        kam = kam_context.new_page()
        sign_in(kam, base, "kam", texts)
        record = create_for_the_account(kam, base, texts, team["account"])
        now = timezone.now()
        for index in range(25):  # a morning's worth of other notifications must not push the request down
            Notification.objects.create(user=team["head"], record=record,
                                        kind=("activity_done", "reminder")[index % 2], created_at=now,
                                        message={"en": f"Other note {index}", "de": f"Andere {index}"})
        log_call_and_task(kam, texts)

        # Set-up, not the subject here: the Head of Sales takes the record to the proposal and the KAM prepares
        # the offer (the stage moves are tested in tests/e2e/test_sales_day.py).
        for stage in ("solution_design", "proposal"):
            services.do_move(record.pk, team["head"], stage, override_reason="set-up of the test")
        services.do_complete_activity(record.pk, team["kam"], "prepare_offer")

        kam.goto(f"{base}/records/{record.pk}/")
        approvals = kam.locator("#approvals")
        approvals.get_by_placeholder(texts["note"]).last.fill("Customer expects it by Friday")
        approvals.get_by_role("button", name=texts["request"]).click()
        expect(kam.locator(".messages")).to_contain_text(texts["requested"])
        shot(kam, f"done-record-kam-{language}")

        # The account page shows the opportunity, the call and the task.
        kam.goto(f"{base}/accounts/{team['account'].pk}/")
        expect(kam.locator("main")).to_contain_text(TITLE)
        section = kam.locator("#activities")
        expect(section).to_contain_text("Price call with Anna Kunde")
        expect(section).to_contain_text("Send the revised offer")
        shot(kam, f"done-account-{language}")

        # The Head of Sales sees the request first on My work, above 25 other notifications, and refuses it.
        head = head_context.new_page()
        sign_in(head, base, "head", texts)
        first = head.locator("#approvals .work-list li").first
        expect(first).to_contain_text(TITLE)
        expect(first).to_contain_text(texts["requested_by"])
        top = head.locator("#approvals").bounding_box()["y"]
        if head.locator("#notifications").count():
            assert top < head.locator("#notifications").bounding_box()["y"]
        assert top < 700, "the waiting approval is on the first screen"
        shot(head, f"done-my-work-head-{language}", full_page=False)
        first.get_by_role("link", name=TITLE).click()
        head.get_by_label(texts["reason_label"]).fill(REASON)
        head.get_by_role("button", name=texts["refuse"]).click()
        expect(head.locator(".messages")).to_contain_text(texts["refused_message"])

        # The KAM is notified and reads the reason.
        kam.goto(base + "/")
        notice = kam.locator("#notifications .notification-approval_refused")
        expect(notice).to_contain_text(texts["notice"])
        expect(notice).to_contain_text(REASON)
        notice.get_by_role("link").first.click()
        refusal = kam.locator("#refusal-offer")
        expect(refusal).to_contain_text(texts["refused_by"])
        expect(refusal).to_contain_text(texts["reason"])
        refusal.scroll_into_view_if_needed()
        shot(kam, f"done-refused-kam-{language}", full_page=False)

        # The deal is won (the Head of Sales passes the remaining gates by override: set-up) — today.
        for stage in ("negotiation", "won"):
            services.do_move(record.pk, team["head"], stage, override_reason="set-up of the test")
        kam.goto(f"{base}/records/{record.pk}/")
        with translation.override(language):
            today = formats.day(timezone.localdate())
            planned = formats.day(datetime.date.fromisoformat(PLANNED))
        facts = kam.locator(".facts")
        close = facts.locator("div", has=kam.get_by_text(texts["close_date"], exact=True))
        expect(close).to_contain_text(today)
        expect(facts).not_to_contain_text(planned)
        expect(kam.locator(".record-head .stage-chip-won")).to_have_text(texts["won"])
        kam.evaluate("window.scrollTo(0, 0)")
        shot(kam, f"done-won-{language}", full_page=False)

        assert Activity.objects.filter(kind__in=("call",)).count() == 1
        assert Event.objects.filter(record=record, kind="approval_refused").count() == 1
        assert Event.objects.get(record=record, kind="record_closed").payload["planned_close_date"] == PLANNED
    finally:
        kam_context.close()
        head_context.close()
