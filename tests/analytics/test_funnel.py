"""The funnel counts each record once per stage it entered, with conversions and losses computed by hand."""

from __future__ import annotations

import pytest

from tests.analytics.build import PROCESS, Opportunity, day, report, rows_by


@pytest.fixture
def deals(people):
    """A won (kam), B lost from solution design (kam), C lost from qualification (kam2), D open in proposal (kam2)."""
    Opportunity(people, "kam", at=0).qualify(10).design(30).propose(40).win(60)
    Opportunity(people, "kam", at=1).qualify(5).lose(20)
    Opportunity(people, "kam2", at=2).lose(4)
    Opportunity(people, "kam2", at=3).qualify(13).design(23)


def test_funnel_counts_conversions_and_losses(deals):
    result = report("funnel", process=PROCESS)
    stages = rows_by(result, "stages", "stage")
    assert {stage: stages[stage]["entered"] for stage in stages} == {
        "qualification": 4, "solution_design": 3, "proposal": 2, "negotiation": 1, "won": 1, "lost": 2}
    assert stages["qualification"]["to_next"] == 0.75          # 3 of 4 reached solution design
    assert stages["solution_design"]["to_next"] == 0.6667       # 2 of 3
    assert stages["proposal"]["to_next"] == 0.5
    assert stages["negotiation"]["to_next"] == 1.0              # negotiation → won
    assert stages["qualification"]["to_won"] == 0.25
    assert stages["solution_design"]["to_won"] == 0.3333
    assert stages["qualification"]["lost_here"] == 1 and stages["solution_design"]["lost_here"] == 1
    assert result.summary == {"records": 4, "won": 1, "lost": 2, "win_rate": 0.3333, "currency": "EUR",
                              "open_amount": 100000.0, "unconverted": []}


def test_funnel_by_owner(deals):
    result = report("funnel", process=PROCESS, by="owner")
    groups = rows_by(result, "groups", "group")
    assert groups["kam"]["records"] == 2 and groups["kam"]["win_rate"] == 0.5
    assert groups["kam2"]["records"] == 2 and groups["kam2"]["win_rate"] == 0.0 and groups["kam2"]["open"] == 1
    stages = rows_by(result, "stages", "group", "stage")
    assert stages[("kam2", "proposal")]["entered"] == 1
    assert stages[("kam", "won")]["entered"] == 1


def test_funnel_date_range_selects_records_by_creation(deals):
    result = report("funnel", process=PROCESS, date_from=day(2).date())
    assert rows_by(result, "stages", "stage")["qualification"]["entered"] == 2   # C and D
