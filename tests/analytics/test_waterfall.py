"""Pipeline waterfall of 2027-Q1 from 14 to 24 January 2027: one record for each kind of change, the steps
adding up to the cent, start and end equal to the forecast's open pipeline as of those days."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from salesflow.analytics.periods import parse_period
from salesflow.analytics.reports import Params
from salesflow.analytics.reports.waterfall import waterfall_data
from salesflow.analytics.source import load_data
from salesflow.currency.services import do_set_rate
from tests.analytics.build import Opportunity, day, report

Q1 = parse_period("2027-Q1")
D1, D2 = day(10).date(), day(20).date()       # 2027-01-14, 2027-01-24


@pytest.fixture
def moves(people):
    created = {
        "increased": Opportunity(people, "kam", amount="100000", close_date="2027-03-15"),
        "pushed_out": Opportunity(people, "kam2", amount="200000", close_date="2027-02-28"),
        "pulled_in": Opportunity(people, "mate", amount="50000", close_date="2027-04-30"),
        "won": Opportunity(people, "kam", amount="70000", close_date="2027-03-01"),
        "lost": Opportunity(people, "kam2", amount="40000", close_date="2027-03-10"),
        "decreased": Opportunity(people, "kam", amount="30000.10", close_date="2027-03-10"),
        "outside": Opportunity(people, "mate", amount="9000", close_date="2027-06-10"),
    }
    created["pushed_out"].set(12, close_date="2027-05-15")
    created["pulled_in"].set(13, close_date="2027-03-20")
    created["new"] = Opportunity(people, "kam", amount="80000", close_date="2027-02-10", at=12)
    created["increased"].set(14, amount="120000")
    created["won"].qualify(14).design(15).propose(15).win(15)
    created["lost"].lose(16)
    created["decreased"].set(17, amount="25000.05")
    created["outside"].set(18, amount="12000")      # not in the period: no step
    created["later"] = Opportunity(people, "kam", amount="5000", close_date="2027-03-01", at=25)  # after D2
    return {kind: item.id for kind, item in created.items()}


def _total(steps):
    return sum((Decimal(str(step["amount"])) for step in steps), Decimal(0))


def test_each_change_is_its_own_step(moves):
    result = report("waterfall", period=Q1, date_from=D1, date_to=D2).to_data()
    steps = {step["kind"]: step for step in result["steps"]}
    assert list(steps) == ["new", "pulled_in", "pushed_out", "increased", "decreased", "won", "lost", "reopened"]
    expected = {"new": 80000, "pulled_in": 50000, "pushed_out": -200000, "increased": 20000,
                "decreased": Decimal("-5000.05"), "won": -70000, "lost": -40000, "reopened": 0}
    assert {kind: Decimal(str(step["amount"])) for kind, step in steps.items()} == expected
    for kind in ("new", "pulled_in", "pushed_out", "increased", "decreased", "won", "lost"):
        assert steps[kind]["count"] == 1 and [item["record_id"] for item in steps[kind]["records"]] == [moves[kind]]
    assert Decimal(str(result["start"])) == Decimal("440000.10")
    assert Decimal(str(result["end"])) == Decimal("275000.05")
    assert Decimal(str(result["start"])) + _total(result["steps"]) == Decimal(str(result["end"]))


def test_start_and_end_are_the_forecast_of_those_days(moves):
    # several periods and windows: the steps add up, the ends are what `report forecast --as-of` shows
    for period, first, last in (("2027-Q1", 1, 20), ("2027-Q1", 13, 17), ("2027-Q2", 5, 30), ("2027", 0, 40),
                                ("2027-03", 11, 16)):
        d1, d2 = day(first).date(), day(last).date()
        at1 = datetime.datetime.combine(d1, datetime.time(23, 59, 59, 999999), tzinfo=datetime.UTC)
        at2 = datetime.datetime.combine(d2, datetime.time(23, 59, 59, 999999), tzinfo=datetime.UTC)
        result = report("waterfall", period=parse_period(period), date_from=d1, date_to=d2).to_data()
        start = report("forecast", period=parse_period(period), as_of=at1).summary["open_amount"]
        end = report("forecast", period=parse_period(period), as_of=at2).summary["open_amount"]
        assert (result["start"], result["end"]) == (start, end), (period, first, last)
        assert Decimal(str(result["start"])) + _total(result["steps"]) == Decimal(str(result["end"]))


def test_revalued_and_groups_add_up(moves, people):
    do_set_rate(day(0).date(), "USD", "EUR", "0.9")
    do_set_rate(day(15).date(), "USD", "EUR", "0.8")
    usd = Opportunity(people, "kam2", amount="10000", close_date="2027-03-01")
    usd.set(1, currency="USD")
    data = load_data("duckdb", None, day(100))
    found = waterfall_data(data, Params(period=Q1, date_from=D1, date_to=D2))["groups"]["all"]
    revalued = {step["kind"]: step for step in found["steps"]}["revalued"]
    assert revalued["amount"] == Decimal("-1000.00") and revalued["count"] == 1
    by_team = report("waterfall", period=Q1, date_from=D1, date_to=D2, by="team").to_data()
    forecast = {row["group"]: row["open_amount"] for row in
                report("forecast", period=Q1, by="team",
                       as_of=datetime.datetime.combine(D2, datetime.time(23, 59), tzinfo=datetime.UTC)
                       ).tables["groups"].rows}
    for team, item in by_team["groups"].items():
        assert Decimal(str(item["start"])) + _total(item["steps"]) == Decimal(str(item["end"]))
        assert item["end"] == forecast[team]


def test_access_filter_and_bad_input(moves, people, cli):
    secret = Opportunity(people, "kam2", amount="33000", close_date="2027-02-01", at=11,
                         classification="confidential").id
    everything = report("waterfall", period=Q1, date_from=D1, date_to=D2).to_data()
    seen = report("waterfall", period=Q1, date_from=D1, date_to=D2, user=people["kam"]).to_data()
    records = [{item["record_id"] for step in result["steps"] for item in step["records"]}
               for result in (everything, seen)]
    assert secret in records[0] and secret not in records[1] and moves["new"] in records[1]
    assert Decimal(str(everything["end"])) - Decimal(str(seen["end"])) == 33000   # nor in the totals
    result = cli("report", "waterfall", "--from", "2027-01-24", "--to", "2027-01-14")
    assert result.code == 1 and "--from" in result.err
