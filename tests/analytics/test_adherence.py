"""Adherence per owner: gates passed vs overridden (with reasons), stages skipped, activities missing,
outcome requirements, SLA breaches and the adherence score — all counted by hand."""

from __future__ import annotations

import pytest

from salesflow.analytics.reports.adherence import adherence_score
from tests.analytics.build import PROCESS, Opportunity, report, rows_by


@pytest.fixture
def history(people):
    # kam, E: moved on with an override after 40 days (customer_workshop, budget, decision_date missing),
    #         then lost without informing the customer (override).
    e = Opportunity(people, "kam", at=0).do("risk_analysis", 40)
    e.move("solution_design", 40, override="Strategic customer, workshop next week")
    e.lose(50, inform=False)
    # kam, F: clean: qualified after 5 days, lost with the customer informed.
    Opportunity(people, "kam", at=0).qualify(5).lose(10)
    # kam2, G: clean win.
    Opportunity(people, "kam2", at=0).qualify(2).design(4).propose(6).win(8)
    # kam2, H: straight from qualification to Won by override (three stages skipped).
    Opportunity(people, "kam2", at=0).move("won", 3, override="Signed at the trade fair")


def test_adherence_counts_per_owner(history):
    groups = rows_by(report("adherence", process=PROCESS), "groups", "group")
    kam, kam2 = groups["kam"], groups["kam2"]
    assert (kam["forward_moves"], kam["gates_passed"], kam["gates_overridden"], kam["overrides"]) == (2, 1, 1, 2)
    assert kam["missing_activities"] == 2           # customer_workshop, then customer_informed
    assert (kam["closes"], kam["closes_met"], kam["lost"], kam["lost_met"]) == (2, 1, 2, 1)
    assert (kam["limited_stays"], kam["sla_breaches"]) == (4, 1)   # E waited 40 days in qualification (limit 30)
    assert kam["score"] == 62.5                    # (1 + 1 + 4 − 1) / (2 + 2 + 4)
    assert (kam2["forward_moves"], kam2["gates_passed"], kam2["gates_overridden"]) == (5, 4, 1)
    assert kam2["stages_skipped"] == 3
    # H's override: 2 qualification + 3 solution design + 2 proposal + 2 negotiation activities + Won's 2
    assert kam2["missing_activities"] == 11
    assert (kam2["closes"], kam2["closes_met"], kam2["limited_stays"], kam2["sla_breaches"]) == (2, 1, 5, 0)
    assert kam2["score"] == 83.3                   # (4 + 1 + 5) / (5 + 2 + 5)


def test_override_reasons_are_listed(history):
    reasons = report("adherence", process=PROCESS).tables["reasons"].rows
    assert [row["reason"] for row in reasons] == ["Strategic customer, workshop next week",
                                                  "Customer unreachable, closed anyway", "Signed at the trade fair"]
    assert reasons[0]["group"] == "kam" and reasons[0]["unmet"] == 3


def test_score_without_checks_is_none():
    assert adherence_score({"forward_moves": 0, "closes": 0, "limited_stays": 0, "gates_passed": 0,
                            "closes_met": 0, "sla_breaches": 0}) is None
