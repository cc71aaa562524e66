"""GET /api/records/{id}/events: the record's event log, oldest first, paged."""

from __future__ import annotations

import pytest

from salesflow.people.security import log_security_event
from salesflow.records import services
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_events_oldest_first_and_paged(people, api_as, opportunity) -> None:
    for activity in ("risk_analysis", "customer_workshop", "qualification_support"):
        services.do_complete_activity(opportunity.pk, people["kam"] if activity != "qualification_support"
                                      else people["support"], activity)
    api = api_as(people["kam2"])
    body = api.get(f"/api/records/{opportunity.pk}/events").json()
    assert body["count"] == 4
    assert [item["kind"] for item in body["items"]] == ["record_created"] + ["activity_done"] * 3
    assert body["items"][1]["activity"] == "risk_analysis" and body["items"][1]["actor"] == "Kai Becker"
    assert body["items"][3]["role"] == "sales_support"
    page = api.get(f"/api/records/{opportunity.pk}/events", {"limit": 2, "offset": 2}).json()
    assert page["count"] == 4 and [item["activity"] for item in page["items"]] == ["customer_workshop",
                                                                                   "qualification_support"]
    assert_problem(api.get(f"/api/records/{opportunity.pk}/events", {"limit": 501}), 400, "bad_input")


def test_client_addresses_of_security_events_are_left_out(people, api_as, opportunity, rf) -> None:
    request = rf.get("/", REMOTE_ADDR="203.0.113.7")
    log_security_event("view_strictly_confidential", people["kam"], request=request, record_id=opportunity.pk)
    items = api_as(people["kam"]).get(f"/api/records/{opportunity.pk}/events").json()["items"]
    security = [item for item in items if item["kind"].startswith("security.")]
    assert security and all("address" not in item["payload"] for item in security)
