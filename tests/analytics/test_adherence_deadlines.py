"""Missed deadlines of the process schedules count against process adherence (one failed check each)."""

from __future__ import annotations

import datetime

from salesflow.records import services
from salesflow.records.chain import do_run_schedules
from tests.analytics.build import day, report, rows_by
from tests.records.chain_processes import load_chain


def test_a_missed_deadline_is_a_failed_check(people) -> None:
    load_chain()
    created = day(1)
    deadline = (created + datetime.timedelta(days=10)).date()
    services.do_create_record("t-contract", people["kam"], {
        "title": "Missed", "submission_deadline": deadline.isoformat()}, at=created)
    services.do_create_record("t-contract", people["kam2"], {
        "title": "In time", "submission_deadline": (deadline + datetime.timedelta(days=300)).isoformat()}, at=created)
    do_run_schedules(deadline + datetime.timedelta(days=1), at=created + datetime.timedelta(days=11))
    groups = rows_by(report("adherence", process="t-contract"), "groups", "group")
    assert groups["kam"]["deadlines_missed"] == 1 and groups["kam"]["score"] == 0.0  # (0) / (0 + 0 + 0 + 1)
    assert groups.get("kam2", {}).get("deadlines_missed", 0) == 0
