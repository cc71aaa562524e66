"""Issue 17, in a real browser, in English and German: a KAM requests the offer approval on the record page;
the Head of Sales sees the request first on My work and refuses it with a reason; the KAM is notified on My
work and reads the reason on the record page.

Screenshots (test-artifacts/): approval-request-{lang}.png (KAM's record page), approval-my-work-head-{lang}.png,
approval-refused-my-work-kam-{lang}.png, approval-refused-record-{lang}.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from salesflow.people.services import do_add_user
from salesflow.records import services
from salesflow.records.models import Event, Notification

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

TEXTS = {
    "en": {"user": "Username", "password": "Password", "sign_in": "Sign in", "my_work": "My work",
           "request": "Request approval", "requested": "Approval requested: the approver is notified.",
           "requested_by": "Requested by Kai Becker", "reason_label": "Reason for the refusal", "refuse": "Refuse",
           "refused_message": "Approval refused: the requester and the owner are notified.",
           "refused_by": "Refused by Helena Hoffmann", "reason": "Reason: Margin below 18 % — revise the price",
           "notice": "Helena Hoffmann refused Offer approval (competence catalog) for 120,000 EUR — reason: "
                     "Margin below 18 % — revise the price"},
    "de": {"user": "Benutzername", "password": "Passwort", "sign_in": "Anmelden", "my_work": "Meine Arbeit",
           "request": "Freigabe anfragen", "requested": "Freigabe angefragt: wer freigibt, ist benachrichtigt.",
           "requested_by": "Angefragt von Kai Becker", "reason_label": "Begründung der Ablehnung",
           "refuse": "Ablehnen",
           "refused_message": "Freigabe abgelehnt: wer angefragt hat und der Verantwortliche sind benachrichtigt.",
           "refused_by": "Abgelehnt von Helena Hoffmann", "reason": "Begründung: Margin below 18 % — revise the price",
           "notice": "Helena Hoffmann hat Angebotsfreigabe (Kompetenzkatalog) über 120.000 EUR abgelehnt — "
                     "Begründung: Margin below 18 % — revise the price"},
}


@pytest.fixture
def team(live_server: Any) -> dict[str, Any]:
    from django.core.cache import cache

    cache.clear()
    return {
        "head": do_add_user("head", ["head_of_sales"], ["North"], password=PASSWORD, first_name="Helena",
                            last_name="Hoffmann"),
        "kam": do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker"),
    }


def sign_in(page: Page, base: str, username: str, texts: dict[str, str]) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label(texts["user"]).fill(username)
    page.get_by_label(texts["password"]).fill(PASSWORD)
    page.get_by_role("button", name=texts["sign_in"]).click()
    expect(page.get_by_role("heading", name=texts["my_work"])).to_be_visible()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def in_proposal(team: dict[str, Any], title: str) -> Any:
    record = services.do_create_record("opportunity-management", team["kam"], {
        "title": title, "account": "Nordwind Energie", "amount": "120000"})
    for stage in ("solution_design", "proposal"):
        services.do_move(record.pk, team["head"], stage, override_reason="set-up of the test")
    services.do_complete_activity(record.pk, team["kam"], "prepare_offer")
    return record


@pytest.mark.parametrize("language", ["en", "de"])
def test_head_of_sales_refuses_a_requested_approval_and_the_kam_reads_why(
        browser: Browser, live_server: Any, team: dict[str, Any], language: str) -> None:
    texts, base = TEXTS[language], live_server.url
    locale = "de-DE" if language == "de" else "en-GB"
    older = in_proposal(team, "Older offer, not asked for")
    record = in_proposal(team, "Grid monitoring – Nordwind")
    now = timezone.now()
    for index in range(25):  # a morning's worth of other notifications must not push the request down
        kind = ("activity_done", "reminder", "handoff_sent")[index % 3]
        Notification.objects.create(user=team["head"], record=older, kind=kind, created_at=now,
                                    message={"en": f"Older offer: note {index}", "de": f"Älteres Angebot: {index}"})

    kam_context = browser.new_context(viewport={"width": 1400, "height": 900}, locale=locale)
    head_context = browser.new_context(viewport={"width": 1400, "height": 900}, locale=locale)
    try:
        # The KAM asks for the offer approval on the record page.
        kam = kam_context.new_page()
        sign_in(kam, base, "kam", texts)
        kam.goto(f"{base}/records/{record.pk}/")
        approvals = kam.locator("#approvals")
        approvals.get_by_placeholder("Note (optional)" if language == "en" else "Notiz (optional)").last.fill(
            "Customer expects it by Friday")
        approvals.get_by_role("button", name=texts["request"]).click()
        expect(kam.locator(".messages")).to_contain_text(texts["requested"])
        expect(kam.locator("#request-offer")).to_contain_text("Kai Becker")
        shot(kam, f"approval-request-{language}")

        # The Head of Sales sees the request first on My work, above the notifications.
        head = head_context.new_page()
        sign_in(head, base, "head", texts)
        first = head.locator("#approvals .work-list li").first
        expect(first).to_contain_text("Grid monitoring – Nordwind")
        expect(first).to_contain_text(texts["requested_by"])
        approvals_top = head.locator("#approvals").bounding_box()["y"]
        notifications = head.locator("#notifications")
        if notifications.count():
            assert approvals_top < notifications.bounding_box()["y"]
        assert approvals_top < 700, "the waiting approval is on the first screen"
        shot(head, f"approval-my-work-head-{language}")

        # … opens it and refuses it with a reason.
        first.get_by_role("link", name="Grid monitoring – Nordwind").click()
        head.get_by_label(texts["reason_label"]).fill("Margin below 18 % — revise the price")
        head.get_by_role("button", name=texts["refuse"]).click()
        expect(head.locator(".messages")).to_contain_text(texts["refused_message"])
        head.goto(base + "/")
        expect(head.locator("#approvals")).not_to_contain_text("Grid monitoring – Nordwind")

        # The KAM is notified and reads the reason.
        kam.goto(base + "/")
        notice = kam.locator("#notifications .notification-approval_refused")
        expect(notice).to_contain_text(texts["notice"])
        shot(kam, f"approval-refused-my-work-kam-{language}")
        notice.get_by_role("link").click()
        refusal = kam.locator("#refusal-offer")
        expect(refusal).to_contain_text(texts["refused_by"])
        expect(refusal).to_contain_text(texts["reason"])
        kam.locator("#approvals").scroll_into_view_if_needed()
        kam.screenshot(path=str(ARTIFACTS / f"approval-refused-record-{language}.png"), full_page=False)
        assert Event.objects.filter(record=record, kind="approval_refused").count() == 1
    finally:
        kam_context.close()
        head_context.close()
