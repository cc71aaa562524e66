"""The record page's Links panel: hand-off and hand-made links, the whole chain, starting linked records,
and that links to records a user may not see stay hidden."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from salesflow.records import services
from salesflow.records.chain import do_link_records
from salesflow.records.models import Event, Record, RecordLink
from tests.records.chain_processes import load_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(people: dict[str, Any]) -> dict[str, Any]:
    """The chained test processes (t-lead → t-opp → t-order, t-contract linked from t-opp)."""
    load_chain()
    return people


def _converted_and_won(kam: Any) -> tuple[Record, Record, Record]:
    lead = services.do_create_record("t-lead", kam, {"title": "Storage for Alpen Solar", "company": "Alpen Solar GmbH",
                                                      "email": "eva@alpen-solar.example", "first_name": "Eva"})
    services.do_move(lead.pk, kam, "qualified")
    services.do_move(lead.pk, kam, "converted")
    opportunity = Record.objects.get(process__key="t-opp")
    services.do_move(opportunity.pk, kam, "proposal")
    services.do_move(opportunity.pk, kam, "won")
    return lead, opportunity, Record.objects.get(process__key="t-order")


def test_links_panel_shows_both_directions_and_the_whole_chain(chain, client_for) -> None:
    lead, opportunity, order = _converted_and_won(chain["kam"])
    response = client_for(chain["kam"]).get(reverse("record", args=[opportunity.pk]))
    assert response.status_code == 200
    rows = {(row["direction"], row["id"]): row for row in response.context["links"]}
    assert set(rows) == {("in", lead.pk), ("out", order.pk)}
    assert rows[("in", lead.pk)]["kind"] == "opportunity" and rows[("in", lead.pk)]["process"] == "Test leads"
    assert rows[("out", order.pk)]["handoff"] == "create_order" and rows[("out", order.pk)]["stage"] == "Created"
    assert not any(row["removable"] for row in rows.values())
    html = response.content.decode()
    assert f'href="/records/{order.pk}/"' in html and "hand-off" in html
    assert [row["id"] for row in response.context["chain"]] == [lead.pk, opportunity.pk, order.pk]
    assert [row["current"] for row in response.context["chain"]] == [False, True, False]


def test_a_standalone_record_shows_no_chain(chain, client_for) -> None:
    record = services.do_create_record("t-opp", chain["kam"], {"title": "Alone"})
    response = client_for(chain["kam"]).get(reverse("record", args=[record.pk]))
    assert response.context["links"] == [] and response.context["chain"] == []
    assert "No linked records." in response.content.decode()


def test_the_owner_links_and_unlinks_records_by_hand(chain, client_for) -> None:
    kam = chain["kam"]
    first = services.do_create_record("t-opp", kam, {"title": "First"})
    second = services.do_create_record("t-opp", kam, {"title": "Second"})
    client = client_for(kam)
    response = client.post(reverse("record_link", args=[first.pk]), {"target": f"#{second.pk}", "kind": "follow_up"})
    assert response.status_code == 302 and response["Location"].endswith("#links")
    link = RecordLink.objects.get()
    assert (link.source_id, link.target_id, link.kind, link.handoff) == (first.pk, second.pk, "follow_up", "")
    page = client.get(reverse("record", args=[second.pk]))
    assert [(row["direction"], row["id"], row["removable"]) for row in page.context["links"]] == [
        ("in", first.pk, True)]
    response = client.post(reverse("record_unlink", args=[second.pk]), {"source": first.pk, "target": second.pk})
    assert response.status_code == 302 and not RecordLink.objects.exists()
    assert Event.objects.filter(kind="link_removed").count() == 2


def test_linking_to_an_unknown_record_is_refused_and_changes_nothing(chain, client_for) -> None:
    record = services.do_create_record("t-opp", chain["kam"], {"title": "First"})
    client = client_for(chain["kam"])
    events = Event.objects.count()
    response = client.post(reverse("record_link", args=[record.pk]), {"target": "99999", "kind": "related"})
    assert response.status_code == 400
    assert "Record #99999 does not exist or is not visible to you." in response.content.decode()
    response = client.post(reverse("record_link", args=[record.pk]), {"target": "abc"})
    assert response.status_code == 400 and "Enter the number of the record" in response.content.decode()
    response = client.post(reverse("record_link", args=[record.pk]), {"target": str(record.pk)})
    assert response.status_code == 400 and "cannot be linked to itself" in response.content.decode()
    assert not RecordLink.objects.exists() and Event.objects.count() == events


def test_a_hand_off_link_cannot_be_removed(chain, client_for) -> None:
    lead, opportunity, _order = _converted_and_won(chain["kam"])
    response = client_for(chain["kam"]).post(reverse("record_unlink", args=[lead.pk]),
                                             {"source": lead.pk, "target": opportunity.pk})
    assert response.status_code == 409 and RecordLink.objects.filter(source=lead).exists()


def test_links_to_records_the_user_may_not_see_are_not_shown(chain, client_for) -> None:
    kam, other = chain["kam"], chain["kam2"]
    public = services.do_create_record("t-opp", kam, {"title": "Public deal"})
    secret = services.do_create_record("t-opp", kam, {"title": "Secret merger",
                                                      "classification": "strictly_confidential"})
    do_link_records(public.pk, secret.pk, kam)
    owner_page = client_for(kam).get(reverse("record", args=[public.pk]))
    assert "Secret merger" in owner_page.content.decode()
    page = client_for(other).get(reverse("record", args=[public.pk]))
    assert page.status_code == 200
    assert page.context["links"] == [] and page.context["chain"] == []
    assert "Secret merger" not in page.content.decode()


def test_a_read_only_auditor_sees_links_but_no_forms(chain, client_for) -> None:
    _lead, opportunity, _order = _converted_and_won(chain["kam"])
    response = client_for(chain["auditor"]).get(reverse("record", args=[opportunity.pk]))
    assert response.status_code == 200 and len(response.context["links"]) == 2
    html = response.content.decode()
    assert reverse("record_link", args=[opportunity.pk]) not in html
    assert reverse("record_unlink", args=[opportunity.pk]) not in html
    assert reverse("record_document_upload", args=[opportunity.pk]) not in html
    assert response.context["startable"] == []
    refused = client_for(chain["auditor"]).post(reverse("record_link", args=[opportunity.pk]), {"target": "1"})
    assert refused.status_code == 403


def test_start_a_linked_record_from_the_record_page(chain, client_for) -> None:
    kam = chain["kam"]
    opportunity = services.do_create_record("t-opp", kam, {"title": "Grid storage", "account": "Nordwind"})
    client = client_for(kam)
    page = client.get(reverse("record", args=[opportunity.pk]))
    start = next(item for item in page.context["startable"] if item["key"] == "t-contract")
    assert start["url"] == f"{reverse('record_create')}?process=t-contract&link_from={opportunity.pk}"
    assert "Start Test contracts" in page.content.decode()

    form = client.get(start["url"])
    assert form.status_code == 200
    assert form.context["form"].initial["title"] == "Grid storage" and form.context["source"] == opportunity
    html = form.content.decode()
    assert f'name="link_from" value="{opportunity.pk}"' in html and "Linked from Test opportunities" in html

    response = client.post(reverse("record_create"), {
        "process": "t-contract", "link_from": opportunity.pk, "title": "Grid storage – contract",
        "currency": "EUR", "classification": "internal", "owner": "kam"})
    assert response.status_code == 302
    contract = Record.objects.get(process__key="t-contract")
    link = RecordLink.objects.get()
    assert (link.source_id, link.target_id, link.kind) == (opportunity.pk, contract.pk, "contract")


def test_no_start_button_where_linked_from_does_not_allow_it(chain, client_for) -> None:
    order = services.do_create_record("t-order", chain["kam"], {"title": "Order"})
    page = client_for(chain["kam"]).get(reverse("record", args=[order.pk]))
    assert page.context["startable"] == []
    response = client_for(chain["kam"]).post(reverse("record_create"), {
        "process": "t-contract", "link_from": order.pk, "title": "Contract", "currency": "EUR",
        "classification": "internal", "owner": "kam"})
    assert response.status_code == 400 and "started from t-opp, not from t-order" in response.content.decode()
    assert not Record.objects.filter(process__key="t-contract").exists()


def test_starting_from_a_record_one_may_not_see_is_not_found(chain, client_for) -> None:
    secret = services.do_create_record("t-opp", chain["kam"], {"title": "Secret",
                                                               "classification": "strictly_confidential"})
    response = client_for(chain["kam2"]).get(f"{reverse('record_create')}?process=t-contract&link_from={secret.pk}")
    assert response.status_code == 404
