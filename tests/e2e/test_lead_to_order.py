"""The sales chain in a real browser: a lead is created (the duplicate check warns of an existing
account), qualified and converted — the account, the contact and the opportunity appear; the
opportunity is driven to Won and the order is created in order management.

Default library processes: lead-management → opportunity-management → order-management (and
contract-management). The gates are passed the way the sales day test passes them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from salesflow.accounts.models import Account, Contact
from salesflow.people.services import do_add_user
from salesflow.records import services
from salesflow.records.models import Record, RecordLink
from tests.e2e.test_sales_day import (
    ARTIFACTS,
    PASSWORD,
    advance_to_negotiation_done,
    mark_done,
    sign_in,
    sign_out,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team(live_server: Any) -> dict[str, Any]:
    """Head of Sales, KAM, bid manager and sales support of team North; one existing account."""
    from django.core.cache import cache

    cache.clear()
    Account(name="Alpen Solar AG", domain="alpen-solar.example", created_at=services.now()).save()
    return {
        "head": do_add_user("head", ["head_of_sales"], ["North"], password=PASSWORD, first_name="Helena",
                            last_name="Hoffmann"),
        "kam": do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker"),
        "bid": do_add_user("bidmanager", ["bid_manager"], ["North"], password=PASSWORD, first_name="Bernd",
                           last_name="Maier"),
        "support": do_add_user("support", ["sales_support"], ["North"], password=PASSWORD, first_name="Sara",
                               last_name="Yilmaz"),
    }


def snapshot(page: Page, name: str) -> None:
    """A full-page screenshot in test-artifacts/ (no reload: the page may be the answer to a POST)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def create_lead(page: Page, base: str) -> Record:
    """The KAM captures a lead; the duplicate check names the existing account; it is created anyway."""
    page.goto(base + "/records/new/?process=lead-management")
    page.locator("#id_title").fill("Storage for Alpen Solar")
    page.locator("#id_company").fill("Alpen Solar GmbH")
    duplicates = page.locator("#duplicates")
    expect(duplicates).to_contain_text("Possible duplicates")
    expect(duplicates).to_contain_text("Alpen Solar AG")
    page.get_by_label("E-mail").fill("eva.berg@alpen-solar.example")
    page.get_by_label("First name").fill("Eva")
    page.get_by_label("Last name").fill("Berg")
    page.locator("#id_source").select_option("event")
    page.get_by_label("Budget (B)").fill("120000")
    page.get_by_label("Authority (A)").fill("Eva Berg decides with the CFO")
    page.get_by_label("Need (N)").fill("Battery storage for three plants")
    page.get_by_label("Timeline (T)").fill("2030-06-30")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.locator("#duplicates")).to_contain_text("same company name")
    snapshot(page, "lead-duplicates")
    page.get_by_role("button", name="Create anyway").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Storage for Alpen Solar")
    return Record.objects.get(process__key="lead-management")


