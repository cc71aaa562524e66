"""Forecast accuracy: stored snapshots against the amount actually won in their period."""

from __future__ import annotations

from decimal import Decimal

from salesflow.analytics.models import ForecastSnapshot
from tests.analytics.build import Opportunity, day, report, rows_by


def _snapshot(at: float, expected: int, p10: int, p90: int) -> None:
    zero = Decimal(0)
    ForecastSnapshot.objects.create(
        taken_at=day(at), period="2027-Q1", process="opportunity-management", won=zero, commit=zero,
        best_case=zero, pipeline=zero, weighted=Decimal(expected), expected=Decimal(expected), p10=Decimal(p10),
        p50=Decimal(expected), p90=Decimal(p90))


def test_error_and_bias_against_actual(people):
    Opportunity(people, "kam", amount="250000").qualify(2).design(4).propose(6).win(30)   # won 3 Feb 2027
    Opportunity(people, "kam2", amount="90000").qualify(2).design(4).propose(6).win(120)  # won in Q2
    _snapshot(7, 300000, 200000, 400000)       # +50 000 (too high), actual inside the band
    _snapshot(14, 200000, 100000, 240000)      # −50 000 (too low), actual above P90
    result = report("accuracy", now=day(100))
    snapshots = result.tables["snapshots"].rows
    assert [row["actual"] for row in snapshots] == [250000.0, 250000.0]
    assert [row["error"] for row in snapshots] == [50000.0, -50000.0]
    assert [row["pct_error"] for row in snapshots] == [0.2, -0.2]
    assert [row["in_band"] for row in snapshots] == [True, False]
    period = rows_by(result, "periods", "period")["2027-Q1"]
    assert (period["mape"], period["bias"], period["band_hit_rate"], period["complete"]) == (0.2, 0.0, 0.5, True)
    assert result.summary["mape"] == 0.2 and result.summary["bias"] == 0.0
