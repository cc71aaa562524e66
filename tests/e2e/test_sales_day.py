"""A sales day in a real browser: from a new opportunity through a refused gate, a decision and an
approval to Won; and a Lost close that is only possible after the Head of Sales' decision and after the
customer was informed.

Screenshots of the board and the record page (desktop and 390 px wide) are saved in test-artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from salesflow.people.services import do_add_user
from salesflow.records import services
from salesflow.records.models import Record

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def team(live_server: Any) -> dict[str, Any]:
    from django.core.cache import cache

    cache.clear()
    return {
        "head": do_add_user("head", ["head_of_sales"], ["North"], password=PASSWORD, first_name="Helena",
                            last_name="Hoffmann"),
        "kam": do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker"),
        "bid": do_add_user("bidmanager", ["bid_manager"], ["North"], password=PASSWORD, first_name="Bernd",
                           last_name="Maier"),
        "support": do_add_user("support", ["sales_support"], ["North"], password=PASSWORD, first_name="Sara",
                               last_name="Yilmaz"),
    }


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def mark_done(page: Page, activity: str, note: str = "") -> None:
    row = page.locator(f"#activity-{activity}")
    if note:
        row.get_by_role("textbox", name="Note", exact=True).fill(note)
    row.get_by_role("button", name="Mark done").click()
    expect(page.locator(f"#activity-{activity}")).to_contain_text("Done by")


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    width = page.viewport_size["width"] if page.viewport_size else 1280
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": width, "height": 800})
    page.reload()


def advance_to_negotiation_done(record: Record, team: dict[str, Any]) -> None:
    """The solution design and the proposal, done through the services (as other people would)."""
    kam, head = team["kam"], team["head"]
    services.do_set_fields(record.pk, kam, {"bid_manager": "bidmanager"})
    for activity in ("name_bid_manager", "customer_needs"):
        services.do_complete_activity(record.pk, kam, activity)
    services.do_complete_activity(record.pk, team["bid"], "solution_design")  # the Bid Manager's (RACI)
    services.do_move(record.pk, head, "proposal")
    services.do_complete_activity(record.pk, kam, "prepare_offer")


def test_a_sales_day_from_new_opportunity_to_won_and_lost(page: Page, live_server: Any, team: dict) -> None:
    base = live_server.url

    # The KAM creates an opportunity.
    sign_in(page, base, "kam")
    page.get_by_role("link", name="New opportunity").first.click()
    page.get_by_label("Title").fill("Smart metering roll-out")
    page.get_by_label("Account").fill("Nordwind Energie")
    page.get_by_label("Amount").fill("120000")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Smart metering roll-out")
    record = Record.objects.get(title="Smart metering roll-out")
    assert record.owner_id == team["kam"].pk and record.stage == "qualification"

    # Completes the activities; a customer contact shows the classification and the handling rule.
    mark_done(page, "risk_analysis")
    workshop = page.locator("#activity-customer_workshop")
    expect(workshop).to_contain_text("Customer communication")
    expect(workshop).to_contain_text("always follow the information classification")
    mark_done(page, "customer_workshop", note="Workshop: budget and time horizon discussed")

    # The gate refuses the move and lists what is missing; nothing moves.
    page.get_by_role("button", name=re.compile("Move to Requirement Analysis")).click()
    feedback = page.locator("#record-feedback .feedback")
    expect(feedback).to_contain_text("cannot move to Requirement Analysis / Solution Design")
    expect(feedback).to_contain_text("Field empty: Budget")
    expect(feedback).to_contain_text("Field empty: Decision date")
    expect(feedback).to_contain_text("Decision missing: Is the opportunity qualified?")
    expect(feedback).not_to_contain_text("Override")
    record.refresh_from_db()
    assert record.stage == "qualification"

    # The KAM fills in budget and decision date.
    page.locator("#fields summary").click()
    page.locator("#id_budget").fill("150000")
    page.locator("#id_decision_date").fill("2030-06-30")
    page.get_by_role("button", name="Save fields").click()
    expect(page.locator(".messages")).to_contain_text("Fields saved.")
    screenshot(page, "record-page")
    sign_out(page)

    # The Head of Sales decides: qualified.
    sign_in(page, base, "head")
    expect(page.locator("#decisions")).to_contain_text("Smart metering roll-out")
    page.locator("#decisions").get_by_role("link", name="Smart metering roll-out").click()
    page.locator("#gate").get_by_role("button", name="Yes").click()
    expect(page.locator("#gate")).to_contain_text("Answered yes by Helena Hoffmann")
    page.get_by_role("button", name=re.compile("Move to Requirement Analysis")).click()
    expect(page.locator(".path-current")).to_contain_text("Requirement Analysis")

    # Solution design and the offer are prepared (by the team, through the services) ...
    advance_to_negotiation_done(record, team)
    # ... and the Head of Sales approves the offer under the competence catalog.
    page.reload()
    approvals = page.locator("#approvals")
    expect(approvals.locator(".band-applies")).to_contain_text("Head of Sales")
    approvals.get_by_role("button", name="Approve for 120,000 EUR").click()
    expect(page.locator("#approvals")).to_contain_text("Approved by Helena Hoffmann for 120,000 EUR")
    sign_out(page)

    # The KAM sends the offer and records the negotiation; the contract is signed.
    services.do_complete_activity(record.pk, team["kam"], "send_offer")
    services.do_move(record.pk, team["kam"], "negotiation")
    services.do_complete_activity(record.pk, team["kam"], "customer_feedback")
    services.do_complete_activity(record.pk, team["head"], "contract_negotiation")
    services.do_complete_activity(record.pk, team["head"], "contract_signed")
    services.do_complete_activity(record.pk, team["support"], "final_offer")

    # The Head of Sales closes it as Won (deciding the negotiation gate with the move).
    sign_in(page, base, "head")
    page.goto(f"{base}/records/{record.pk}/")
    page.get_by_role("button", name="Close as Won").click()
    # Won hands over to order and contract management: the page names what will be created first.
    expect(page.get_by_role("heading", name="What will be created")).to_be_visible()
    page.get_by_role("button", name="Confirm: move to Won").click()
    expect(page.locator(".messages")).to_contain_text("moved to Won")
    record.refresh_from_db()
    assert record.outcome == "won"
    sign_out(page)

    # Another opportunity is lost: only after the customer was informed.
    other = services.do_create_record("opportunity-management", team["kam"], {
        "title": "Battery storage pilot", "account": "Helios Utilities", "amount": "40000"})
    sign_in(page, base, "kam")
    page.get_by_role("link", name="Pipeline").click()
    expect(page.locator(".column[data-stage=qualification]")).to_contain_text("Battery storage pilot")
    expect(page.locator(".column[data-stage=won]")).to_contain_text("Smart metering roll-out")
    screenshot(page, "board")
    page.get_by_role("link", name="Battery storage pilot").click()
    # Ending early from Qualification is the Head of Sales' decision (issue 12): the KAM is refused ...
    page.get_by_role("button", name="Close as Lost").click()
    feedback = page.locator("#record-feedback .feedback")
    expect(feedback).to_contain_text("Closing the record as Lost from Qualification is the decision of Head of Sales")
    other.refresh_from_db()
    assert other.outcome == ""
    # ... until the Head of Sales answers the qualification decision no.
    services.do_decide(other.pk, team["head"], "no", "Budget frozen until next year")
    page.reload()
    page.get_by_role("button", name="Close as Lost").click()
    feedback = page.locator("#record-feedback .feedback")
    expect(feedback).to_contain_text("Activity not done: Inform the customer")
    other.refresh_from_db()
    assert other.outcome == ""
    page.locator("#closing-lost summary").click()
    mark_done(page, "customer_informed", note="Called the customer: budget frozen")
    page.get_by_role("button", name="Close as Lost").click()
    expect(page.locator(".messages")).to_contain_text("moved to Lost")
    other.refresh_from_db()
    assert other.outcome == "lost"
