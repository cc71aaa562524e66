"""The process-wide memo of compiled SQL (`sqlmemo`): a new backend, new in-memory tables and a new "now" hit
it, and what changed (the data of an in-memory table, "now") gives the new result, never a stale one."""

from __future__ import annotations

import datetime
import json
from typing import Any

import ibis
import pytest

from salesflow.analytics.reports import Params, run_report, sqlmemo
from salesflow.analytics.reports.base import ts
from salesflow.analytics.source import load_data
from tests.analytics.build import PROCESS, Opportunity, day

NOW = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=datetime.UTC)


def _backend() -> Any:
    """A new DuckDB with the same small table of events."""
    backend = ibis.duckdb.connect()
    backend.raw_sql("SET TimeZone = 'UTC'")
    backend.raw_sql("""CREATE TABLE events AS SELECT * FROM (VALUES
        (1, 'a', TIMESTAMPTZ '2027-02-01 10:00:00+00'), (2, 'b', TIMESTAMPTZ '2027-02-20 10:00:00+00'),
        (3, 'a', TIMESTAMPTZ '2027-03-10 10:00:00+00')) AS t(id, kind, "at")""")
    return backend


def _expression(backend: Any, now: datetime.datetime, kinds: list[str]) -> Any:
    """Events before ``now`` of the ``kinds`` (an in-memory table), with their age at ``now``."""
    events = backend.table("events")
    wanted = ibis.memtable({"kind": kinds}, schema=ibis.schema({"kind": "string"}))
    past = events.filter(events["at"] <= ts(now)).join(wanted, "kind")
    return past.select("id", "kind", age=(ts(now).epoch_seconds() - past["at"].epoch_seconds())).order_by("id")


@pytest.fixture(autouse=True)
def _fresh_memo() -> None:
    sqlmemo.clear()


def _counts() -> tuple[int, int, int]:
    return sqlmemo.STATS.hits, sqlmemo.STATS.misses, sqlmemo.STATS.fallbacks


def test_a_new_backend_hits_the_memo_and_gives_the_same_rows() -> None:
    first = _backend()
    expected = first.to_pyarrow(_expression(first, NOW, ["a", "b"]))
    hits, misses, fallbacks = _counts()
    assert sqlmemo.to_pyarrow(first, _expression(first, NOW, ["a", "b"]), NOW).equals(expected)
    assert _counts() == (hits, misses + 1, fallbacks)

    second = _backend()     # another backend, another in-memory table with the same data
    result = sqlmemo.to_pyarrow(second, _expression(second, NOW, ["a", "b"]), NOW)
    assert _counts() == (hits + 1, misses + 1, fallbacks)
    assert result.equals(expected)
    assert result.schema == expected.schema      # the types Ibis gives
    assert result.to_pylist() == [{"id": 1, "kind": "a", "age": 28 * 86400 + 7200},
                                  {"id": 2, "kind": "b", "age": 9 * 86400 + 7200}]


def test_another_now_hits_the_memo_with_the_new_now() -> None:
    backend = _backend()
    sqlmemo.to_pyarrow(backend, _expression(backend, NOW, ["a", "b"]), NOW)
    later = NOW + datetime.timedelta(days=20)
    hits, misses, _fallbacks = _counts()
    result = sqlmemo.to_pyarrow(_backend(), _expression(backend, later, ["a", "b"]), later)
    assert _counts()[:2] == (hits + 1, misses)
    assert result.equals(backend.to_pyarrow(_expression(backend, later, ["a", "b"])))
    assert [row["id"] for row in result.to_pylist()] == [1, 2, 3]


def test_other_data_in_an_in_memory_table_is_not_served_stale() -> None:
    backend = _backend()
    assert [row["id"] for row in sqlmemo.to_pyarrow(backend, _expression(backend, NOW, ["a"]), NOW).to_pylist()] == [1]
    _hits, misses, _fallbacks = _counts()
    # the same connection, the same expression, other data: another table name, compiled anew
    result = sqlmemo.to_pyarrow(backend, _expression(backend, NOW, ["b"]), NOW)
    assert _counts()[1] == misses + 1
    assert [row["id"] for row in result.to_pylist()] == [2]


