"""An outcome sets the close date to the day of the close; the planned date stays in the event payload."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from salesflow.records import services
from salesflow.records.models import Event

pytestmark = pytest.mark.django_db


def test_a_deal_won_today_shows_todays_close_date(people) -> None:
    record = services.do_create_record("opportunity-management", people["kam"], {
        "title": "Won early", "amount": "50000", "close_date": "2027-03-31"})
    for stage in ("solution_design", "proposal", "negotiation", "won"):
        services.do_move(record.pk, people["head"], stage, override_reason="walk")
    record = services.get_record(record.pk)
    today = timezone.localdate()
    assert record.close_date == today
    assert services.record_data(record)["close_date"] == today.isoformat()
    closed = Event.objects.get(record=record, kind="record_closed")
    assert closed.payload["planned_close_date"] == "2027-03-31"
    assert closed.payload["close_date"] == today.isoformat()


def test_a_lost_deal_closes_on_the_day_it_was_lost(people) -> None:
    at = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)
    record = services.do_create_record("opportunity-management", people["kam"], {
        "title": "Lost", "close_date": "2027-06-30"}, at=at)
    services.do_complete_activity(record.pk, people["kam"], "customer_informed", at=at)
    services.do_move(record.pk, people["head"], "lost", at=at + datetime.timedelta(days=3))
    record = services.get_record(record.pk)
    assert record.close_date == datetime.date(2026, 11, 5)
    assert Event.objects.get(record=record, kind="record_closed").payload["planned_close_date"] == "2027-06-30"
