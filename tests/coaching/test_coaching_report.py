"""`salesflow report coaching`: 1:1s held against the library's cadence per manager and person, recommended
activities done in the stages their open records passed through, stalled records and adherence — by hand.

Window day 0 – day 39 (40 days), a 1:1 every 14 days → 2 expected per person. Head manages kam (1:1s on days
10, 24, 38: 3 held) and kam2 (day 20: 1 held). Qualification recommends 3 activities, solution design 4.
- kam, R1: in qualification since day 0, risk analysis done → 1 of 3; 40 days > limit 30 → stalled.
- kam2, R2: qualified on day 2 (2 of qualification's 3 done), in solution design (0 of 4): 2 of 7; no event for
  38 days ≥ 21 in a stage with a limit → stalled. R3: created day 30, nothing done: 0 of 3, not stalled.
"""

from __future__ import annotations

import datetime

import pytest

from salesflow.coaching.services import do_hold_meeting, do_set_manager
from tests.analytics.build import Opportunity, day, report, rows_by


@pytest.fixture
def coached(people):
    do_set_manager(people["kam"], people["head"])
    do_set_manager(people["kam2"], people["head"])
    for person, days in (("kam", (10, 24, 38)), ("kam2", (20,))):
        for number in days:
            do_hold_meeting(people["head"], people[person], day(number).date(), "Pipeline review", at=day(number))
    Opportunity(people, "kam", at=0).do("risk_analysis", 1)
    Opportunity(people, "kam2", at=0).qualify(2)
    Opportunity(people, "kam2", at=30)
    return people


def window() -> dict:
    return {"date_from": day(0).date(), "date_to": day(39).date()}


def test_cadence_coverage_stalled_and_adherence(coached) -> None:
    result = report("coaching", now=day(40), **window())
    people = rows_by(result, "people", "person")
    kam, kam2 = people["kam"], people["kam2"]
    assert (kam["manager"], kam["held"], kam["expected"], kam["cadence"]) == ("head", 3, 2, 1.5)
    assert (kam2["held"], kam2["expected"], kam2["cadence"]) == (1, 2, 0.5)
    assert kam["last_meeting"] == day(38).date().isoformat() and kam["days_since"] == 1
    assert (kam["open_records"], kam["recommended"], kam["done"], kam["coverage"]) == (1, 3, 1, 0.3333)
    assert (kam2["open_records"], kam2["recommended"], kam2["done"], kam2["coverage"]) == (2, 10, 2, 0.2)
    assert (kam["stalled"], kam2["stalled"]) == (1, 1)
    assert kam["adherence"] == 0.0 and kam2["adherence"] == 100.0   # kam: one stay over its limit, nothing else
    managers = rows_by(result, "managers", "manager")
    assert managers["head"] == {"manager": "head", "people": 2, "held": 4, "expected": 4, "cadence": 0.75,
                                "on_cadence": 1}
    assert result.summary["cadence"] == 0.75 and result.summary["coverage"] == round(3 / 13, 4)
    assert "mate" not in people                                      # nobody manages mate


def test_cli_json_and_access(coached, cli) -> None:
    result = cli("report", "coaching", "--from", "2027-01-04", "--to", "2027-02-12", "--format", "json")
    assert result.code == 0, result
    assert {row["person"] for row in result.json()["tables"]["people"]["rows"]} == {"kam", "kam2"}
    # kam sees his own row only; kam2's 1:1 does not exist for him
    mine = report("coaching", now=day(40), user=coached["kam"], **window())
    assert [row["person"] for row in mine.tables["people"].rows] == ["kam"]
    assert mine.summary["held"] == 3
    assert datetime.date.fromisoformat(mine.summary["window_from"]) == day(0).date()
