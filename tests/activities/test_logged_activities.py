"""`logged_activities(user, since, until)`: the work a user logged in a period, for coaching to count."""

from __future__ import annotations

import datetime
from typing import Any

from salesflow.activities import services


def test_counts_logged_work_and_completed_tasks_in_the_period(team: dict[str, Any], opportunity: Any,
                                                               secret: Any) -> None:
    kam = team["kam"]
    on_record = services.resolve_target(kam, record=opportunity.pk)
    services.do_log_activity(kam, on_record, "call", "In the period", at="2026-12-01T10:00")
    services.do_log_activity(kam, on_record, "email", "Before", at="2026-11-20T10:00")
    services.do_log_activity(kam, services.resolve_target(kam, record=secret.pk), "meeting", "Secret",
                             at="2026-12-02T10:00")
    services.do_log_activity(team["head"], on_record, "note", "Someone else's", at="2026-12-01T10:00")
    open_task = services.do_add_task(kam, on_record, "Still open")
    assert open_task.is_open
    done = services.do_add_task(kam, on_record, "Done in the period")
    services.do_complete_task(kam, done.pk, now=datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC))

    found = services.logged_activities(kam, datetime.date(2026, 12, 1), datetime.date(2026, 12, 8))
    assert sorted(item.subject for item in found) == ["Done in the period", "In the period", "Secret"]
    seen_by_other = services.logged_activities(kam, datetime.date(2026, 12, 1), datetime.date(2026, 12, 8),
                                               viewer=team["kam2"])
    assert sorted(item.subject for item in seen_by_other) == ["Done in the period", "In the period"]
