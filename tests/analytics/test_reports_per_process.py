"""Every report runs for one process (``--process``), also for a lead process; an unknown process is refused."""

from __future__ import annotations

import pytest

from salesflow.analytics.periods import parse_period
from salesflow.analytics.reports import KINDS
from salesflow.engine.errors import BadInput
from tests.analytics.build import Opportunity, report, rows_by
from tests.analytics.chain import Chain, load_processes


@pytest.fixture
def leads(people):
    """L1 new (day 0) → qualified (3) → converted (6); L2 new (1) → disqualified (2); L3 new since day 2.
    An opportunity of the default process is there too and must not show up."""
    load_processes()
    chain = Chain(people)
    first = chain.lead(0, "fair")
    chain.move(first, "qualified", 3)
    chain.move(first, "converted", 6)
    chain.move(chain.lead(1, "web"), "disqualified", 2)
    chain.lead(2)
    Opportunity(people, "kam", at=0).qualify(2).design(3).propose(4).win(5)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_report_runs_for_a_lead_process(leads, kind):
    result = report(kind, process="a-lead", period=parse_period("2027-Q1"))
    assert result.params["process"] == "a-lead"
    for table in result.tables.values():
        for row in table.rows:
            assert row.get("process") in (None, "a-lead"), (kind, row)


def test_lead_numbers_by_hand(leads):
    funnel = rows_by(report("funnel", process="a-lead"), "stages", "stage")
    assert {stage: row["entered"] for stage, row in funnel.items()} == {
        "new": 3, "qualified": 1, "converted": 1, "disqualified": 1}
    assert funnel["new"]["to_next"] == 0.3333 and funnel["new"]["lost_here"] == 1
    winrate = report("winrate", process="a-lead")
    assert (winrate.summary["closed"], winrate.summary["win_rate"]) == (2, 0.5)
    durations = report("durations", process="a-lead")
    stages = rows_by(durations, "stages", "stage")
    assert (stages["new"]["stays"], stages["new"]["median_days"], stages["new"]["over_limit"]) == (3, 2.0, 1)
    assert durations.summary["cycle_process"] == "a-lead"
    assert durations.summary["cycle_won_median_days"] == 6.0
    assert durations.summary["cycle_lost_median_days"] == 1.0
    adherence = report("adherence", process="a-lead")
    assert adherence.summary["closes"] == 2 and adherence.summary["sla_breaches"] == 1


def test_unknown_process_is_refused(leads):
    with pytest.raises(BadInput, match="--process: unknown process 'nope'"):
        report("funnel", process="nope")
