"""Weekly snapshots rebuilt from the event log show each record as it was at each week (as-of state)."""

from __future__ import annotations

from salesflow.analytics.models import ForecastSnapshot
from salesflow.analytics.snapshots import backfill_snapshots, take_snapshot
from tests.analytics.build import Opportunity, day


def test_backfill_uses_the_state_at_each_week(people):
    deal = Opportunity(people, "kam", amount="100000", close_date="2027-02-15")
    deal.set(20, amount="150000")                 # raised in the third week
    deal.qualify(22)                              # solution design (30 %) in the fourth week
    stored = backfill_snapshots(until=day(28))
    weeks = [day(n) for n in (0, 7, 14, 21, 28)]
    assert stored == len(weeks) * 2               # this and next quarter
    q1 = {snap.taken_at: snap for snap in ForecastSnapshot.objects.filter(period="2027-Q1")}
    assert sorted(q1) == weeks
    assert all(snap.backfilled for snap in q1.values())
    assert (q1[day(14)].pipeline, q1[day(14)].weighted) == (100000, 10000)     # 10 % of 100 000
    assert (q1[day(21)].pipeline, q1[day(21)].weighted) == (150000, 15000)     # new amount, still qualification
    assert (q1[day(28)].pipeline, q1[day(28)].weighted) == (150000, 45000)     # 30 % in solution design
    assert ForecastSnapshot.objects.filter(period="2027-Q2", weighted__gt=0).count() == 0


def test_take_snapshot_now_and_again_replaces(people):
    Opportunity(people, "kam", amount="100000", close_date="2027-02-15").qualify(3)
    first = take_snapshot(at=day(5))
    again = take_snapshot(at=day(5))
    assert len(first) == len(again) == 2
    assert ForecastSnapshot.objects.count() == 2
    assert ForecastSnapshot.objects.get(period="2027-Q1").weighted == 30000