def test_cached_tables_are_named_after_their_sql_and_hold_this_runs_rows() -> None:
    first, second = _backend(), _backend()
    table_one = sqlmemo.cached_table(first, _expression(first, NOW, ["a", "b"]), NOW)
    later = NOW + datetime.timedelta(days=20)
    table_two = sqlmemo.cached_table(second, _expression(second, later, ["a", "b"]), later)
    name = table_one.op().name
    assert name.startswith(sqlmemo.CACHE_PREFIX) and table_two.op().name == name    # stable from run to run
    assert table_one.schema() == _expression(first, NOW, ["a"]).schema()
    assert [row["id"] for row in sqlmemo.to_pyarrow(first, table_one, NOW).to_pylist()] == [1, 2]
    assert [row["id"] for row in sqlmemo.to_pyarrow(second, table_two, later).to_pylist()] == [1, 2, 3]
    # on one connection the same expression for another "now" cannot reuse the name: Ibis' own cache
    other = sqlmemo.cached_table(first, _expression(first, later, ["a", "b"]), later)
    assert other.op().name != name
    assert [row["id"] for row in first.to_pyarrow(other).to_pylist()] == [1, 2, 3]


def _json(kind: str, now: datetime.datetime, **params: Any) -> str:
    return json.dumps(run_report(kind, load_data("duckdb", None, now), Params(**params)).to_data(),
                      sort_keys=True, default=str)


@pytest.fixture
def deals(people):
    Opportunity(people, "kam", at=0).qualify(10).design(30).propose(40).win(60)
    Opportunity(people, "kam", at=1).qualify(5).lose(20)
    Opportunity(people, "kam2", at=3, amount="40000").qualify(13).design(23)


@pytest.mark.parametrize("kind", ["forecast", "waterfall", "durations"])
def test_reports_from_the_memo_equal_those_compiled_anew(deals, kind: str) -> None:
    first = _json(kind, day(100), process=PROCESS)
    hits, misses, _fallbacks = _counts()
    assert _json(kind, day(100), process=PROCESS) == first
    assert _counts()[1] == misses and _counts()[0] > hits      # every query from the memo
    # another moment: the memo's SQL with the new now gives what compiling anew gives
    from_memo = _json(kind, day(35), process=PROCESS)
    sqlmemo.clear()
    assert _json(kind, day(35), process=PROCESS) == from_memo
    assert from_memo != first


def test_a_run_keeps_its_converted_records_when_a_later_run_converts_for_another_day(people) -> None:
    from salesflow.currency.services import do_set_rate
    from salesflow.records import services

    do_set_rate("2027-01-01", "USD", "EUR", "0.9")
    do_set_rate("2027-02-01", "USD", "EUR", "0.8")
    services.do_create_record(PROCESS, people["kam"], {"title": "US deal", "amount": "100000", "currency": "USD",
                                                       "close_date": "2027-06-30"}, at=day(0))
    january = load_data("duckdb", None, datetime.datetime(2027, 1, 15, 12, tzinfo=datetime.UTC))
    february = load_data("duckdb", None, datetime.datetime(2027, 2, 15, 12, tzinfo=datetime.UTC))
    amounts = january.records.select("amount", "rate")
    assert january.rows(amounts) == [{"amount": 90000.0, "rate": 0.9}]       # the table of its own day
    assert february.rows(february.records.select("amount", "rate")) == [{"amount": 80000.0, "rate": 0.8}]
    # a new rate: the next run converts again
    do_set_rate("2027-02-10", "USD", "EUR", "0.7")
    march = load_data("duckdb", None, datetime.datetime(2027, 2, 15, 12, tzinfo=datetime.UTC))
    assert march.rows(march.records.select("amount", "rate")) == [{"amount": 70000.0, "rate": 0.7}]
    assert january.rows(amounts) == [{"amount": 90000.0, "rate": 0.9}]
