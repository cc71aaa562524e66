"""``/api/records/{id}/approvals/{approval}/request|refuse`` and ``/decision/request``; the notifications they
send are listed by ``/api/notifications`` in the caller's language."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_request_refuse_and_the_kam_reads_the_reason(people, api_as, opportunity) -> None:
    kam, head = api_as(people["kam"]), api_as(people["head"])
    base = f"/api/records/{opportunity.pk}"
    response = kam.post(f"{base}/approvals/offer/request", {"note": "by Friday"})
    assert response.status_code == 200, response.content
    [asked] = head.get("/api/notifications").json()
    assert asked["kind"] == "approval_requested" and "asks for your approval" in asked["message"]
    assert_problem(kam.post(f"{base}/approvals/offer/refuse", {"reason": "no"}), 403, "not_permitted")
    assert_problem(head.post(f"{base}/approvals/offer/refuse", {"reason": "  "}), 400, "bad_input")
    response = head.post(f"{base}/approvals/offer/refuse", {"reason": "Margin too thin"})
    assert response.status_code == 200, response.content
    assert response.json()["approvals"] == {}
    refused = [item for item in kam.get("/api/notifications").json() if item["kind"] == "approval_refused"]
    assert len(refused) == 1 and refused[0]["message"].endswith("reason: Margin too thin")
    assert refused[0]["due"] is None
    events = kam.get(f"{base}/events").json()
    kinds = [event["kind"] for event in (events["items"] if isinstance(events, dict) else events)]
    assert "approval_requested" in kinds and "approval_refused" in kinds


def test_request_decision(people, api_as, opportunity) -> None:
    kam, head = api_as(people["kam"]), api_as(people["head"])
    response = kam.post(f"/api/records/{opportunity.pk}/decision/request", {})
    assert response.status_code == 200, response.content
    assert [item["kind"] for item in head.get("/api/notifications").json()] == ["decision_requested"]
    assert_problem(api_as(people["kam2"]).post(f"/api/records/{opportunity.pk}/decision/request", {}), 403, "not_permitted")
