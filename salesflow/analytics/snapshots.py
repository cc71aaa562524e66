"""Forecast snapshots: the forecast of the current and the next quarter, stored once a week.

`take_snapshot` stores the forecast as it stands now (``salesflow forecast snapshot``, meant for a
weekly cron job). `backfill_snapshots` rebuilds the weekly snapshots of the past from the event
log (as-of reconstruction: each record's state at each instant from the events up to it), so a
history of forecasts exists from day one — the demo data uses it. Snapshots cover every record
except strictly confidential ones (so that the oversight roles may see the accuracy report).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.analytics.models import ForecastSnapshot
from salesflow.analytics.periods import Period, period_containing
from salesflow.analytics.planning import target_for
from salesflow.analytics.reports.base import ALL_LABEL, Data, Params
from salesflow.analytics.reports.forecast import CATEGORIES, FORECAST_KIND, GroupForecast, Moment, compute
from salesflow.analytics.source import data_for

WEEK = datetime.timedelta(days=7)


def default_periods(at: datetime.datetime) -> list[Period]:
    """The periods a snapshot looks at: the quarter of ``at`` and the next one."""
    current = period_containing(at, "quarter")
    return [current, current.next()]


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def _snapshot(process: str, moment: Moment, item: GroupForecast | None, data: Data, backfilled: bool
              ) -> ForecastSnapshot:
    """The snapshot of one forecast, in the corporate currency, with the rates it used (``detail.rates``:
    currency → rate into the corporate currency on the snapshot's day) and the records left out for want
    of a rate (``detail.unconverted``)."""
    item = item or GroupForecast(ALL_LABEL, categories={category: {"count": 0, "amount": 0.0, "weighted": 0.0}
                                                        for category in CATEGORIES})
    distribution = item.distribution
    target = target_for(data.targets_on(moment.at.astimezone(datetime.UTC).date()), moment.period, process)
    return ForecastSnapshot(
        taken_at=moment.at, period=moment.period.key, process=process, currency=data.currency,
        won=_decimal(item.won), commit=_decimal(item.categories["commit"]["amount"]),
        best_case=_decimal(item.categories["best_case"]["amount"]),
        pipeline=_decimal(item.categories["pipeline"]["amount"]), weighted=_decimal(item.weighted),
        expected=_decimal(item.expected),
        p10=_decimal(distribution.p10 if distribution else item.won),
        p50=_decimal(distribution.p50 if distribution else item.won),
        p90=_decimal(distribution.p90 if distribution else item.won),
        target=_decimal(target), backfilled=backfilled,
        detail={"categories": item.categories, "open_count": item.open_count, "open_amount": item.open_amount,
                "won_count": item.won_count, "overdue_count": item.overdue_count,
                "overdue_amount": item.overdue_amount,
                "monte_carlo": distribution.to_data() if distribution else None,
                "rates_date": moment.at.astimezone(datetime.UTC).date().isoformat(), "rates": item.rates,
                "unconverted": item.unconverted},
    )


def _processes(data: Data, process: str | None) -> list[str]:
    """The processes to forecast: the one asked for, else those of opportunities (leads, contracts or
    orders have no forecast of their own)."""
    if process:
        return [process]
    return data.catalog.processes_of_kind(FORECAST_KIND) or data.catalog.processes()


def _store(snapshots: list[ForecastSnapshot]) -> int:
    with transaction.atomic():
        for snapshot in snapshots:
            ForecastSnapshot.objects.filter(taken_at=snapshot.taken_at, period=snapshot.period,
                                            process=snapshot.process).delete()
        ForecastSnapshot.objects.bulk_create(snapshots)
    return len(snapshots)


def take_snapshot(process: str | None = None, periods: list[Period] | None = None,
                  at: datetime.datetime | None = None, engine: str = "duckdb", trials: int = 10_000,
                  seed: int = 0) -> list[ForecastSnapshot]:
    """Store the forecast of ``periods`` (default: this and next quarter) as of ``at`` (default now)."""
    at = at or timezone.now()
    # the data as of now: a past ``at`` is then reconstructed from the log (as of ``at``), not read off the records
    with data_for(engine, None, max(at, timezone.now()), hide_strictly_confidential=True) as data:
        snapshots = []
        for key in _processes(data, process):
            moments = [Moment(index, at, period) for index, period in enumerate(periods or default_periods(at))]
            result = compute(data, Params(process=key, trials=trials, seed=seed), moments)
            snapshots.extend(_snapshot(key, moment, result.get(moment.snap_id, {}).get(ALL_LABEL), data, False)
                             for moment in moments)
    _store(snapshots)
    return snapshots


def weekly_instants(start: datetime.datetime, until: datetime.datetime) -> list[datetime.datetime]:
    """Every week back from ``until`` (same weekday and time) down to ``start``, oldest first."""
    instants = []
    at = until
    while at >= start:
        instants.append(at)
        at -= WEEK
    return list(reversed(instants))


def backfill_snapshots(process: str | None = None, until: datetime.datetime | None = None,
                       since: datetime.datetime | None = None, engine: str = "duckdb", trials: int = 10_000,
                       seed: int = 0, progress: Callable[[int, int], Any] | None = None) -> int:
    """Rebuild weekly snapshots from ``since`` (default: the first record) to ``until`` (default now).

    Snapshots taken at the same instants are replaced; returns how many were stored.
    """
    until = until or timezone.now()
    with data_for(engine, None, until, hide_strictly_confidential=True) as data:
        first = data.rows(data.records.agg(first=data.records.created_at.min()))[0]["first"]
        if first is None:
            return 0
        start = max(since or first, first)
        instants = weekly_instants(start, until)
        snapshots = []
        for key in _processes(data, process):
            pairs = [(at, period) for at in instants for period in default_periods(at)]
            moments = [Moment(index, at, period) for index, (at, period) in enumerate(pairs)]
            result = compute(data, Params(process=key, trials=trials, seed=seed), moments)
            snapshots.extend(_snapshot(key, moment, result.get(moment.snap_id, {}).get(ALL_LABEL), data, True)
                             for moment in moments)
            if progress:
                progress(len(snapshots), len(instants) * 2)
    return _store(snapshots)
