"""Forecast submissions and adjustments (issue 20): a KAM submits, the team's manager adjusts with a note, the
Head of Sales sees both in `forecast rollup`; a KAM cannot adjust (exit 4); every step is in the chain and
`audit verify` passes; the weekly lock freezes the figures into the snapshot; the API and the roll-up's rules."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

from salesflow.analytics.models import ForecastSnapshot
from salesflow.forecasting import locks, services
from salesflow.forecasting.models import ForecastLock
from salesflow.forecasting.rollup import Inputs, TeamNode, rollup
from salesflow.people.models import Team
from salesflow.people.services import do_add_user
from salesflow.people.tokens import create_token
from salesflow.records.models import Event
from tests.analytics.build import Opportunity
from tests.api.conftest import Api

PERIOD = "2027-Q1"


@pytest.fixture
def hierarchy(people, cli):
    people["lead"] = do_add_user("lead", ["kam"], ["North"], first_name="Lea", last_name="Lead")
    Team.objects.create(name="Sales")
    assert cli("forecast", "team", "Sales", "--manager", "head", "--as", "head").code == 0
    assert cli("forecast", "team", "North", "--parent", "Sales", "--manager", "lead", "--as", "head").code == 0
    assert cli("forecast", "team", "South", "--parent", "Sales", "--as", "head").code == 0
    Opportunity(people, "kam", amount="100000", close_date="2027-03-15").qualify(2).design(4)   # 50 %
    Opportunity(people, "kam2", amount="200000", close_date="2027-02-28")                        # 10 %
    return people


def _rows(data):
    return {(row["level"], row["name"]): row for row in data["rows"]}


def test_kam_submits_manager_adjusts_head_sees_both(hierarchy, cli):
    submitted = cli("forecast", "submit", "--period", PERIOD, "--commit", "180000", "--best-case", "250000",
                    "--note", "Two deals in negotiation", "--as", "kam")
    assert submitted.code == 0, submitted
    refused = cli("forecast", "adjust", "--period", PERIOD, "--team", "North", "--commit", "1", "--note", "x",
                  "--as", "kam")
    assert refused.code == 4 and "may not adjust" in refused.err
    assert cli("forecast", "adjust", "--period", PERIOD, "--commit", "1", "--note", "x", "--as", "lead").code == 4
    assert cli("forecast", "adjust", "--period", PERIOD, "--team", "South", "--commit", "1", "--note", "x",
               "--as", "lead").code == 4                       # not lead's team
    assert cli("forecast", "adjust", "--period", PERIOD, "--team", "North", "--commit", "150000",
               "--as", "lead", "--note", "").code == 1          # a note is required
    adjusted = cli("forecast", "adjust", "--period", PERIOD, "--team", "North", "--commit", "150000",
                   "--note", "Second deal slips to Q2", "--as", "lead")
    assert adjusted.code == 0, adjusted
    data = cli("forecast", "rollup", "--period", PERIOD, "--as", "head", "--json").json()
    rows = _rows(data)
    assert rows[("owner", "kam")]["submitted_commit"] == 180000.0
    assert rows[("owner", "kam")]["submitted_best_case"] == 250000.0
    assert rows[("owner", "kam")]["weighted"] == 50000.0
    assert rows[("owner", "kam")]["notes"][0]["text"] == "Two deals in negotiation"
    north = rows[("team", "North")]
    assert (north["submitted_commit"], north["adjusted_commit"], north["final_commit"]) == (180000.0, 150000.0,
                                                                                         150000.0)
    assert north["notes"][0] == {"by": "lead", "kind": "adjustment", "at": north["notes"][0]["at"],
                                 "text": "Second deal slips to Q2"}
    assert rows[("team", "South")]["weighted"] == 20000.0 and rows[("team", "South")]["final_commit"] is None
    assert rows[("team", "Sales")]["final_commit"] == 150000.0 and rows[("team", "Sales")]["weighted"] == 70000.0
    assert rows[("organisation", "(organisation)")]["final_commit"] == 150000.0
    for key in ("weighted", "submitted_commit", "submitted_best_case", "adjusted_commit", "final_commit", "notes"):
        assert key in north
    head = cli("forecast", "adjust", "--period", PERIOD, "--commit", "400000", "--note", "Board view", "--as", "head")
    assert head.code == 0
    kinds = list(Event.objects.filter(kind__startswith="forecast_").values_list("kind", flat=True))
    assert kinds == ["forecast_submitted", "forecast_adjusted", "forecast_adjusted"]
    assert Event.objects.filter(kind="team_structure_set").count() == 3
    verified = cli("audit", "verify")
    assert verified.code == 0, verified
    # a KAM sees their own row only
    own = cli("forecast", "rollup", "--period", PERIOD, "--as", "kam", "--json").json()
    assert [(row["level"], row["name"]) for row in own["rows"]] == [("owner", "kam")]
    lead = {(row["level"], row["name"]) for row in cli("forecast", "rollup", "--period", PERIOD, "--as", "lead",
                                                           "--json").json()["rows"]}
    assert ("team", "North") in lead and ("owner", "kam") in lead and ("team", "South") not in lead


def test_bad_input_changes_nothing(hierarchy, cli):
    for args, message in ((("--commit", "abc", "--best-case", "1"), "--commit: a number"),
                          (("--commit", "5", "--best-case", "1"), "below --commit"),
                          (("--commit", "-5", "--best-case", "1"), "≥ 0")):
        result = cli("forecast", "submit", "--period", PERIOD, *args, "--as", "kam")
        assert result.code == 1 and message in result.err, result
    old = cli("forecast", "submit", "--period", "2020-Q1", "--commit", "1", "--best-case", "2", "--as", "kam")
    assert old.code == 1 and "has ended" in old.err
    cycle = cli("forecast", "team", "Sales", "--parent", "North", "--as", "head")
    assert cycle.code == 1 and "without cycles" in cycle.err
    assert cli("forecast", "team", "North", "--manager", "kam", "--as", "kam").code == 4
    assert not Event.objects.filter(kind__startswith="forecast_").exists()


def test_weekly_lock_freezes_the_figures(hierarchy, settings):
    settings.TIME_ZONE = "UTC"
    services.do_submit(hierarchy["kam"], PERIOD, "180000", "250000", "first call")
    now = datetime.datetime(2026, 12, 9, 12, 0, tzinfo=datetime.UTC)          # a Wednesday
    assert locks.lock_instant(now) == datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC)  # Monday 10:00
    from salesflow.analytics.periods import parse_period

    done = locks.do_lock(now, [parse_period(PERIOD)])
    assert len(done) == 1 and locks.do_lock(now, [parse_period(PERIOD)]) == []
    lock = ForecastLock.objects.get()
    snapshot = ForecastSnapshot.objects.get(pk=lock.snapshot_id)
    frozen = {(row["level"], row["name"]): row for row in snapshot.detail["rollup"]["rows"]}
    assert frozen[("owner", "kam")]["submitted_commit"] == 180000.0
    assert Event.objects.filter(kind="forecast_locked").count() == 1


def test_audit_verify_finds_a_tampered_forecast(hierarchy, cli, settings):
    """`audit verify` compares submissions, adjustments and locks with their events: a changed commit, a row
    deleted behind the log's back and an altered lock are each named (exit 1)."""
    settings.TIME_ZONE = "UTC"
    submission = services.do_submit(hierarchy["kam"], PERIOD, "180000", "250000", "first call")
    adjustment = services.do_adjust(hierarchy["head"], PERIOD, "North", "150000", "Second deal slips")
    from salesflow.analytics.periods import parse_period

    locks.do_lock(datetime.datetime(2026, 12, 9, 12, 0, tzinfo=datetime.UTC), [parse_period(PERIOD)])
    verified = cli("audit", "verify")
    assert verified.code == 0, verified
    assert "3 forecast submissions, adjustments and locks agree with their events" in verified.out

    type(submission).objects.filter(pk=submission.pk).update(commit=Decimal("240000"))
    tampered = cli("audit", "verify", "--json")
    assert tampered.code == 1
    assert f"forecast submission {submission.pk}: commit differ(s) from event {submission.event_seq}" in tampered.err
    data = tampered.json()
    assert data["ok"] is False and data["forecasts"]["problems"] == 1
    assert data["forecasts"]["listed"][0]["fields"] == ["commit"]

    lock = ForecastLock.objects.get()
    lock.figures["rows"][0]["final_commit"] = 999.0
    lock.save(update_fields=["figures"])
    type(adjustment).objects.filter(pk=adjustment.pk).delete()
    problems = cli("audit", "verify").err
    assert f"forecast adjustment: event {adjustment.event_seq} records it, but it is not in the database" in problems
    assert f"forecast lock {lock.pk}: final_commit differ(s) from event {lock.event_seq}" in problems


