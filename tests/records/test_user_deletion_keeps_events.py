"""Deleting a user changes none of their events: the chain stays valid and their name is kept."""

from __future__ import annotations

import pytest

from salesflow.records import eventlog, services
from salesflow.records.models import Event, Record

pytestmark = pytest.mark.django_db


def test_deleting_a_user_keeps_their_events(people, record) -> None:
    kam = people["kam"]
    services.do_complete_activity(record.pk, kam, "risk_analysis")
    kam_pk = kam.pk
    before = list(Event.objects.filter(actor_id=kam_pk).order_by("seq").values())
    assert len(before) == 2

    kam.delete()

    after = list(Event.objects.filter(actor_id=kam_pk).order_by("seq").values())
    assert after == before
    assert {row["actor_name"] for row in after} == {"Kai Becker"}
    assert eventlog.verify().ok
    assert Record.objects.get(pk=record.pk).owner is None
