"""A reminder keeps the due date, not a day count that is only true on the day it is sent."""

from __future__ import annotations

import datetime
from typing import Any

from salesflow.records import services
from salesflow.records.chain import do_run_schedules
from salesflow.records.models import Notification

TODAY = datetime.date(2026, 11, 23)


def test_the_reminder_text_names_the_date_and_the_message_keeps_it(chain: dict[str, Any]) -> None:
    due = TODAY + datetime.timedelta(days=2)
    record = services.do_create_record("t-contract", chain["kam"], {
        "title": "Service contract", "end_date": (TODAY + datetime.timedelta(days=3000)).isoformat(),
        "submission_deadline": due.isoformat()})
    assert do_run_schedules(TODAY).reminders == 1
    notes = list(Notification.objects.filter(record=record, kind="reminder"))
    assert notes
    for note in notes:
        assert note.message["due"] == due.isoformat() and note.due() == due
        assert note.text("en").endswith(f"due {due.isoformat()}")
        assert note.text("de").endswith(f"fällig am {due.isoformat()}")
        assert "left" not in note.text("en") and "noch" not in note.text("de")
