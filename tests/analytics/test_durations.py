"""Time in stage (median, P75, P90, mean of completed stays), stays over max_days, cycle time — by hand."""

from __future__ import annotations

from tests.analytics.build import Opportunity, report, rows_by


def test_time_in_stage_and_cycle_time(people):
    Opportunity(people, "kam", at=0).qualify(10).design(30).propose(40).win(60)    # stays 10, 20, 10, 20
    Opportunity(people, "kam", at=1).qualify(5).lose(20)                           # stays 4, 15
    Opportunity(people, "kam2", at=2).lose(4)                                      # stay 2
    Opportunity(people, "kam2", at=3).qualify(13).design(23)                       # stays 10, 10, proposal open
    result = report("durations")                                                   # now: day 100
    stages = rows_by(result, "stages", "stage")
    # qualification: completed stays 2, 4, 10, 10 days
    assert stages["qualification"]["completed"] == 4
    assert stages["qualification"]["median_days"] == 7.0
    assert stages["qualification"]["p75_days"] == 10.0
    assert stages["qualification"]["mean_days"] == 6.5
    # solution design: 10, 15, 20 → P75 at position 1.5 = 17.5, P90 at 1.8 = 19
    assert (stages["solution_design"]["median_days"], stages["solution_design"]["p75_days"],
            stages["solution_design"]["p90_days"]) == (15.0, 17.5, 19.0)
    # proposal: one completed stay of 10 days; D is there since day 23 (77 days > max_days 30)
    assert stages["proposal"]["completed"] == 1 and stages["proposal"]["open"] == 1
    assert stages["proposal"]["over_limit"] == 1 and stages["proposal"]["share_over"] == 0.5
    assert stages["qualification"]["over_limit"] == 0
    cycle = rows_by(result, "cycle", "outcome")
    assert cycle["won"]["records"] == 1 and cycle["won"]["median_days"] == 60.0
    # lost after 19 (B) and 2 (C) days
    assert cycle["lost"]["median_days"] == 10.5
    assert cycle["lost"]["p75_days"] == 14.75 and cycle["lost"]["p90_days"] == 17.3
