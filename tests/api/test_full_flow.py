"""An opportunity from creation to Won entirely through the API, each step by the role the process names."""

from __future__ import annotations

import pytest

from salesflow.records import eventlog
from salesflow.records.models import Event

pytestmark = pytest.mark.django_db


def test_from_qualification_to_won(people, api_as) -> None:
    kam, head, bid, support = (api_as(people[name]) for name in ("kam", "head", "bid", "support"))

    def ok(response, status: int = 200) -> dict:
        assert response.status_code == status, response.content
        return response.json()

    record = ok(kam.post("/api/records", {"process": "opportunity-management", "fields": {
        "title": "Energy management platform", "account": "Rheinland Stadtwerke", "amount": "120000"}}), 201)
    path = f"/api/records/{record['id']}"

    # Qualification: the KAM does the work, the Head of Sales decides.
    ok(kam.patch(path, {"fields": {"budget": "150000", "decision_date": "2030-06-30"}}))
    ok(kam.post(f"{path}/activities/risk_analysis/done", {"note": "No blocking risks"}))
    ok(kam.post(f"{path}/activities/customer_workshop/done"))
    ok(head.post(f"{path}/decision", {"answer": "yes", "note": "Qualified"}))
    assert ok(kam.post(f"{path}/move", {"stage": "solution_design"}))["stage"] == "solution_design"

    # Solution design: the bid manager is named and designs; the Head of Sales decides with the move.
    ok(kam.patch(path, {"fields": {"bid_manager": "bid"}}))
    ok(kam.post(f"{path}/activities/name_bid_manager/done"))
    ok(kam.post(f"{path}/activities/customer_needs/done"))
    ok(bid.post(f"{path}/activities/solution_design/done"))
    assert ok(head.post(f"{path}/move", {"stage": "proposal"}))["decisions"]["solution_design"]["answer"] == "yes"

    # Proposal: 120 000 is in the Head of Sales' band of the competence catalog.
    ok(kam.post(f"{path}/activities/prepare_offer/done"))
    ok(head.post(f"{path}/approvals/offer", {"note": "Within margin"}))
    ok(kam.post(f"{path}/activities/send_offer/done"))
    current = ok(kam.get(path))
    assert ok(kam.post(f"{path}/move", {"stage": "negotiation", "expected_version": current["version"]}))[
        "probability"] == 80

    # Negotiation, then Won with its required outcome activities.
    ok(kam.post(f"{path}/activities/customer_feedback/done"))
    ok(head.post(f"{path}/activities/contract_negotiation/done"))
    ok(head.post(f"{path}/decision", {"answer": "yes"}))
    ok(head.post(f"{path}/activities/contract_signed/done"))
    ok(support.post(f"{path}/activities/final_offer/done"))
    won = ok(head.post(f"{path}/move", {"stage": "won"}))
    assert won["stage"] == "won" and won["outcome"] == "won" and won["probability"] == 100
    assert won["next_stages"] == [] and won["closed_at"] is not None

    events = ok(kam.get(f"{path}/events", {"limit": 500}))
    kinds = [item["kind"] for item in events["items"]]
    assert kinds[0] == "record_created" and kinds[-4:] == ["stage_changed", "record_closed", "handoff_sent",
                                                            "handoff_sent"]
    assert kinds.count("stage_changed") == 4 and "gate_overridden" not in kinds
    assert events["count"] == Event.objects.filter(record_id=record["id"]).count()
    assert eventlog.verify().ok
