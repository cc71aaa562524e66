"""Converting a lead hands over to the opportunity process: account, contact, opportunity, links and events."""

from __future__ import annotations

from typing import Any

import pytest

from salesflow.accounts.models import Account, Contact
from salesflow.engine.errors import BadInput
from salesflow.records import services
from salesflow.records.chain import chain_of, links_of
from salesflow.records.eventlog import verify
from salesflow.records.models import Event, Record, RecordLink


def _qualified_lead(kam: Any, **fields: Any) -> Record:
    values = {"title": "Storage for Alpen Solar", "company": "Alpen Solar GmbH", "email": "eva@alpen-solar.example",
              "first_name": "Eva", "last_name": "Berg", "budget": "80000"}
    values.update(fields)
    lead = services.do_create_record("t-lead", kam, values)
    return services.do_move(lead.pk, kam, "qualified")


def test_conversion_creates_account_contact_and_opportunity(chain: dict[str, Any]) -> None:
    kam = chain["kam"]
    lead = _qualified_lead(kam)
    lead = services.do_move(lead.pk, kam, "converted")

    account = Account.objects.get()
    assert account.name == "Alpen Solar GmbH" and account.domain == "alpen-solar.example"
    contact = Contact.objects.get()
    assert (contact.account, contact.first_name, contact.email) == (account, "Eva", "eva@alpen-solar.example")
    opportunity = Record.objects.get(process__key="t-opp")
    assert opportunity.stage == "qualification"
    assert opportunity.customer == account and opportunity.account == "Alpen Solar GmbH"
    assert opportunity.owner == kam and opportunity.title == lead.title
    assert str(opportunity.amount) == "80000.00" and opportunity.values["kind"] == "new_business"
    lead.refresh_from_db()
    assert lead.customer == account
    link = RecordLink.objects.get()
    assert (link.source, link.target, link.kind, link.handoff) == (lead, opportunity, "opportunity",
                                                                   "create_opportunity")
    sent = Event.objects.get(record=lead, kind="handoff_sent")
    assert sent.payload["target"] == opportunity.pk and sent.payload["account"]["created"] is True
    created = Event.objects.get(record=opportunity, kind="record_created")
    assert created.payload["origin"] == {"record": lead.pk, "process": "t-lead", "handoff": "create_opportunity"}
    assert created.actor_id == kam.pk and created.role == sent.role
    assert verify().ok


def test_conversion_links_the_existing_account_found_by_name(chain: dict[str, Any]) -> None:
    existing = Account(name="ALPEN SOLAR", created_at=services.now())
    existing.save()
    lead = _qualified_lead(chain["kam"])
    services.do_move(lead.pk, chain["kam"], "converted")
    assert Account.objects.count() == 1
    assert Record.objects.get(process__key="t-opp").customer == existing


def test_the_user_may_pick_the_account(chain: dict[str, Any]) -> None:
    picked = Account(name="Holding of Alpen", created_at=services.now())
    picked.save()
    lead = _qualified_lead(chain["kam"])
    services.do_move(lead.pk, chain["kam"], "converted",
                     handoff_options={"create_opportunity": {"account_id": picked.pk}})
    assert Record.objects.get(process__key="t-opp").customer == picked
    assert Account.objects.count() == 1


def test_an_unknown_picked_account_changes_nothing(chain: dict[str, Any]) -> None:
    lead = _qualified_lead(chain["kam"])
    events = Event.objects.count()
    with pytest.raises(BadInput, match="unknown account 999"):
        services.do_move(lead.pk, chain["kam"], "converted",
                         handoff_options={"create_opportunity": {"account_id": 999}})
    lead.refresh_from_db()
    assert lead.stage == "qualified" and Event.objects.count() == events
    assert not Record.objects.filter(process__key="t-opp").exists() and not Account.objects.exists()


def test_a_won_opportunity_hands_over_to_the_order_process_once(chain: dict[str, Any]) -> None:
    kam = chain["kam"]
    lead = services.do_move(_qualified_lead(kam).pk, kam, "converted")
    opportunity = Record.objects.get(process__key="t-opp")
    services.do_move(opportunity.pk, kam, "proposal")
    services.do_move(opportunity.pk, kam, "won")
    order = Record.objects.get(process__key="t-order")
    assert order.customer == opportunity.customer and str(order.amount) == "80000.00"
    assert [record.process.key for record in chain_of(lead, kam)] == ["t-lead", "t-opp", "t-order"]
    assert [(link.kind, link.direction) for link in links_of(opportunity, kam)] == [("opportunity", "in"),
                                                                                     ("order", "out")]
    assert RecordLink.objects.filter(handoff="create_order").count() == 1


def test_a_handed_over_record_keeps_the_higher_classification(chain: dict[str, Any]) -> None:
    kam = chain["kam"]
    lead = _qualified_lead(kam, classification="confidential")
    services.do_move(lead.pk, kam, "converted")
    assert Record.objects.get(process__key="t-opp").classification == "confidential"
