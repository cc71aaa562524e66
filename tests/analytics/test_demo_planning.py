"""The demo data comes with quarterly team targets and a weekly history of forecast snapshots."""

from __future__ import annotations

import datetime

import pytest

from salesflow.analytics.models import ForecastSnapshot, Target
from salesflow.forecasting.models import ForecastLock
from salesflow.records import demo

pytestmark = pytest.mark.django_db


def test_demo_has_targets_and_weekly_snapshots():
    now = datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC)
    summary = demo.generate(12, seed=5, now=now)
    assert summary["targets"] == Target.objects.count() > 0
    assert set(Target.objects.values_list("team", flat=True)) == {"North", "South"}
    everything = ForecastSnapshot.objects.filter(period="2027-Q1").order_by("taken_at")
    locked = set(ForecastLock.objects.values_list("snapshot_id", flat=True))
    assert locked and all("rollup" in item.detail for item in everything if item.pk in locked)  # the forecast calls
    snapshots = [item for item in everything if item.pk not in locked]
    assert len(snapshots) >= 8 and all(item.backfilled for item in everything)
    gaps = {later.taken_at - earlier.taken_at for earlier, later in zip(snapshots, snapshots[1:], strict=False)}
    assert gaps == {datetime.timedelta(days=7)}
    assert snapshots[-1].taken_at == now
    assert snapshots[-1].target == 650000
