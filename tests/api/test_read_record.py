"""GET /api/records/{id}: one visible record with gate checklist, next stages and its version as ETag."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_reads_a_record(people, api_as, opportunity) -> None:
    response = api_as(people["kam2"]).get(f"/api/records/{opportunity.pk}")  # internal: all sales staff
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert data["id"] == opportunity.pk and data["title"] == "Grid monitoring" and data["account"] == "Nordwind Energie"
    assert data["stage_title"] == "Qualification" and data["forecast_category"] == "pipeline"
    assert data["next_stages"][0] == "solution_design" and "lost" in data["next_stages"]
    gate = {(row["kind"], row["id"]): row["met"] for row in data["gate"]}
    assert gate == {("activity", "risk_analysis"): False, ("activity", "customer_workshop"): False,
                    ("field", "budget"): False, ("field", "decision_date"): False,
                    ("decision", "qualification"): False}
    assert data["outcome"] is None and data["closed_at"] is None


def test_unknown_and_malformed_ids(people, api_as, opportunity) -> None:
    api = api_as(people["kam"])
    assert_problem(api.get(f"/api/records/{opportunity.pk + 1000}"), 404, "not_found")
    assert_problem(api.get("/api/records/abc"), 400, "bad_input")
    assert_problem(api.get("/api/records/0"), 400, "bad_input")
    assert_problem(api.get(f"/api/records/{2**64}"), 400, "bad_input")
