"""POST /api/records creates a record through the same service as the web and the CLI."""

from __future__ import annotations

import pytest

from salesflow.records.models import Event, Record
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_creates_in_the_first_stage_owned_by_the_caller(people, api_as) -> None:
    response = api_as(people["kam"]).post("/api/records", {
        "process": "opportunity-management",
        "fields": {"title": "Grid monitoring", "account": "Nordwind Energie", "amount": "120000",
                   "close_date": "2030-06-30", "type": "new_business"},
    })
    assert response.status_code == 201, response.content
    data = response.json()
    record = Record.objects.get(pk=data["id"])
    assert response["Location"] == f"/api/records/{record.pk}"
    assert response["ETag"] == '"1"'
    assert data["stage"] == "qualification" and data["owner"] == "kam" and data["amount"] == "120000.00"
    assert data["close_date"] == "2030-06-30" and data["fields"]["type"] == "new_business"
    assert data["classification"] == "internal" and data["process_version"] == record.process.current_version().version
    assert record.owner == people["kam"]
    created = Event.objects.get(record=record, kind="record_created")
    assert created.actor_id == people["kam"].pk and created.role == "kam"


def test_another_owner_by_user_name(people, api_as) -> None:
    response = api_as(people["head"]).post("/api/records", {
        "process": "opportunity-management", "fields": {"title": "Fleet charging", "owner": "kam2"}})
    assert response.status_code == 201, response.content
    assert response.json()["owner"] == "kam2"


@pytest.mark.parametrize("body, words", [
    ({"process": "opportunity-management", "fields": {}}, "title"),
    ({"process": "opportunity-management", "fields": {"title": "X", "amount": "lots"}}, "amount"),
    ({"process": "opportunity-management", "fields": {"title": "X", "colour": "red"}}, "colour"),
    ({"process": "opportunity-management", "fields": {"title": "X", "owner": "nobody"}}, "nobody"),
    ({"process": "no-such-process", "fields": {"title": "X"}}, "no-such-process"),
    ({"fields": {"title": "X"}}, "process"),
    ({"process": "opportunity-management", "fields": {"title": "X\x00"}}, "NUL"),
])
def test_bad_input_is_400_and_creates_nothing(people, api_as, body, words) -> None:
    response = api_as(people["kam"]).post("/api/records", body)
    problem = assert_problem(response, 400, "bad_input")
    assert words in problem["detail"]
    assert not Record.objects.exists()


def test_roles_without_the_create_right_are_403(people, api_as) -> None:
    response = api_as(people["auditor"]).post("/api/records", {"process": "opportunity-management",
                                                               "fields": {"title": "X"}})
    assert_problem(response, 403, "not_permitted")
    assert not Record.objects.exists()
