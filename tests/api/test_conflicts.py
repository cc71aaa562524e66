"""409: the action no longer applies, or the record changed since the version the client sent."""

from __future__ import annotations

import pytest

from salesflow.records import services
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_moving_to_the_current_stage(people, api_as, opportunity) -> None:
    body = assert_problem(api_as(people["head"]).post(f"/api/records/{opportunity.pk}/move",
                                                      {"stage": "qualification"}), 409, "conflict")
    assert "already in stage qualification" in body["detail"]


def test_doing_an_activity_twice(people, api_as, opportunity) -> None:
    api = api_as(people["kam"])
    assert api.post(f"/api/records/{opportunity.pk}/activities/risk_analysis/done").status_code == 200
    assert_problem(api.post(f"/api/records/{opportunity.pk}/activities/risk_analysis/done"), 409, "conflict")


def test_a_stale_expected_version(people, api_as, opportunity) -> None:
    services.do_complete_activity(opportunity.pk, people["kam"], "risk_analysis")  # version 2 now
    api = api_as(people["kam"])
    body = assert_problem(api.patch(f"/api/records/{opportunity.pk}", {"fields": {"amount": "1"},
                                                                     "expected_version": 1}), 409, "conflict")
    assert "changed by someone else" in body["detail"]
    assert_problem(api.post(f"/api/records/{opportunity.pk}/activities/customer_workshop/done", {},
                            **{"If-Match": '"1"'}), 409, "conflict")
    assert_problem(api.post(f"/api/records/{opportunity.pk}/move", {"stage": "lost", "expected_version": 1}),
                   409, "conflict")
    opportunity.refresh_from_db()
    assert opportunity.version == 2 and opportunity.amount == 120000
    response = api.post(f"/api/records/{opportunity.pk}/activities/customer_workshop/done", {},
                        **{"If-Match": 'W/"2"'})
    assert response.status_code == 200 and response.json()["version"] == 3
