"""GET /api/processes and /api/processes/{key}: the library as its current versions define it."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_lists_the_default_library(people, api_as) -> None:
    body = api_as(people["kam"]).get("/api/processes").json()
    keys = [item["key"] for item in body["items"]]
    assert body["count"] == 12 and set(keys) == {
        "lead-management", "opportunity-management", "rfp-procedure", "contract-management", "order-management",
        "account-management", "presales-support", "nonconformity", "internal-audit", "management-review",
        "material-request", "create-offer"}
    [process] = [item for item in body["items"] if item["key"] == "opportunity-management"]
    assert process["version"] == 2 and process["current"]
    assert process["status"] == "approved" and process["responsible"] == "head_of_sales"
    stages = [stage["id"] for stage in process["stages"]]
    assert stages == ["qualification", "solution_design", "proposal", "negotiation", "won", "lost"]
    qualification = process["stages"][0]
    assert qualification["gate"]["decided_by"] == "head_of_sales" and qualification["gate"]["delegable_to"] == ["kam"]
    assert qualification["gate"]["requires"]["fields"] == ["budget", "decision_date"]
    assert {"id": "kam", "title": {"en": "Key Account Manager", "de": "Key Account Manager"}} in process["roles"]
    [offer] = process["approvals"]
    assert [band["role"] for band in offer["by_amount"]] == ["kam", "head_of_sales", "managing_director"]
    assert offer["by_amount"][0]["up_to"] == 50000
    assert any(field["name"] == "bid_manager" and field["type"] == "user" for field in process["fields"])


def test_one_process_and_an_unknown_one(people, api_as) -> None:
    api = api_as(people["auditor"])
    response = api.get("/api/processes/opportunity-management")
    assert response.status_code == 200 and response.json()["record_type"] == "opportunity"
    assert_problem(api.get("/api/processes/no-such-process"), 404, "not_found")
