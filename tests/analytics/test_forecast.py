"""Forecast of 2027-Q1 as of 23 February 2027: categories, weighted amount with overrides, won so far,
target from the team targets, gap, coverage, and the Monte Carlo percentiles — computed by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from salesflow.analytics.models import Target
from salesflow.analytics.periods import parse_period
from salesflow.analytics.reports.montecarlo import distribution, simulate
from tests.analytics.build import Opportunity, day, report, rows_by

AS_OF = day(50)  # 2027-02-23


@pytest.fixture
def pipeline(people):
    # P1 kam, negotiation (commit), 100 000, override 90 %
    Opportunity(people, "kam", amount="100000", close_date="2027-03-15").qualify(2).design(4).propose(6) \
        .probability(90, 7)
    # P2 kam2, proposal (best case), 200 000, override 70 %
    Opportunity(people, "kam2", amount="200000", close_date="2027-02-28").qualify(2).design(4).probability(70, 5)
    # P3 mate, qualification (pipeline), 50 000, stage default 10 %
    Opportunity(people, "mate", amount="50000", close_date="2027-03-31")
    # P4 kam, proposal, closes in Q2: not in the period
    Opportunity(people, "kam", amount="80000", close_date="2027-04-15").qualify(2).design(4)
    # P5 kam, won on day 30 (3 February): 70 000 won in the period
    Opportunity(people, "kam", amount="70000", close_date="2027-03-01").qualify(5).design(10).propose(20).win(30)
    Target.objects.create(period="2027-Q1", process="opportunity-management", team="North", amount=300000)
    Target.objects.create(period="2027-Q1", process="opportunity-management", team="South", amount=100000)


def test_forecast_figures(pipeline):
    result = report("forecast", now=AS_OF, period=parse_period("2027-Q1"))
    summary = result.summary
    categories = rows_by(result, "categories", "category")
    assert (categories["commit"]["amount"], categories["commit"]["weighted"]) == (100000.0, 90000.0)
    assert (categories["best_case"]["amount"], categories["best_case"]["weighted"]) == (200000.0, 140000.0)
    assert (categories["pipeline"]["amount"], categories["pipeline"]["weighted"]) == (50000.0, 5000.0)
    assert summary["won"] == 70000.0 and summary["weighted"] == 235000.0 and summary["expected"] == 305000.0
    assert summary["target"] == 400000.0                 # no company target: North + South
    assert summary["gap"] == 330000.0 and summary["expected_gap"] == 95000.0
    assert summary["coverage"] == 1.0606                 # 350 000 open / 330 000 still to win


def test_monte_carlo_uses_calibrated_probabilities(pipeline):
    result = report("forecast", now=AS_OF, period=parse_period("2027-Q1"))
    records = {row["amount"]: row for row in result.tables["records"].rows}
    # P5 (won) passed every stage: qualification's suggested probability is (1 + 10 × 10 %) / 11 = 18 %.
    assert records[50000.0]["calibrated_probability"] == 18.0
    assert records[100000.0]["calibrated_probability"] == 90.0       # the override wins
    # Exact distribution of P1 (0.9 × 100 000) + P2 (0.7 × 200 000) + P3 (0.18 × 50 000):
    # P(≤ 50 000) = 0.030, P(≤ 100 000) = 0.251, P(≤ 300 000) = 0.887 → P10 100 000, P50 300 000, P90 350 000.
    outcomes = {}
    for wins in itertools.product((0, 1), repeat=3):
        amount = wins[0] * 100000 + wins[1] * 200000 + wins[2] * 50000
        chance = np.prod([p if won else 1 - p for p, won in zip((0.9, 0.7, 0.18), wins, strict=True)])
        outcomes[amount] = outcomes.get(amount, 0) + chance
    assert round(sum(chance for amount, chance in outcomes.items() if amount <= 300000), 4) == 0.8866
    summary = result.summary
    assert (summary["p10"], summary["p50"], summary["p90"]) == (170000.0, 370000.0, 420000.0)
    assert summary["monte_carlo"]["trials"] == 10000
    assert abs(summary["monte_carlo"]["mean"] - (70000 + 90000 + 140000 + 9000)) < 5000


def test_forecast_by_team(pipeline):
    groups = rows_by(report("forecast", now=AS_OF, period=parse_period("2027-Q1"), by="team"), "groups", "group")
    assert (groups["North"]["won"], groups["North"]["weighted"], groups["North"]["target"]) == (70000.0, 95000.0,
                                                                                               300000.0)
    assert (groups["South"]["best_case"], groups["South"]["weighted"], groups["South"]["target"]) == (
        200000.0, 140000.0, 100000.0)


def test_simulation_is_seeded_and_vectorised():
    amounts, chances = np.array([10.0, 20.0, 30.0]), np.array([0.5, 0.25, 1.0])
    first, second = simulate(amounts, chances, 10000, seed=3), simulate(amounts, chances, 10000, seed=3)
    assert first.shape == (10000,) and np.array_equal(first, second)
    assert set(np.unique(first)) <= {30.0, 40.0, 50.0, 60.0}         # the 30 is always won
    result = distribution(np.zeros(0), np.zeros(0), base=5.0)
    assert (result.p10, result.p50, result.p90) == (5.0, 5.0, 5.0)


def test_current_state_and_as_of_reconstruction_agree(pipeline):
    """As of now the records are the state; any earlier instant is rebuilt from the events — the same numbers."""
    import datetime

    from salesflow.analytics.reports import Params
    from salesflow.analytics.reports.forecast import Moment, compute
    from salesflow.analytics.source import load_data

    data = load_data("duckdb", None, AS_OF)
    period = parse_period("2027-Q1")
    now = compute(data, Params(), [Moment(0, AS_OF, period)], "owner")[0]
    rebuilt = compute(data, Params(), [Moment(0, AS_OF - datetime.timedelta(seconds=1), period)], "owner")[0]
    assert {group: (item.won, item.weighted, item.open_amount, item.categories) for group, item in now.items()} == {
        group: (item.won, item.weighted, item.open_amount, item.categories) for group, item in rebuilt.items()}
