"""A forward move past an unmet gate is 422 with the unmet items; an authorised override needs a reason."""

from __future__ import annotations

import pytest

from salesflow.records.models import Event
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_unmet_gate_is_422_with_the_items_and_nothing_changes(people, api_as, opportunity) -> None:
    response = api_as(people["kam"]).post(f"/api/records/{opportunity.pk}/move", {"stage": "solution_design"})
    body = assert_problem(response, 422, "unmet")
    assert {(item["kind"], item["id"]) for item in body["unmet"]} == {
        ("activity", "risk_analysis"), ("activity", "customer_workshop"), ("field", "budget"),
        ("field", "decision_date"), ("decision", "qualification")}
    assert all(item["message"] and item["stage"] == "qualification" for item in body["unmet"])
    opportunity.refresh_from_db()
    assert opportunity.stage == "qualification" and opportunity.version == 1


def test_lost_needs_the_customer_informed(people, api_as, opportunity) -> None:
    api, head = api_as(people["kam"]), api_as(people["head"])
    body = assert_problem(head.post(f"/api/records/{opportunity.pk}/move", {"stage": "lost"}), 422, "unmet")
    assert [(item["kind"], item["id"]) for item in body["unmet"]] == [("activity", "customer_informed")]
    assert api.post(f"/api/records/{opportunity.pk}/activities/customer_informed/done").status_code == 200
    assert head.post(f"/api/records/{opportunity.pk}/move", {"stage": "lost"}).json()["outcome"] == "lost"


def test_override_by_the_head_of_sales_with_a_reason(people, api_as, opportunity) -> None:
    path = f"/api/records/{opportunity.pk}/move"
    assert_problem(api_as(people["kam"]).post(path, {"stage": "solution_design", "override_reason": "Urgent"}),
                   403, "not_permitted")
    assert_problem(api_as(people["head"]).post(path, {"stage": "solution_design", "override_reason": "  "}),
                   422, "unmet")
    response = api_as(people["head"]).post(path, {"stage": "solution_design",
                                                  "override_reason": "Framework contract: qualified by the board"})
    assert response.status_code == 200 and response.json()["stage"] == "solution_design"
    override = Event.objects.get(record_id=opportunity.pk, kind="gate_overridden")
    assert override.payload["reason"] == "Framework contract: qualified by the board"
    assert len(override.payload["unmet"]) == 4  # the Head of Sales decides with the move
