"""Demo data of the forecast calls: the team hierarchy, the KAMs' weekly submissions, the managers' adjustments
with notes and the weekly locks over the past quarters (so the forecast page and `forecast accuracy` have
data on the first start). Deterministic for a seed; amounts near what each owner then won, with a rep's
typical optimism early in the quarter."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from salesflow.analytics.periods import Period, period_containing
from salesflow.people.models import Team, User

#: The hierarchy of the demo: team → (parent, manager).
HIERARCHY = {"Sales": (None, "director"), "North": ("Sales", "head"), "South": ("Sales", "head")}
SUBMITTERS = ("kam", "kam2")
NOTES = ["Two deals in negotiation, signature expected this month", "Budget freeze at one customer",
         "Pulled in the framework agreement", "Large deal slipped to next quarter", "On track",
         "Customer asked for a second offer round"]
ADJUST_NOTES = ["Discounted the negotiation deals by a third", "Framework agreement not signed yet: out of commit",
                "Added the renewal signed yesterday", "Rep is historically optimistic early in the quarter"]


def _won(owner: Any, period: Period) -> Decimal:
    from salesflow.records.models import Record

    total = Record.objects.filter(owner=owner, outcome="won", closed_at__gte=period.start_at,
                                  closed_at__lt=period.end_at, process__record_type="opportunity") \
        .aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0)


def _mondays(period: Period, now: datetime.datetime, every: int) -> list[datetime.datetime]:
    """The Mondays 09:00 (UTC) of the period before ``now``, every ``every`` weeks."""
    day = period.start + datetime.timedelta(days=(7 - period.start.weekday()) % 7)
    found = []
    while day < period.end:
        at = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=datetime.UTC)
        if at < now - datetime.timedelta(hours=2):
            found.append(at)
        day += datetime.timedelta(days=7 * every)
    return found


def add_demo_forecasts(now: datetime.datetime, seed: int = 7) -> dict[str, int]:
    """Teams, submissions, adjustments and locks for the two past quarters and the current one."""
    from salesflow.forecasting import locks, services

    rng = random.Random(seed * 31 + 20)
    users = {user.username: user for user in User.objects.filter(username__in=[*SUBMITTERS, "head", "director"])}
    if len(users) < 4:
        return {"submissions": 0, "adjustments": 0, "locks": 0}
    for name in HIERARCHY:
        Team.objects.get_or_create(name=name)
    for name, (parent, manager) in HIERARCHY.items():
        services.do_set_team(None, name, parent, manager)
    current = period_containing(now, "quarter")
    periods = [current.previous().previous(), current.previous(), current]
    counts = {"submissions": 0, "adjustments": 0, "locks": 0}
    for period in periods:
        every = 2 if period == current else 3            # calls every other week this quarter, every third before
        mondays = _mondays(period, now, every)
        actual = {name: _won(users[name], period) for name in SUBMITTERS}
        for index, monday in enumerate(mondays):
            call = locks.lock_instant(monday + datetime.timedelta(days=1))   # that week's call (library settings)
            if call >= now or call < period.start_at:
                continue
            monday = call - datetime.timedelta(hours=1)                    # submissions in the hour before the call
            optimism = 1.25 - 0.4 * index / max(1, len(mondays) - 1)     # optimistic early, close to the truth late
            for name in SUBMITTERS:
                base = actual[name] if actual[name] > 0 else Decimal(rng.randint(40, 120) * 1000)
                commit = (base * Decimal(str(round(optimism * rng.uniform(0.8, 1.1), 3)))).quantize(Decimal("1000"))
                best = (commit * Decimal(str(round(rng.uniform(1.2, 1.6), 2)))).quantize(Decimal("1000"))
                services.do_submit(users[name], period.key, commit, best, rng.choice(NOTES),
                                   at=monday + datetime.timedelta(minutes=rng.randint(0, 40)))
                counts["submissions"] += 1
            if rng.random() < 0.6:
                team = rng.choice(["North", "South"])
                owner = "kam" if team == "North" else "kam2"
                base = actual[owner] if actual[owner] > 0 else Decimal(50000)
                commit = (base * Decimal(str(round(rng.uniform(0.85, 1.05), 3)))).quantize(Decimal("1000"))
                services.do_adjust(users["director"], period.key, team, commit, rng.choice(ADJUST_NOTES),
                                   at=monday + datetime.timedelta(minutes=50))
                counts["adjustments"] += 1
            if index % 2 == 1:
                total = sum(actual.values(), Decimal(0)) or Decimal(100000)
                commit = (total * Decimal(str(round(rng.uniform(0.9, 1.05), 3)))).quantize(Decimal("1000"))
                services.do_adjust(users["head"], period.key, None, commit,
                                   "Organisation view after the forecast call", at=monday + datetime.timedelta(minutes=55))
                counts["adjustments"] += 1
            if index != len(mondays) // 2 and not (period == current and index == len(mondays) - 1):
                continue        # one locked call per quarter (mid-quarter; this quarter: the latest) keeps the demo quick
            done = locks.do_lock(call + datetime.timedelta(minutes=5), [period])
            for lock in done:   # the demo rebuilds the past: its snapshots are reconstructed from the log
                if lock.snapshot is not None:
                    lock.snapshot.backfilled = True
                    lock.snapshot.save(update_fields=["backfilled"])
            counts["locks"] += len(done)
    return counts
