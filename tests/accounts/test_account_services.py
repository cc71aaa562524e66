"""Accounts and contacts as first-class records: create, edit, merge — the events, and audit verify replaying them."""

from __future__ import annotations

from typing import Any

import pytest

from salesflow.accounts import services
from salesflow.accounts.integrity import check_accounts
from salesflow.accounts.models import Account, Contact, PartnerLead
from salesflow.activities import services as activities
from salesflow.engine.errors import BadInput, NotPermitted
from salesflow.interop.models import ExternalRef
from salesflow.records import services as records
from salesflow.records.models import Event, Record
from salesflow.records.replay import check_records


def _kinds() -> list[str]:
    return list(Event.objects.order_by("seq").values_list("kind", flat=True))


def test_create_edit_with_events_and_refusals(people: dict[str, Any]) -> None:
    kam = people["kam"]
    account = services.do_create_account(kam, "  Nordwind Energie GmbH ", "https://www.Nordwind.de/kontakt",
                                         source="web")
    assert (account.name, account.domain) == ("Nordwind Energie GmbH", "nordwind.de")
    created = Event.objects.get(kind="account_created")
    assert created.record_id is None and created.actor_name == "Kai Becker"
    assert created.payload == {"account_id": account.pk, "name": "Nordwind Energie GmbH", "domain": "nordwind.de",
                               "source": "web"}

    with pytest.raises(BadInput, match=rf"name: account {account.pk} \(Nordwind Energie GmbH\) has the same name"):
        services.do_create_account(kam, "NORDWIND ENERGIE AG")
    with pytest.raises(BadInput, match="domain: a web domain such as example.com is expected, got 'nordwind'"):
        services.do_create_account(kam, "Other", "nordwind")
    with pytest.raises(NotPermitted, match="read-only"):
        services.do_create_account(people["auditor"], "Audit GmbH")
    assert Account.objects.count() == 1

    services.do_update_account(kam, account.pk, {"name": "Nordwind Energy"})
    services.do_update_account(kam, account.pk, {"name": "Nordwind Energy"})  # no change: no event
    changed = Event.objects.get(kind="account_changed")
    assert changed.payload["changes"] == {"name": {"old": "Nordwind Energie GmbH", "new": "Nordwind Energy"}}

    contact = services.do_create_contact(kam, account.pk, {"first_name": "Jana", "last_name": "Kurz",
                                                           "email": "jana@nordwind.de", "title": "CTO"})
    services.do_update_contact(kam, contact.pk, {"phone": "+49 40 1234", "account": ""})
    contact.refresh_from_db()
    assert contact.account_id is None and contact.phone == "+49 40 1234"
    assert Event.objects.get(kind="contact_changed").payload["changes"] == {
        "phone": {"old": "", "new": "+49 40 1234"}, "account_id": {"old": account.pk, "new": None}}
    with pytest.raises(BadInput, match="email: an e-mail address is expected, got 'jana'"):
        services.do_update_contact(kam, contact.pk, {"email": "jana"})
    with pytest.raises(BadInput, match="colour: not a contact field"):
        services.do_create_contact(kam, account.pk, {"colour": "red"})
    assert check_accounts().ok


