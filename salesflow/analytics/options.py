"""Parsing report options from the CLI and from web query parameters into `Params` (bad values → BadInput)."""

from __future__ import annotations

import datetime
from typing import Any

from salesflow.analytics.periods import parse_day, parse_period
from salesflow.analytics.reports.base import DIMENSIONS, Params
from salesflow.engine.errors import BadInput


class Progress:
    """A ``(done, total)`` callback that drives one bar of `salesflow.interop.progress.progress_bars`."""

    def __init__(self, bars: Any, description: str) -> None:
        self.bars = bars
        self.description = description
        self.advance: Any = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.advance is None:
            self.advance = self.bars(self.description, total)
        self.advance(done - self.done)
        self.done = done


def parse_instant(text: str | None, name: str = "--as-of") -> datetime.datetime | None:
    """An ISO date (end of that day, UTC) or date-time (no zone: UTC); None for empty."""
    if text in (None, ""):
        return None
    value = str(text).strip()
    try:
        if len(value) == 10:
            day = datetime.date.fromisoformat(value)
            return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(),
                                             tzinfo=datetime.UTC) - datetime.timedelta(microseconds=1)
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"{name}: a date (2027-03-31) or date-time (2027-03-31T12:00) is expected, "
                       f"got {text!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def params_from(values: dict[str, Any]) -> Params:
    """`Params` from a mapping with the keys process, from, to, by, period, as_of, seed, trials."""
    by = values.get("by") or None
    if by is not None and by not in (*DIMENSIONS, "amount-band"):
        raise BadInput(f"--by: one of {', '.join((*DIMENSIONS, 'amount-band'))} expected, got {by!r}")

    def integer(name: str, default: int) -> int:
        raw = values.get(name)
        if raw in (None, ""):
            return default
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise BadInput(f"--{name}: a whole number is expected, got {raw!r}") from None

    process = values.get("process") or None
    params = Params(
        process=None if process == "all" else process,
        all_processes=process == "all",
        date_from=parse_day(values.get("from"), "--from"),
        date_to=parse_day(values.get("to"), "--to"),
        by=by,
        period=parse_period(values["period"]) if values.get("period") else None,
        as_of=parse_instant(values.get("as_of")),
        seed=integer("seed", 0),
        trials=integer("trials", 10_000),
        calibrated=not values.get("no_calibration"),
    )
    params.check()
    return params
