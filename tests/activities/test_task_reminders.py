"""Task reminders: `salesflow jobs run` reminds the owner on the reminder day — a notification (and its
e-mail through the outbox), an event — once; done tasks are not reminded; a task given to someone else
notifies them."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management import call_command
from django.test import override_settings

from salesflow.activities import services
from salesflow.mail.models import OutboundMail
from salesflow.records.models import Event, Notification


@override_settings(EMAIL_ENABLED=True)
def test_jobs_run_reminds_the_owner_once(team: dict[str, Any], opportunity: Any, capsys: Any) -> None:
    kam, head = team["kam"], team["head"]
    head.email = "head@salesflow.example"
    head.save()
    target = services.resolve_target(kam, record=opportunity.pk)
    task = services.do_add_task(kam, target, "Call the buyer back", due="2026-12-10", remind_on="2026-12-08",
                                owner="head")
    done = services.do_add_task(kam, target, "Already done", remind_on="2026-12-01")
    services.do_complete_task(kam, done.pk)
    assigned = Notification.objects.get(user=head, kind="task_assigned")
    assert "Kai Becker gave you a task: Call the buyer back" in assigned.text("en")

    call_command("jobs", "run", "--today", "2026-12-07")
    assert "task reminders 0" in capsys.readouterr().out
    call_command("jobs", "run", "--today", "2026-12-08")
    assert "task reminders 1" in capsys.readouterr().out
    call_command("jobs", "run", "--today", "2026-12-09")
    assert "task reminders 0" in capsys.readouterr().out

    reminder = Notification.objects.get(user=head, kind="task_reminder")
    assert reminder.record == opportunity
    assert reminder.text("en") == "Task reminder: Call the buyer back (due 2026-12-10) — Grid monitoring"
    assert reminder.text("de") == "Erinnerung an Ihre Aufgabe: Call the buyer back (fällig am 10.12.2026) — Grid monitoring"
    assert reminder.due() == datetime.date(2026, 12, 10)
    assert not Notification.objects.filter(user=kam, kind="task_reminder").exists()
    event = Event.objects.get(kind="task_reminded")
    assert event.payload["activity"] == task.pk and event.actor_name == "system" and event.record == opportunity
    assert OutboundMail.objects.filter(user=head, kind="task_reminder").count() == 1
    call_command("audit", "verify")