def test_merge_moves_everything_and_audit_verify_replays_it(people: dict[str, Any]) -> None:
    kam, head = people["kam"], people["head"]
    survivor = services.do_create_account(kam, "Alpen Solar AG", "alpensolar.de")
    duplicate = services.do_create_account(kam, "Alpen-Solar", allow_duplicate=True)
    duplicate.domain = ""
    opportunity = records.do_create_record("opportunity-management", kam, {"title": "Storage", "amount": "5000"},
                                           customer_id=duplicate.pk)
    assert opportunity.account == "Alpen-Solar"
    contact = services.do_create_contact(kam, duplicate.pk, {"last_name": "Huber"})
    call = activities.do_log_activity(kam, activities.resolve_target(kam, account=duplicate.pk), "call", "Intro")
    ExternalRef.objects.create(system="hubspot", kind="account", external_id="c-1", local_id=duplicate.pk,
                               imported_at=survivor.created_at)

    with pytest.raises(NotPermitted, match="may not merge accounts"):
        services.do_merge_accounts(kam, survivor.pk, duplicate.pk)
    with pytest.raises(BadInput, match="cannot be merged into itself"):
        services.do_merge_accounts(head, survivor.pk, survivor.pk)
    result = services.do_merge_accounts(head, survivor.pk, duplicate.pk)

    assert not Account.objects.filter(pk=duplicate.pk).exists()
    opportunity.refresh_from_db()
    assert (opportunity.customer_id, opportunity.account) == (survivor.pk, "Alpen Solar AG")
    assert Contact.objects.get(pk=contact.pk).account_id == survivor.pk
    call.refresh_from_db()
    assert call.account_id == survivor.pk
    assert ExternalRef.objects.get(external_id="c-1").local_id == survivor.pk
    assert (result.records, result.contacts, result.activities) == ([opportunity.pk], [contact.pk], [call.pk])
    moved = Event.objects.get(kind="customer_changed")
    assert moved.record_id == opportunity.pk and moved.payload["reason"] == "merge"
    assert moved.payload["old"] == {"id": duplicate.pk, "name": "Alpen-Solar"}
    merged = Event.objects.get(kind="accounts_merged")
    assert merged.actor_name == "Helena Hoffmann" and merged.payload["merged_id"] == duplicate.pk
    assert _kinds()[-2:] == ["customer_changed", "accounts_merged"]
    assert services.merged_into(duplicate.pk) == survivor.pk

    assert check_accounts().ok and check_accounts().checked == 3  # the survivor, the contact, the record
    assert check_records().ok
    # Tampering shows: a record pointed back by hand, a renamed account.
    Record.objects.filter(pk=opportunity.pk).update(customer=None)
    Account.objects.filter(pk=survivor.pk).update(name="Someone else")
    problems = check_accounts().problems
    assert any(f"record {opportunity.pk}: customer account None differs" in line for line in problems), problems
    assert any(f"account {survivor.pk}: name 'Someone else' differs" in line for line in problems), problems


def test_merge_takes_partner_kind_and_domain(people: dict[str, Any]) -> None:
    head = people["head"]
    survivor = services.do_create_account(head, "Kessler")
    partner = services.do_create_account(head, "Kessler Vertrieb", "kessler.de")
    from salesflow.accounts.partners import do_attribute_lead, do_set_partner

    do_set_partner(partner, "Gold", "South", by=head)
    lead = records.do_create_record("opportunity-management", head, {"title": "Lead via Kessler"})
    do_attribute_lead(lead, Account.objects.get(pk=partner.pk), by=head)
    result = services.do_merge_accounts(head, survivor.pk, partner.pk)
    survivor.refresh_from_db()
    assert (survivor.kind, survivor.tier, survivor.domain) == ("partner", "Gold", "kessler.de")
    assert result.partner_leads == [lead.pk] and PartnerLead.objects.get().partner_id == survivor.pk
    assert check_accounts().ok


def test_create_record_links_the_picked_or_exactly_named_account(people: dict[str, Any]) -> None:
    kam = people["kam"]
    acme = services.do_create_account(kam, "ACME GmbH")
    by_name = records.do_create_record("opportunity-management", kam, {"title": "Pumps", "account": "Acme"})
    picked = records.do_create_record("opportunity-management", kam, {"title": "Valves"}, customer_id=acme.pk)
    free = records.do_create_record("opportunity-management", kam, {"title": "X", "account": "Unknown Ltd"})
    assert (by_name.customer_id, picked.customer_id, free.customer_id) == (acme.pk, acme.pk, None)
    assert picked.account == "ACME GmbH"
    created = Event.objects.get(record_id=picked.pk, kind="record_created")
    assert created.payload["customer"] == {"id": acme.pk, "name": "ACME GmbH"}
    with pytest.raises(BadInput, match="customer: unknown account 999"):
        records.do_create_record("opportunity-management", kam, {"title": "Y"}, customer_id=999)
    assert check_accounts().ok and check_records().ok