def test_api(hierarchy):
    api = Api(create_token(hierarchy["kam"], "test")[1])
    created = api.post("/api/forecast/submissions", {"period": PERIOD, "commit": "120000", "best_case": "130000"})
    assert created.status_code == 201, created.content
    assert api.post("/api/forecast/adjustments", {"period": PERIOD, "team": "North", "commit": "1",
                                                  "note": "x"}).status_code == 403
    data = api.get("/api/forecast/rollup", {"period": PERIOD}).json()
    assert data["rows"][0]["submitted_commit"] == 120000.0


def test_rollup_rules():
    teams = {"Sales": TeamNode("Sales", None, "head", set()), "North": TeamNode("North", "Sales", "lead", {"a", "b"}),
             "South": TeamNode("South", "Sales", None, {"c"})}
    inputs = Inputs(teams, system={"a": {"won": Decimal(0), "weighted": Decimal(10), "expected": Decimal(10)}},
                    submissions={"a": {"commit": Decimal(5), "best_case": Decimal(8), "note": "", "at": "t"},
                                 "c": {"commit": Decimal(7), "best_case": Decimal(9), "note": "", "at": "t"}},
                    adjustments={"South": {"commit": Decimal(3), "best_case": None, "note": "n", "by": "head",
                                           "at": "t"}})
    rows = {(row["level"], row["name"]): row for row in rollup(inputs)}
    assert rows[("team", "Sales")]["final_commit"] == Decimal(8)       # North 5 + South adjusted 3
    assert rows[("team", "Sales")]["submitted_commit"] == Decimal(12)
    assert rows[("team", "South")]["final_best_case"] == Decimal(9)    # no adjusted best case: the submissions'
    assert ("owner", "b") not in rows                                  # nothing to show for b
    assert json.dumps(services.to_json(rows[("team", "Sales")]))
