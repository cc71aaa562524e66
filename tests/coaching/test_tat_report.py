"""`salesflow report tat`: per step count, median, P90 and share over max_days, from the event log (any process).

Qualification (limit 30 days): stays of 10, 20 and 40 days → median 20, P90 20 + 0.8 · 20 = 36, one over.
Solution design (limit 45): A 2 days and C 1 day completed, B still there after 80 days (measured at day 100)
→ median 1.5, P90 1 + 0.9 · 1 = 1.9, one over.
"""

from __future__ import annotations

from tests.analytics.build import Opportunity, report, rows_by


def test_tat_per_step(people) -> None:
    Opportunity(people, "kam", at=0).qualify(10).lose(12)      # A
    Opportunity(people, "kam", at=0).qualify(20)               # B, still in solution design
    Opportunity(people, "kam2", at=0).qualify(40).lose(41)     # C
    result = report("tat")                                      # every process, at day 100
    steps = rows_by(result, "steps", "stage")
    qualification, design = steps["qualification"], steps["solution_design"]
    assert (qualification["count"], qualification["completed"]) == (3, 3)
    assert (qualification["median_days"], qualification["p90_days"]) == (20.0, 36.0)
    assert (qualification["max_days"], qualification["over_limit"], qualification["share_over"]) == (30, 1, 0.3333)
    assert (design["count"], design["completed"], design["median_days"], design["p90_days"]) == (3, 2, 1.5, 1.9)
    assert (design["over_limit"], design["share_over"]) == (1, 0.3333)
    assert result.summary["stays"] == 6 and result.summary["over_limit"] == 2


def test_tat_cli_json_names_every_process(cli, people) -> None:
    Opportunity(people, "kam", at=0)
    result = cli("report", "tat", "--format", "json")
    assert result.code == 0, result
    data = result.json()
    assert data["kind"] == "tat"
    assert [column["key"] for column in data["tables"]["steps"]["columns"]] == [
        "process", "stage", "count", "completed", "median_days", "p90_days", "max_days", "over_limit", "share_over"]
    assert cli("report", "tat", "--process", "nope", "--format", "json").code == 1
