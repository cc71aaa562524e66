"""Planning periods: a year (``2027``), a quarter (``2027-Q1``) or a month (``2027-01``).

Framework-free. A period is the half-open UTC interval ``[start, end)`` of whole days.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from salesflow.engine.errors import BadInput

_PATTERNS = (
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), "month"),
)
GRANULARITY_ORDER = {"month": 0, "quarter": 1, "year": 2}


@dataclass(frozen=True, order=True)
class Period:
    """A planning period; ``key`` is its canonical text (``2027-Q1``)."""

    start: datetime.date
    end: datetime.date
    key: str
    granularity: str

    def __str__(self) -> str:
        return self.key

    @property
    def start_at(self) -> datetime.datetime:
        """The first instant of the period (UTC)."""
        return datetime.datetime.combine(self.start, datetime.time(), tzinfo=datetime.UTC)

    @property
    def end_at(self) -> datetime.datetime:
        """The first instant after the period (UTC)."""
        return datetime.datetime.combine(self.end, datetime.time(), tzinfo=datetime.UTC)

    def contains(self, other: Period) -> bool:
        """True when ``other`` lies inside this period."""
        return self.start <= other.start and other.end <= self.end

    def contains_date(self, day: datetime.date) -> bool:
        """True when the day lies in the period."""
        return self.start <= day < self.end

    def next(self) -> Period:
        """The following period of the same granularity."""
        return period_containing(self.end, self.granularity)

    def previous(self) -> Period:
        """The preceding period of the same granularity."""
        return period_containing(self.start - datetime.timedelta(days=1), self.granularity)


def _month_start(year: int, month: int) -> datetime.date:
    return datetime.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def parse_period(text: str) -> Period:
    """``2027-Q1`` / ``2027-01`` / ``2027`` → `Period`; anything else raises `BadInput`."""
    value = (text or "").strip()
    for pattern, granularity in _PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        year = int(match.group(1))
        if granularity == "year":
            return Period(datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1), f"{year}", "year")
        if granularity == "quarter":
            quarter = int(match.group(2))
            first = 3 * (quarter - 1) + 1
            return Period(_month_start(year, first), _month_start(year, first + 3), f"{year}-Q{quarter}", "quarter")
        month = int(match.group(2))
        return Period(_month_start(year, month), _month_start(year, month + 1), f"{year}-{month:02d}", "month")
    raise BadInput(f"period: expected a year (2027), a quarter (2027-Q1) or a month (2027-01), got {text!r}")


def period_containing(day: datetime.date | datetime.datetime, granularity: str = "quarter") -> Period:
    """The period of a granularity that contains a day (a datetime counts by its UTC date)."""
    if isinstance(day, datetime.datetime):
        day = day.astimezone(datetime.UTC).date() if day.tzinfo else day.date()
    if granularity == "year":
        return parse_period(f"{day.year}")
    if granularity == "month":
        return parse_period(f"{day.year}-{day.month:02d}")
    if granularity == "quarter":
        return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    raise BadInput(f"granularity: year, quarter or month, got {granularity!r}")


def parse_day(text: str | None, name: str) -> datetime.date | None:
    """An ISO date (``2027-03-31``) or None; a bad value raises `BadInput` naming the option."""
    if text in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(text))
    except ValueError:
        raise BadInput(f"{name}: a date YYYY-MM-DD is expected, got {text!r}") from None
