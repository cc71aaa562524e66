"""The record actions of the API, each on its happy path: activity, approval, decision, probability,
delegation and move — each answers the changed record and writes its events."""

from __future__ import annotations

import pytest

from salesflow.records.models import Event

pytestmark = pytest.mark.django_db


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def last_event(record_id: int) -> Event:
    return Event.objects.filter(record_id=record_id).order_by("-seq").first()


def test_complete_an_activity_with_a_note(people, api_as, opportunity) -> None:
    data = ok(api_as(people["kam"]).post(f"/api/records/{opportunity.pk}/activities/risk_analysis/done",
                                         {"note": "Legal and technical risks reviewed"}))
    assert data["done_activities"] == ["risk_analysis"] and data["version"] == 2
    event = last_event(opportunity.pk)
    assert event.kind == "activity_done" and event.activity == "risk_analysis"
    assert event.payload["note"] == "Legal and technical risks reviewed"


def test_complete_an_activity_without_a_body(people, api_as, opportunity) -> None:
    response = api_as(people["kam"]).client.generic("POST",
                                                    f"/api/records/{opportunity.pk}/activities/customer_workshop/done")
    assert ok(response)["done_activities"] == ["customer_workshop"]


def test_grant_an_approval(people, api_as, opportunity) -> None:
    data = ok(api_as(people["head"]).post(f"/api/records/{opportunity.pk}/approvals/offer", {"note": "Margin ok"}))
    assert data["approvals"]["offer"]["role"] == "head_of_sales"
    assert data["approvals"]["offer"]["amount"] == "120000.00"
    assert last_event(opportunity.pk).kind == "approval_granted"


def test_answer_the_decision(people, api_as, opportunity) -> None:
    data = ok(api_as(people["head"]).post(f"/api/records/{opportunity.pk}/decision", {"answer": "yes"}))
    assert data["decisions"]["qualification"]["answer"] == "yes"
    assert {"kind": "decision", "id": "qualification", "met": True} in data["gate"]


def test_override_the_probability_and_reset_it(people, api_as, opportunity) -> None:
    api = api_as(people["kam"])
    data = ok(api.post(f"/api/records/{opportunity.pk}/probability",
                       {"probability": 25, "reason": "Budget confirmed early"}))
    assert data["probability"] == 25 and data["probability_override"] == 25
    data = ok(api.post(f"/api/records/{opportunity.pk}/probability", {"probability": None}))
    assert data["probability"] == 10 and data["probability_override"] is None


def test_delegate_and_revoke(people, api_as, opportunity) -> None:
    api = api_as(people["head"])
    data = ok(api.post(f"/api/records/{opportunity.pk}/delegation", {"to": "kam", "stages": ["qualification"]}))
    assert data["delegations"]["qualification"]["user_id"] == people["kam"].pk
    assert last_event(opportunity.pk).kind == "delegated"
    data = ok(api.post(f"/api/records/{opportunity.pk}/delegation", {"to": None}))
    assert data["delegations"] == {}


def test_move_forward_and_back(people, api_as, opportunity) -> None:
    kam, head = api_as(people["kam"]), api_as(people["head"])
    ok(kam.patch(f"/api/records/{opportunity.pk}", {"fields": {"budget": "150000", "decision_date": "2030-06-30"}}))
    for activity in ("risk_analysis", "customer_workshop"):
        ok(kam.post(f"/api/records/{opportunity.pk}/activities/{activity}/done"))
    data = ok(head.post(f"/api/records/{opportunity.pk}/move", {"stage": "solution_design"}))
    assert data["stage"] == "solution_design" and data["probability"] == 30
    data = ok(kam.post(f"/api/records/{opportunity.pk}/move", {"stage": "qualification"}))
    assert data["stage"] == "qualification" and data["decisions"] == {}
    assert last_event(opportunity.pk).payload["direction"] == "backward"
