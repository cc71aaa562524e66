"""Dates relative to today, computed when a page is shown — never stored, so they never go stale."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def days_until(day: datetime.date, today: datetime.date | None = None) -> int:
    """Days from today to ``day`` (negative: past)."""
    return (day - (today or timezone.localdate())).days


def relative_due(day: datetime.date, today: datetime.date | None = None) -> str:
    """A due date as people say it today: "today", "tomorrow", "in 4 days", "1 day overdue", "2 days overdue"."""
    days = days_until(day, today)
    if days == 0:
        return _("due today")
    if days == 1:
        return _("due tomorrow")
    if days > 1:
        return ngettext("in %(count)d day", "in %(count)d days", days) % {"count": days}
    return ngettext("%(count)d day overdue", "%(count)d days overdue", -days) % {"count": -days}


def due_view(day: datetime.date | None, today: datetime.date | None = None) -> dict[str, object] | None:
    """What a page shows of a due date: the date, the relative text and whether it is past."""
    if day is None:
        return None
    return {"date": day, "text": relative_due(day, today), "overdue": days_until(day, today) < 0}
