"""Creating a record writes a record_created event naming who created it, by id, name and role."""

from __future__ import annotations

import pytest

from salesflow.records import services
from salesflow.records.models import Event

pytestmark = pytest.mark.django_db


def test_record_created_event(people) -> None:
    kam = people["kam"]
    before = Event.objects.count()
    record = services.do_create_record("opportunity-management", kam,
                                       {"title": "Grid monitoring", "amount": "120000",
                                        "close_date": "2030-03-31"})
    events = list(Event.objects.filter(seq__gt=before))
    assert [event.kind for event in events] == ["record_created"]
    event = events[0]
    assert event.record_id == record.pk
    assert (event.actor_id, event.actor_name, event.role) == (kam.pk, "Kai Becker", "kam")
    assert (event.process, event.process_version, event.to_stage) == (
        "opportunity-management", record.process_version.version, "qualification")
    assert record.process_version.status == "approved"
    assert event.payload["owner_id"] == kam.pk
    assert event.payload["probability"] == 10
    assert event.payload["values"]["amount"] == "120000.00"
    assert event.payload["values"]["close_date"] == "2030-03-31"
    assert event.payload["values"]["classification"] == "internal"


def test_created_for_another_owner(people) -> None:
    record = services.do_create_record("opportunity-management", people["head"],
                                       {"title": "Heat pumps", "owner": "kam2"})
    assert record.owner == people["kam2"]
    event = Event.objects.get(record=record)
    assert (event.actor_id, event.role, event.payload["owner_id"]) == (people["head"].pk, "head_of_sales",
                                                                        people["kam2"].pk)
