"""The demo data comes with quarterly team targets and a weekly history of forecast snapshots."""

from __future__ import annotations

import datetime

import pytest

from salesflow.analytics.models import ForecastSnapshot, Target
from salesflow.records import demo

pytestmark = pytest.mark.django_db


def test_demo_has_targets_and_weekly_snapshots():
    now = datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC)
    summary = demo.generate(12, seed=5, now=now)
    assert summary["targets"] == Target.objects.count() > 0
    assert set(Target.objects.values_list("team", flat=True)) == {"North", "South"}
    snapshots = ForecastSnapshot.objects.filter(period="2027-Q1").order_by("taken_at")
    assert snapshots.count() >= 8 and all(item.backfilled for item in snapshots)
    gaps = {later.taken_at - earlier.taken_at for earlier, later in zip(snapshots, snapshots[1:], strict=False)}
    assert gaps == {datetime.timedelta(days=7)}
    assert snapshots.last().taken_at == now
    assert snapshots.last().target == 650000