def test_convert_a_lead_and_win_it_to_an_order(page: Page, live_server: Any, team: dict) -> None:
    base = live_server.url

    # The KAM captures and works the lead up to the qualification.
    sign_in(page, base, "kam")
    lead = create_lead(page, base)
    # Sales Support captures and checks the lead, the Head of Sales assigns it (their activities: RACI).
    expect(page.locator("#activity-capture_lead")).to_contain_text("Done by Sales Support.")
    services.do_complete_activity(lead.pk, team["support"], "capture_lead")
    services.do_complete_activity(lead.pk, team["support"], "duplicate_check")
    services.do_complete_activity(lead.pk, team["head"], "assign_lead")
    page.reload()
    page.get_by_role("button", name=re.compile("Move to Contacted")).click()
    expect(page.locator(".path-current")).to_contain_text("Contacted")
    mark_done(page, "first_contact", note="Called Eva: storage for three plants")
    page.locator("#gate").get_by_role("button", name="Yes").click()
    page.get_by_role("button", name=re.compile("Move to Qualification")).click()
    expect(page.locator(".path-current")).to_contain_text("Qualification")
    mark_done(page, "bant_assessment", note="Budget, authority, need and timeline confirmed")
    sign_out(page)

    # The Head of Sales decides the conversion: the confirmation names what will be created.
    sign_in(page, base, "head")
    page.goto(f"{base}/records/{lead.pk}/")
    page.locator("#gate").get_by_role("button", name="Yes").click()
    page.get_by_role("button", name="Close as Converted").click()
    expect(page.get_by_role("heading", name="What will be created")).to_be_visible()
    handoff = page.locator("#handoff-create_opportunity")
    expect(handoff).to_contain_text("Create the opportunity")
    expect(handoff).to_contain_text("Opportunity")
    existing = handoff.get_by_label(re.compile("Link to the existing account Alpen Solar AG"))
    expect(existing).to_be_checked()
    expect(handoff.get_by_label(re.compile("Create a new account Alpen Solar GmbH"))).not_to_be_checked()
    snapshot(page, "lead-conversion")
    page.get_by_role("button", name="Confirm: move to Converted").click()

    # The lead shows the created opportunity, the account and the contact.
    expect(page.locator(".messages")).to_contain_text("moved to Converted")
    expect(page.locator(".messages")).to_contain_text("Created:")
    links = page.locator("#links")
    expect(links).to_contain_text("opportunity")
    expect(links).to_contain_text("hand-off")
    customer = page.locator("#customer")
    expect(customer).to_contain_text("Alpen Solar AG")
    expect(customer).to_contain_text("Eva Berg")
    expect(customer).to_contain_text("eva.berg@alpen-solar.example")
    account = Account.objects.get(name="Alpen Solar AG")
    assert Account.objects.count() == 1 and Contact.objects.get().account == account
    opportunity = Record.objects.get(process__key="opportunity-management")
    assert opportunity.customer == account and str(opportunity.amount) == "120000.00"

    # The opportunity: its origin is linked, the qualification gate is passed as on any sales day.
    links.locator("table").get_by_role("link", name="Storage for Alpen Solar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Storage for Alpen Solar")
    expect(page.locator(".path-current")).to_contain_text("Qualification")
    expect(page.locator("#links")).to_contain_text("Lead")
    expect(page.locator("#customer")).to_contain_text("Alpen Solar AG")
    sign_out(page)

    sign_in(page, base, "kam")
    page.goto(f"{base}/records/{opportunity.pk}/")
    mark_done(page, "risk_analysis")
    mark_done(page, "customer_workshop", note="Workshop: storage sizing discussed")
    sign_out(page)

    sign_in(page, base, "head")
    page.goto(f"{base}/records/{opportunity.pk}/")
    page.locator("#gate").get_by_role("button", name="Yes").click()
    page.get_by_role("button", name=re.compile("Move to Requirement Analysis")).click()
    expect(page.locator(".path-current")).to_contain_text("Requirement Analysis")
    advance_to_negotiation_done(opportunity, team)
    page.reload()
    page.locator("#approvals").get_by_role("button", name="Approve for 120,000 EUR").click()
    expect(page.locator("#approvals")).to_contain_text("Approved by Helena Hoffmann for 120,000 EUR")
    services.do_complete_activity(opportunity.pk, team["kam"], "send_offer")
    services.do_move(opportunity.pk, team["kam"], "negotiation")
    services.do_complete_activity(opportunity.pk, team["kam"], "customer_feedback")
    services.do_complete_activity(opportunity.pk, team["head"], "contract_negotiation")
    services.do_complete_activity(opportunity.pk, team["head"], "contract_signed")
    services.do_complete_activity(opportunity.pk, team["support"], "final_offer")

    # Won: the confirmation names the order and the contract; the order is created and linked.
    page.reload()
    page.get_by_role("button", name="Close as Won").click()
    expect(page.locator("#handoff-create_order")).to_contain_text("Create the order")
    page.get_by_role("button", name="Confirm: move to Won").click()
    expect(page.locator(".messages")).to_contain_text("moved to Won")
    opportunity.refresh_from_db()
    assert opportunity.outcome == "won"
    order = Record.objects.get(process__key="order-management")
    assert RecordLink.objects.filter(source=opportunity, target=order, handoff="create_order").exists()
    assert order.customer == account and str(order.amount) == "120000.00"
    links = page.locator("#links")
    expect(links.locator(f"tr[data-record='{order.pk}']")).to_contain_text("order")
    chain = page.locator("#chain")
    expect(chain).to_contain_text("Storage for Alpen Solar")
    links.locator(f"tr[data-record='{order.pk}']").get_by_role("link").click()
    expect(page.locator(".path-current")).to_contain_text(re.compile("Created|Order", re.I))
    expect(page.locator("#customer")).to_contain_text("Alpen Solar AG")
    expect(page.locator("#chain")).to_contain_text("Lead")
