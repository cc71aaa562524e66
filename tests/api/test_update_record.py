"""PATCH /api/records/{id} changes fields through the service; expected_version / If-Match guard against overwrites."""

from __future__ import annotations

import pytest

from salesflow.records.models import Event
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_changes_fields_and_raises_the_version(people, api_as, opportunity) -> None:
    response = api_as(people["kam"]).patch(f"/api/records/{opportunity.pk}", {
        "fields": {"budget": "150000", "decision_date": "2030-06-30", "account": None}, "expected_version": 1})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["version"] == 2 and response["ETag"] == '"2"'
    assert data["fields"]["budget"] == "150000.00" and data["account"] == ""
    assert {"kind": "field", "id": "budget", "met": True} in data["gate"]
    changed = Event.objects.filter(record_id=opportunity.pk, kind="field_changed")
    assert {event.payload["field"] for event in changed} == {"budget", "decision_date", "account"}


def test_if_match_header(people, api_as, opportunity) -> None:
    api = api_as(people["kam"])
    response = api.patch(f"/api/records/{opportunity.pk}", {"fields": {"close_date": "2030-01-31"}},
                         **{"If-Match": '"1"'})
    assert response.status_code == 200, response.content
    assert response.json()["close_date"] == "2030-01-31"


def test_an_empty_change_is_400_and_an_unchanged_one_409(people, api_as, opportunity) -> None:
    api = api_as(people["kam"])
    assert_problem(api.patch(f"/api/records/{opportunity.pk}", {"fields": {}}), 400, "bad_input")
    assert_problem(api.patch(f"/api/records/{opportunity.pk}", {"fields": {"title": "Grid monitoring"}}),
                   409, "conflict")


def test_the_head_of_sales_may_edit_others_a_kam_may_not(people, api_as, opportunity) -> None:
    assert api_as(people["head"]).patch(f"/api/records/{opportunity.pk}", {"fields": {"amount": "90000"}}
                                        ).status_code == 200
    assert_problem(api_as(people["kam2"]).patch(f"/api/records/{opportunity.pk}", {"fields": {"amount": "1"}}),
                   403, "not_permitted")
