"""Every total in the corporate currency: with USD→EUR 0.9, open opportunities of 100 000 EUR and 100 000 USD
in the same stage are 190 000 EUR in the forecast and in the funnel — on DuckDB and on PostgreSQL; a record in
a currency without a rate is named and not added."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from salesflow.analytics.periods import parse_period
from salesflow.analytics.reports import Params, run_report
from salesflow.analytics.snapshots import take_snapshot
from salesflow.analytics.source import data_for
from salesflow.currency.services import do_set_rate
from salesflow.records import services
from tests.records.conftest import add_people

pytestmark = pytest.mark.django_db(transaction=True)
PROCESS = "opportunity-management"
ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs the PostgreSQL pass (SALESFLOW_TEST_DATABASE=postgres)"))]


def open_deals(currencies: tuple[str, ...]) -> dict[str, int]:
    people = add_people()
    do_set_rate("2026-01-01", "USD", "EUR", "0.9")
    return {currency: services.do_create_record(PROCESS, people["kam"], {
        "title": f"Deal in {currency}", "amount": "100000", "currency": currency, "close_date": "2027-03-31"}).pk
        for currency in currencies}


@pytest.mark.parametrize("engine", ENGINES)
def test_forecast_and_funnel_add_up_in_the_corporate_currency(cli, engine):
    open_deals(("EUR", "USD"))
    forecast = cli("report", "forecast", "--period", "2027-Q1", "--engine", engine, "--format", "json")
    assert forecast.code == 0, forecast
    summary = forecast.json()["summary"]
    assert summary["currency"] == "EUR"
    assert summary["pipeline"] == 190000.0 and summary["open_amount"] == 190000.0
    assert summary["weighted"] == 19000.0 and summary["rates"] == {"USD": 0.9}
    assert summary["unconverted"] == []
    assert 19000.0 <= summary["monte_carlo"]["p90"] <= 190000.0
    records = {row["currency"]: row for row in forecast.json()["tables"]["records"]["rows"]}
    assert records["USD"]["amount"] == 90000.0 and records["USD"]["amount_original"] == 100000.0
    funnel = cli("report", "funnel", "--engine", engine, "--format", "json").json()
    assert funnel["summary"]["open_amount"] == 190000.0 and funnel["summary"]["currency"] == "EUR"
    stage = next(row for row in funnel["tables"]["stages"]["rows"] if row["stage"] == "qualification")
    assert (stage["open"], stage["open_amount"]) == (2, 190000.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_record_without_a_rate_is_named_and_not_added(cli, engine):
    ids = open_deals(("EUR", "USD", "CHF"))
    forecast = cli("report", "forecast", "--period", "2027-Q1", "--engine", engine, "--format", "json").json()
    assert forecast["summary"]["pipeline"] == 190000.0
    assert forecast["summary"]["unconverted"] == [{"record_id": ids["CHF"], "currency": "CHF", "amount": 100000.0}]
    assert any(f"Record {ids['CHF']} (100,000.00 CHF): no exchange rate CHF → EUR" in note
               for note in forecast["notes"])
    funnel = cli("report", "funnel", "--engine", engine, "--format", "json").json()
    assert funnel["summary"]["open_amount"] == 190000.0
    assert [item["record_id"] for item in funnel["summary"]["unconverted"]] == [ids["CHF"]]
    table = cli("report", "forecast", "--period", "2027-Q1", "--engine", engine)
    assert f"Record {ids['CHF']} (100,000.00 CHF): no exchange rate CHF → EUR" in table.out


def test_past_forecasts_and_snapshots_keep_the_rates_of_their_time():
    people = add_people()
    do_set_rate("2026-01-01", "USD", "EUR", "0.9")
    do_set_rate("2026-06-01", "USD", "EUR", "0.8")
    services.do_create_record(PROCESS, people["kam"], {"title": "US deal", "amount": "100000", "currency": "USD",
                                                       "close_date": "2026-06-30"}, at=at(2026, 3, 1))
    with data_for("duckdb", None, at(2026, 7, 1)) as data:
        april = run_report("forecast", data, Params(period=parse_period("2026-Q2"), as_of=at(2026, 4, 1)))
        today = run_report("forecast", data, Params(period=parse_period("2026-Q2")))
    assert (april.summary["pipeline"], april.summary["rates"]) == (90000.0, {"USD": 0.9})
    assert today.summary["overdue_amount"] == 80000.0
    snapshot = take_snapshot(periods=[parse_period("2026-Q2")], at=at(2026, 4, 1))[0]
    assert snapshot.currency == "EUR" and snapshot.pipeline == 90000
    assert snapshot.detail["rates"] == {"USD": 0.9} and snapshot.detail["rates_date"] == "2026-04-01"


def at(year: int, month: int, day: int):
    return datetime.datetime(year, month, day, 12, tzinfo=datetime.UTC)
