"""Planning data for the demo: quarterly team targets and the weekly forecast snapshots of the past."""

from __future__ import annotations

import datetime
from decimal import Decimal

from salesflow.analytics.models import Target
from salesflow.analytics.periods import period_containing
from salesflow.analytics.snapshots import backfill_snapshots

#: Quarterly target per team of the demo (EUR).
TEAM_TARGETS = {"North": Decimal("450000"), "South": Decimal("200000")}
PROCESS = "opportunity-management"


def add_demo_targets(first: datetime.datetime, now: datetime.datetime) -> int:
    """A target per team for every quarter from the one of ``first`` to the one after ``now``."""
    quarter = period_containing(first, "quarter")
    last = period_containing(now, "quarter").next()
    count = 0
    while quarter.start <= last.start:
        for team, amount in TEAM_TARGETS.items():
            Target.objects.update_or_create(period=quarter.key, process=PROCESS, team=team, owner="", type="",
                                            defaults={"amount": amount, "updated_by": "demo"})
            count += 1
        quarter = quarter.next()
    return count


def add_demo_planning(now: datetime.datetime) -> dict[str, int]:
    """Targets and the rebuilt forecast history for the demo data generated up to ``now``."""
    from salesflow.records.models import Record

    first = Record.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return {"targets": 0, "snapshots": 0}
    targets = add_demo_targets(first, now)
    snapshots = backfill_snapshots(PROCESS, until=now)
    return {"targets": targets, "snapshots": snapshots}
