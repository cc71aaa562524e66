"""Converting a lead on the web: the confirmation page shows what will be created and the matching
accounts; the user links an existing account or creates a new one; bad input changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from salesflow.accounts.models import Account, Contact
from salesflow.records import services
from salesflow.records.models import Event, Record, RecordLink
from tests.records.chain_processes import load_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(people: dict[str, Any]) -> dict[str, Any]:
    """The chained test processes (t-lead → t-opp → t-order)."""
    load_chain()
    return people


def _qualified_lead(kam: Any) -> Record:
    lead = services.do_create_record("t-lead", kam, {
        "title": "Storage for Alpen Solar", "company": "Alpen Solar GmbH", "email": "eva@alpen-solar.example",
        "first_name": "Eva", "last_name": "Berg", "budget": "80000"})
    return services.do_move(lead.pk, kam, "qualified")


def _account(name: str, domain: str = "") -> Account:
    account = Account(name=name, domain=domain, created_at=services.now())
    account.save()
    return account


def _convert(client: Any, lead: Record, **choice: str) -> Any:
    return client.post(reverse("record_move", args=[lead.pk]), {
        "stage": "converted", "version": lead.version, "next": reverse("record", args=[lead.pk]), **choice})


def test_the_convert_button_asks_for_confirmation_first(chain, client_for) -> None:
    lead = _qualified_lead(chain["kam"])
    page = client_for(chain["kam"]).get(reverse("record", args=[lead.pk]))
    assert page.context["handoff_targets"] == {"converted"}
    html = page.content.decode()
    assert f'action="{reverse("record_move_confirm", args=[lead.pk])}"' in html


def test_the_confirmation_lists_hand_offs_and_duplicate_accounts(chain, client_for) -> None:
    by_name = _account("ALPEN SOLAR")
    by_domain = _account("Alpen Holding", "alpen-solar.example")
    _account("Unrelated Ltd", "unrelated.example")
    lead = _qualified_lead(chain["kam"])
    response = client_for(chain["kam"]).get(reverse("record_move_confirm", args=[lead.pk]) + "?stage=converted")
    assert response.status_code == 200 and response.context["offer"].ready
    [handoff] = response.context["handoffs"]
    assert (handoff["id"], handoff["title"], handoff["process"], handoff["link"]) == (
        "create_opportunity", "Create the opportunity", "Test opportunities", "opportunity")
    choices = {choice["value"]: choice["matched_on"] for choice in handoff["account"]["choices"]}
    assert choices == {str(by_name.pk): ["name"], str(by_domain.pk): ["domain"]}
    assert handoff["account"]["default"] == str(by_name.pk)
    html = response.content.decode()
    assert "Link to the existing account ALPEN SOLAR" in html and "Create a new account Alpen Solar GmbH" in html
    assert "Unrelated" not in html
    assert Record.objects.filter(process__key="t-opp").count() == 0


def test_linking_the_picked_account_creates_the_opportunity_and_contact_there(chain, client_for) -> None:
    _account("ALPEN SOLAR")
    picked = _account("Alpen Holding", "alpen-solar.example")
    lead = _qualified_lead(chain["kam"])
    client = client_for(chain["kam"])
    response = _convert(client, lead, **{"account-create_opportunity": str(picked.pk)})
    assert response.status_code == 302 and response["Location"] == reverse("record", args=[lead.pk]) + "#links"
    opportunity = Record.objects.get(process__key="t-opp")
    assert opportunity.customer == picked and Account.objects.count() == 2
    assert Contact.objects.get().account == picked
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Created: Test opportunities “Storage for Alpen Solar”" in html
    assert [(row["direction"], row["id"]) for row in page.context["links"]] == [("out", opportunity.pk)]
    assert page.context["customer"]["account"] == picked
    assert "Eva Berg" in html and "eva@alpen-solar.example" in html


def test_create_new_account_even_when_a_name_matches(chain, client_for) -> None:
    existing = _account("ALPEN SOLAR")
    lead = _qualified_lead(chain["kam"])
    response = _convert(client_for(chain["kam"]), lead, **{"account-create_opportunity": "new"})
    assert response.status_code == 302
    opportunity = Record.objects.get(process__key="t-opp")
    assert opportunity.customer != existing and opportunity.customer.name == "Alpen Solar GmbH"
    assert Account.objects.count() == 2


def test_an_unknown_account_is_refused_and_nothing_changes(chain, client_for) -> None:
    lead = _qualified_lead(chain["kam"])
    client = client_for(chain["kam"])
    events = Event.objects.count()
    response = _convert(client, lead, **{"account-create_opportunity": "99999"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "unknown account 99999" in html and "Nothing was changed." in html
    lead.refresh_from_db()
    assert lead.stage == "qualified" and Event.objects.count() == events
    assert not Record.objects.filter(process__key="t-opp").exists() and not Account.objects.exists()
    assert not RecordLink.objects.exists()


def test_a_refused_gate_shows_on_the_confirmation_without_a_confirm_button(chain, client_for) -> None:
    lead = services.do_create_record("t-lead", chain["kam"], {"title": "No company yet"})
    response = client_for(chain["kam"]).get(reverse("record_move_confirm", args=[lead.pk]) + "?stage=converted")
    assert response.status_code == 200 and not response.context["offer"].ready
    assert "Confirm: move to" not in response.content.decode()


def test_an_unknown_stage_on_the_confirmation_is_bad_input(chain, client_for) -> None:
    lead = _qualified_lead(chain["kam"])
    response = client_for(chain["kam"]).get(reverse("record_move_confirm", args=[lead.pk]) + "?stage=nowhere")
    assert response.status_code == 400 and "Unknown stage: nowhere" in response.content.decode()


def test_the_created_record_shows_where_it_came_from(chain, client_for) -> None:
    lead = _qualified_lead(chain["kam"])
    _convert(client_for(chain["kam"]), lead)
    opportunity = Record.objects.get(process__key="t-opp")
    page = client_for(chain["kam"]).get(reverse("record", args=[opportunity.pk]))
    texts = [entry["text"] for entry in page.context["timeline"]]
    assert f"Created in Qualification (hand-off from #{lead.pk})" in texts
    lead_page = client_for(chain["kam"]).get(reverse("record", args=[lead.pk]))
    assert any(text.startswith("Handed over: Create the opportunity") for text in
               [entry["text"] for entry in lead_page.context["timeline"]])
