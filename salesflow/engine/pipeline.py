"""Pipeline hygiene rules (framework-free): slips of the close date and stale records.

- A **slip** is a change of the close date that pushes it out of its period into a later one — the
  quarter (the forecast's period) by default: 15 March → 2 April is a slip, 2 April → 20 June is not.
  A record's slip count is the number of such changes in its history.
- A record is **stale** when it is open, its stage declares ``stale_days`` and it has had no event for
  more than that many days.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

#: The period a close date is pushed out of (the forecast's period).
SLIP_GRANULARITY = "quarter"


def period_index(day: datetime.date, granularity: str = SLIP_GRANULARITY) -> int:
    """A number per period that grows with time: months, quarters or years since year 0."""
    if granularity == "month":
        return day.year * 12 + day.month - 1
    if granularity == "year":
        return day.year
    return day.year * 4 + (day.month - 1) // 3


def as_day(value: object) -> datetime.date | None:
    """A date from a date, a date-time or ISO text (None when empty or not a date)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def is_slip(old: object, new: object, granularity: str = SLIP_GRANULARITY) -> bool:
    """True when a close date moved from ``old`` into a later period than ``old``'s."""
    before, after = as_day(old), as_day(new)
    if before is None or after is None:
        return False
    return period_index(after, granularity) > period_index(before, granularity)


def slip_count(close_dates: Iterable[object], granularity: str = SLIP_GRANULARITY) -> int:
    """The slips in a record's successive close dates (oldest first; empty values are skipped)."""
    count, previous = 0, None
    for value in close_dates:
        day = as_day(value)
        if day is None:
            continue
        if previous is not None and is_slip(previous, day, granularity):
            count += 1
        previous = day
    return count


def days_without_event(last_event_at: datetime.datetime, now: datetime.datetime) -> int:
    """Whole days since the last event."""
    return max(0, (now - last_event_at).days)


def is_stale(stale_days: int | None, last_event_at: datetime.datetime | None, now: datetime.datetime,
             is_open: bool = True) -> bool:
    """True when an open record's last event lies more than ``stale_days`` days back."""
    if not is_open or stale_days is None or last_event_at is None:
        return False
    return now - last_event_at > datetime.timedelta(days=stale_days)
