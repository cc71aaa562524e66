"""Targets: set, replace, import a CSV (all or nothing, problems named by file, line and column), and how
targets add up for a period and scope."""

from __future__ import annotations

import pytest

from salesflow.analytics.models import Target
from salesflow.analytics.periods import parse_period
from salesflow.analytics.planning import target_for
from salesflow.analytics.targets import TargetInput, do_set_target, import_targets_csv
from salesflow.engine.errors import BadInput
from salesflow.records.models import Event


def test_set_replaces_and_logs_an_event(people):
    do_set_target(TargetInput(period="2027-q1", amount="100000", team="North"), people["head"])
    do_set_target(TargetInput(period="2027-Q1", amount="120 000", team="North"), people["head"])
    target = Target.objects.get()
    assert (target.period, target.team, target.amount, target.process) == ("2027-Q1", "North", 120000,
                                                                           "opportunity-management")
    assert Event.objects.filter(kind="target_set").count() == 2


@pytest.mark.parametrize(("item", "message"), [
    (TargetInput(period="2027-Q5", amount="1"), "period:"),
    (TargetInput(period="2027-Q1", amount="lots"), "amount: a number is expected"),
    (TargetInput(period="2027-Q1", amount="1", team="West"), "team: unknown team 'West'"),
    (TargetInput(period="2027-Q1", amount="1", type="upsell"), "type: unknown type 'upsell'"),
    (TargetInput(period="2027-Q1", amount="1", team="North", owner="kam"), "scope: give at most one"),
])
def test_bad_targets_are_refused(people, item, message):
    with pytest.raises(BadInput, match=message):
        do_set_target(item)


def test_csv_import_is_all_or_nothing_and_names_line_and_column(people, tmp_path):
    good = tmp_path / "targets.csv"
    good.write_text("period,amount,team,owner,type\n2027-Q1,300000,North,,\n2027-01,50000,,kam,\n"
                    "2027-Q1,80000,,,new_business\n", encoding="utf-8")
    assert len(import_targets_csv(good)) == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("period,amount,team\n2027-Q2,1000,North\n2027-Q2,many,South\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"bad.csv:3: column amount: a number is expected"):
        import_targets_csv(bad)
    assert Target.objects.filter(period="2027-Q2").count() == 0
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("period,amount,region\n2027-Q2,1,x\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"unknown.csv:1: unknown column 'region'"):
        import_targets_csv(unknown)


def test_targets_add_up_from_finer_periods_and_teams():
    targets = [
        {"period": "2027-01", "process": "p", "team": "North", "owner": None, "type": None, "amount": 10.0},
        {"period": "2027-02", "process": "p", "team": "North", "owner": None, "type": None, "amount": 20.0},
        {"period": "2027-Q1", "process": "p", "team": "South", "owner": None, "type": None, "amount": 5.0},
        {"period": "2027-Q1", "process": "other", "team": None, "owner": None, "type": None, "amount": 99.0},
    ]
    q1 = parse_period("2027-Q1")
    assert target_for(targets, q1, "p", "team", "North") == 30.0          # the months of the quarter
    assert target_for(targets, q1, "p") == 35.0                           # no company target: the teams
    assert target_for(targets, parse_period("2027-01"), "p", "team", "South") is None   # never prorated
    targets.append({"period": "2027-Q1", "process": "p", "team": None, "owner": None, "type": None, "amount": 50.0})
    assert target_for(targets, q1, "p") == 50.0                           # a company target wins
    assert target_for(targets, parse_period("2027"), "p") == 50.0          # the year from its quarters
