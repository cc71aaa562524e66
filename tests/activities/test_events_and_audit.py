"""Each logged activity and task change is an event in the chain; audit verify passes, and finds a changed row."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command

from salesflow.activities import services
from salesflow.activities.integrity import check_activities
from salesflow.activities.models import Activity
from salesflow.records import eventlog
from salesflow.records.models import Event


def test_logging_and_tasks_write_events_and_verify(team: dict[str, Any], opportunity: Any, account: Any,
                                                   capsys: Any) -> None:
    kam = team["kam"]
    target = services.resolve_target(kam, record=opportunity.pk)
    assert target.account == account  # the record's customer is kept with the activity
    call = services.do_log_activity(kam, target, "call", "Price call", duration="25", outcome="wants 5 % off",
                                    next_step="send a revised offer")
    task = services.do_add_task(kam, target, "Send the revised offer", due="2026-12-10", remind_on="2026-12-08",
                                owner="head")
    services.do_complete_task(team["head"], task.pk, "sent")
    services.do_log_activity(kam, services.resolve_target(kam, account=account.pk), "note", "Met at the fair")

    events = list(Event.objects.filter(kind__in=services.EVENT_KINDS).order_by("seq"))
    assert [event.kind for event in events] == ["activity_logged", "task_added", "task_done", "activity_logged"]
    logged = events[0]
    assert logged.record_id == opportunity.pk and logged.process == "opportunity-management"
    assert logged.payload["activity"] == call.pk and logged.payload["duration_minutes"] == 25
    assert logged.payload["outcome"] == "wants 5 % off" and logged.payload["account"] == account.pk
    assert events[1].payload["owner"] == team["head"].pk and events[1].payload["due"] == "2026-12-10"
    assert events[2].actor_name == "Helena Hoffmann"
    assert events[3].record_id is None and events[3].payload["account"] == account.pk
    assert eventlog.verify().ok
    assert check_activities().ok and check_activities().checked == 3

    call_command("audit", "verify")
    assert "3 logged activities and tasks agree with their events" in capsys.readouterr().out

    # A row changed behind the log's back is found.
    Activity.objects.filter(pk=call.pk).update(subject="Something else")
    Activity.objects.filter(pk=task.pk).update(done_at=None)
    report = check_activities()
    assert not report.ok and report.count == 2
    assert any(f"activity {call.pk}: subject differ" in line for line in report.problems)
    assert any(f"task {task.pk}: stored as open" in line for line in report.problems)
