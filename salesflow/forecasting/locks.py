"""The weekly lock and forecast accuracy per submitter.

**Lock**: at the weekly forecast call (library settings ``forecasting.lock_weekday`` and ``lock_time``, the
server's time zone) the roll-up of the current and the next quarter is frozen: a `ForecastLock` with the figures
and the forecast snapshot of that instant (its ``detail`` holds the roll-up too), and a ``forecast_locked``
event. `do_lock` locks the last call that is due and not locked yet — run it from cron or the worker as often as
you like.

**Accuracy**: for every period that has ended, each lock's frozen figures against what was won in the period
(the forecast as of the period's end): per submitter (the owner's submitted commit), per manager (the final
commit of the team they adjusted, or the organisation's) and for the system (its expected = won + weighted of
the same owners). Error % = (forecast − actual) / actual; MAPE and bias over the locks.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.analytics.periods import Period, parse_period, period_containing
from salesflow.forecasting import services
from salesflow.forecasting.models import ForecastLock
from salesflow.people import access


def lock_instant(now: datetime.datetime) -> datetime.datetime:
    """The last weekly lock instant at or before ``now`` (the settings' weekday and time, local time)."""
    settings = access.policy().settings.forecasting
    local = timezone.localtime(now)
    hours, minutes = (int(part) for part in settings.lock_time.split(":"))
    day = local.date() - datetime.timedelta(days=(local.weekday() - settings.lock_weekday) % 7)
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hours, minutes)))
    if at > now:
        at -= datetime.timedelta(days=7)
    return at


def do_lock(now: datetime.datetime | None = None, periods: list[Period] | None = None) -> list[ForecastLock]:
    """Freeze the roll-up of ``periods`` (default: this and the next quarter) at the last due lock instant;
    periods already locked at that instant are left as they are."""
    from salesflow.analytics.snapshots import take_snapshot

    now = now or timezone.now()
    at = lock_instant(now)
    first = period_containing(at, "quarter")
    wanted = periods or [first, first.next()]
    week = timezone.localtime(at).date()
    pending = [period for period in wanted
               if not ForecastLock.objects.filter(period=period.key, week=week).exists()]
    if not pending:
        return []
    with services.figures_data(None, at, past=True) as data:      # one load for every period's roll-up
        rollups = {period.key: services.to_json(services.rollup_data(period.key, None, at, frozen=True, data=data))
                   for period in pending}
    snapshots = take_snapshot(None, pending, at)                  # and one for their snapshots
    done = []
    for period in pending:
        figures = rollups[period.key]
        snapshot = next((item for item in snapshots if item.period == period.key), None)
        with transaction.atomic():
            if snapshot is not None:
                snapshot.detail = {**(snapshot.detail or {}), "rollup": figures}
                snapshot.save(update_fields=["detail"])
            organisation = figures["rows"][0] if figures["rows"] else {}
            seq = services._log("forecast_locked", {
                "period": period.key, "week": week.isoformat(), "final_commit": organisation.get("final_commit"),
                "expected": organisation.get("expected")}, None, at)
            done.append(ForecastLock.objects.create(period=period.key, week=week, locked_at=at, figures=figures,
                                                    snapshot=snapshot, event_seq=seq))
    return done


def _actuals(period: Period) -> dict[str, Decimal]:
    """Owner → won in the period (the forecast by owner as of the period's end)."""
    at = min(period.end_at - datetime.timedelta(microseconds=1), timezone.now())
    system, _ = services.system_figures(period, None, at, past=True)
    return {owner: item["won"] for owner, item in system.items()}


def _score(errors: list[float]) -> dict[str, Any]:
    if not errors:
        return {"forecasts": 0, "mape": None, "bias": None}
    return {"forecasts": len(errors), "mape": round(sum(abs(value) for value in errors) / len(errors), 4),
            "bias": round(sum(errors) / len(errors), 4)}


def accuracy(period: str | None = None) -> dict[str, Any]:
    """Who forecasts better — the rep, the manager or the model: MAPE and bias per submitter over the locks of the
    periods that have ended (or of ``period``)."""
    now = timezone.now()
    keys = [parse_period(period).key] if period else sorted(set(ForecastLock.objects.values_list("period", flat=True)))
    per: dict[tuple[str, str], list[float]] = {}
    periods_used = []
    for key in keys:
        found = parse_period(key)
        if found.end_at > now:
            continue
        actual = _actuals(found)
        nodes = services.team_nodes()
        children = services.core.children_of(nodes)
        periods_used.append(key)
        for lock in ForecastLock.objects.filter(period=key):
            for row in lock.figures.get("rows", []):
                if row["level"] == "owner":
                    owners = {row["name"]}
                elif row["level"] == "team" and row["name"] in nodes:
                    owners = services.core.subtree_owners(row["name"], nodes, children)
                else:
                    owners = set(actual) | {item["name"] for item in lock.figures["rows"] if item["level"] == "owner"}
                won = float(sum((actual.get(owner, Decimal(0)) for owner in owners), Decimal(0)))
                if won <= 0:
                    continue
                if row["level"] == "owner" and row.get("submitted_commit") is not None:
                    per.setdefault(("rep", row["name"]), []).append((row["submitted_commit"] - won) / won)
                if row["level"] != "owner" and row.get("adjusted_commit") is not None:
                    who = row["notes"][0]["by"] if row.get("notes") else row["name"]
                    per.setdefault(("manager", who), []).append((row["adjusted_commit"] - won) / won)
                if row["level"] == "organisation":
                    per.setdefault(("model", "system"), []).append((row["expected"] - won) / won)
                    if row.get("submitted_commit") is not None:
                        per.setdefault(("reps together", "all submissions"), []).append(
                            (row["submitted_commit"] - won) / won)
    rows = [{"kind": kind, "who": who, **_score(errors)} for (kind, who), errors in sorted(per.items())]
    return {"periods": periods_used, "rows": rows}
