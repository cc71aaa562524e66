"""Sales plan: targets of a period with attainment (won / target) and coverage (open / still to win)."""

from __future__ import annotations

from salesflow.analytics.models import Target
from salesflow.analytics.periods import parse_period
from tests.analytics.build import Opportunity, day, report


def test_attainment_and_coverage_per_scope(people):
    Opportunity(people, "kam", amount="60000", close_date="2027-03-01").qualify(2).design(4).propose(6).win(10)
    Opportunity(people, "mate", amount="90000", close_date="2027-03-20")                 # open, North
    Opportunity(people, "kam2", amount="40000", close_date="2027-02-10").qualify(3)      # open, South
    Target.objects.create(period="2027-Q1", process="opportunity-management", team="North", amount=200000)
    Target.objects.create(period="2027-Q1", process="opportunity-management", owner="kam2", amount=50000)
    rows = report("plan", now=day(20), period=parse_period("2027-Q1")).tables["targets"].rows
    by_scope = {(row["scope"], row["value"]): row for row in rows}
    north = by_scope[("team", "North")]
    assert (north["target"], north["won"], north["attainment"]) == (200000.0, 60000.0, 0.3)
    assert north["open_amount"] == 90000.0 and north["coverage"] == 0.6429     # 90 000 / 140 000
    kam2 = by_scope[("owner", "kam2")]
    assert (kam2["won"], kam2["open_amount"], kam2["coverage"]) == (0.0, 40000.0, 0.8)
    overall = by_scope[("all", "all")]                                           # North's target only
    assert overall["target"] == 200000.0 and overall["open_amount"] == 130000.0
