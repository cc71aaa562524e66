"""The scheduled job: a contract in its renewal window gets exactly one renewal opportunity; reminders; breaches."""

from __future__ import annotations

import datetime
from typing import Any

from salesflow.records import services
from salesflow.records.chain import do_run_schedules
from salesflow.records.eventlog import verify
from salesflow.records.models import Event, Notification, Record, RecordLink

TODAY = datetime.date(2026, 11, 23)


def _contract(kam: Any, end: datetime.date, **fields: Any) -> Record:
    values = {"title": "Service contract Alpen Solar", "end_date": end.isoformat()}
    values.update(fields)
    return services.do_create_record("t-contract", kam, values)


def test_the_renewal_window_creates_exactly_one_renewal_opportunity(chain: dict[str, Any]) -> None:
    kam = chain["kam"]
    # notice date = end - 90 days; the window opens 60 days before it: end - 150 days <= today
    inside = _contract(kam, TODAY + datetime.timedelta(days=150))
    outside = _contract(kam, TODAY + datetime.timedelta(days=151), title="Later contract")

    first = do_run_schedules(TODAY)
    again = do_run_schedules(TODAY)
    later = do_run_schedules(TODAY + datetime.timedelta(days=1))

    inside.refresh_from_db()
    assert inside.stage == "renewal_due"
    renewals = Record.objects.filter(process__key="t-opp")
    assert renewals.count() == 2  # the outside contract's window opened the next day
    renewal = RecordLink.objects.get(source=inside, handoff="create_renewal").target
    assert renewal.values["kind"] == "stabilisation" and renewal.owner == kam
    assert (first.moves, first.handoffs, again.moves, again.handoffs) == (1, 1, 0, 0)
    assert later.moves == 1 and Record.objects.get(pk=outside.pk).stage == "renewal_due"
    moved = Event.objects.get(record=inside, kind="stage_changed")
    assert (moved.role, moved.actor_name, moved.payload["schedule"]) == ("system", "system", "renewal_window")
    assert Notification.objects.filter(record=inside, user=chain["head"]).exists()
    assert verify().ok


def test_a_contract_without_end_date_is_left_alone(chain: dict[str, Any]) -> None:
    services.do_create_record("t-contract", chain["kam"], {"title": "Open-ended"})
    summary = do_run_schedules(TODAY)
    assert summary.to_data()["moves"] == 0 and not Record.objects.filter(process__key="t-opp").exists()


def test_reminders_fire_once_each_and_only_the_nearest_when_late(chain: dict[str, Any]) -> None:
    kam = chain["kam"]
    far = TODAY + datetime.timedelta(days=3000)
    record = _contract(kam, far, submission_deadline=(TODAY + datetime.timedelta(days=1)).isoformat())
    summary = do_run_schedules(TODAY)
    assert summary.reminders == 1
    reminder = Event.objects.get(record=record, kind="reminder")
    assert reminder.payload["steps"] == ["7", "2"] and reminder.payload["days_left"] == 1
    assert do_run_schedules(TODAY).reminders == 0
    assert Notification.objects.filter(record=record, kind="reminder", user=chain["support"]).count() == 1
    assert Notification.objects.filter(record=record, kind="reminder", user=kam).count() == 1


def test_a_missed_deadline_is_one_breach(chain: dict[str, Any]) -> None:
    kam = chain["kam"]
    record = _contract(kam, TODAY + datetime.timedelta(days=3000),
                       submission_deadline=(TODAY - datetime.timedelta(days=1)).isoformat())
    first = do_run_schedules(TODAY)
    second = do_run_schedules(TODAY + datetime.timedelta(days=5))
    assert (first.breaches, second.breaches) == (1, 0)
    assert Event.objects.filter(record=record, kind="deadline_missed").count() == 1


def test_a_moved_deadline_fires_again(chain: dict[str, Any]) -> None:
    kam = chain["kam"]
    record = _contract(kam, TODAY + datetime.timedelta(days=3000),
                       submission_deadline=(TODAY + datetime.timedelta(days=2)).isoformat())
    do_run_schedules(TODAY)
    services.do_set_fields(record.pk, kam, {"submission_deadline": (TODAY + datetime.timedelta(days=5)).isoformat()})
    assert do_run_schedules(TODAY).reminders == 1
