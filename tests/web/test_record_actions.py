"""The record page's forms act through the services: each change is stored with its event."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesflow.records.models import Event, Record

pytestmark = pytest.mark.django_db


def _events(record, kind: str) -> list[Event]:
    return list(Event.objects.filter(record_id=record.pk, kind=kind))


def test_completing_an_activity_with_a_note(people, opportunity, client_for) -> None:
    response = client_for(people["kam"]).post(reverse("record_activity", args=[opportunity.pk]),
                                              {"activity": "customer_workshop", "note": "Workshop on 3 May"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/records/{opportunity.pk}/#guidance")
    [event] = _events(opportunity, "activity_done")
    assert event.activity == "customer_workshop" and event.payload["note"] == "Workshop on 3 May"


def test_an_activity_that_needs_an_approval_is_refused_with_the_unmet_item(people, opportunity, client_for) -> None:
    client = client_for(people["head"])
    client.post(reverse("record_move", args=[opportunity.pk]), {"stage": "solution_design", "override_reason": "a"})
    client.post(reverse("record_move", args=[opportunity.pk]), {"stage": "proposal", "override_reason": "b"})
    response = client_for(people["kam"]).post(reverse("record_activity", args=[opportunity.pk]),
                                              {"activity": "send_offer"})
    assert response.status_code == 422
    assert "Approval missing: Offer approval (competence catalog)" in response.content.decode()
    assert "send_offer" not in Record.objects.get(pk=opportunity.pk).progress["done"]


def test_deciding_the_gate(people, opportunity, client_for) -> None:
    response = client_for(people["head"]).post(reverse("record_decide", args=[opportunity.pk]),
                                               {"answer": "yes", "note": "Budget confirmed"})
    assert response.status_code == 302
    assert Record.objects.get(pk=opportunity.pk).progress["decisions"]["qualification"]["answer"] == "yes"


def test_a_kam_may_not_decide(people, opportunity, client_for) -> None:
    response = client_for(people["kam"]).post(reverse("record_decide", args=[opportunity.pk]), {"answer": "yes"})
    assert response.status_code == 403
    assert "You are not permitted to do this." in response.content.decode()
    assert not Record.objects.get(pk=opportunity.pk).progress["decisions"]


def test_approving_under_the_competence_catalog(people, opportunity, client_for) -> None:
    assert client_for(people["kam"]).post(reverse("record_approve", args=[opportunity.pk]),
                                          {"approval": "offer"}).status_code == 403
    response = client_for(people["head"]).post(reverse("record_approve", args=[opportunity.pk]), {"approval": "offer"})
    assert response.status_code == 302
    [event] = _events(opportunity, "approval_granted")
    assert event.payload["band"]["role"] == "head_of_sales"


def test_editing_fields_sends_only_what_changed(people, opportunity, client_for) -> None:
    client = client_for(people["kam"])
    page = client.get(reverse("record", args=[opportunity.pk]))
    form = page.context["edit_form"]
    data = {name: value for name, value in form.initial.items()}
    data.update({"budget": "150000", "decision_date": "2030-06-30"})
    response = client.post(reverse("record_fields", args=[opportunity.pk]), data)
    assert response.status_code == 302
    changed = sorted(event.payload["field"] for event in _events(opportunity, "field_changed"))
    assert changed == ["budget", "decision_date"]


def test_a_bad_field_value_is_shown_and_nothing_changes(people, opportunity, client_for) -> None:
    client = client_for(people["kam"])
    data = dict(client.get(reverse("record", args=[opportunity.pk])).context["edit_form"].initial)
    data["amount"] = "a lot"
    response = client.post(reverse("record_fields", args=[opportunity.pk]), data)
    assert response.status_code == 400
    assert "a number is expected" in response.content.decode()
    assert Record.objects.get(pk=opportunity.pk).amount == 120000


def test_probability_override_needs_a_reason(people, opportunity, client_for) -> None:
    client = client_for(people["kam"])
    response = client.post(reverse("record_probability", args=[opportunity.pk]), {"probability": "25", "reason": ""})
    assert response.status_code == 400
    response = client.post(reverse("record_probability", args=[opportunity.pk]),
                           {"probability": "25", "reason": "Strong sponsor"})
    assert response.status_code == 302
    assert Record.objects.get(pk=opportunity.pk).probability_override == 25
    client.post(reverse("record_probability", args=[opportunity.pk]), {"reset": "1"})
    assert Record.objects.get(pk=opportunity.pk).probability_override is None


def test_delegating_the_decisions_to_the_kam(people, opportunity, client_for) -> None:
    response = client_for(people["head"]).post(reverse("record_delegate", args=[opportunity.pk]), {"to_user": "kam"})
    assert response.status_code == 302
    assert client_for(people["kam"]).post(reverse("record_decide", args=[opportunity.pk]),
                                          {"answer": "yes"}).status_code == 302
    response = client_for(people["head"]).post(reverse("record_delegate", args=[opportunity.pk]), {"to_user": ""})
    assert response.status_code == 400


def test_an_auditor_reads_but_cannot_act(people, opportunity, client_for) -> None:
    client = client_for(people["auditor"])
    page = client.get(reverse("record", args=[opportunity.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mark done" not in html and "Edit fields" not in html
    assert reverse("record_move", args=[opportunity.pk]) not in html
    response = client.post(reverse("record_activity", args=[opportunity.pk]), {"activity": "risk_analysis"})
    assert response.status_code == 403
    assert not Record.objects.get(pk=opportunity.pk).progress["done"]
