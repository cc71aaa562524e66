"""What a run of the reports no longer does again: the in-memory tables of the catalog and of the people are made
once per process, a table without timestamps is digested once whatever "now", a temporary table's column
definitions are written once; the coaching report does not load the assessments; the adherence report asks
three queries and makes no temporary table; the forecast as of now does not convert the records' amounts a
second time."""

from __future__ import annotations

import datetime
from typing import Any

import ibis
import pytest

from salesflow.analytics.reports import Params, money, run_report, sqlmemo
from salesflow.analytics.reports.base import Catalog, QualityRows, StageInfo
from salesflow.analytics.source import data_for
from tests.analytics.build import Opportunity, day

NOW = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=datetime.UTC)


def _stages(probability: int) -> list[StageInfo]:
    return [StageInfo("p", 1, "a", "A", 0, 0, probability, "pipeline", 30, None),
            StageInfo("p", 1, "won", "Won", 1, -1, 100, "closed", None, "won")]


def test_the_catalog_tables_are_made_once_per_process() -> None:
    first, second = Catalog(_stages(10), requirements=[("p", 1, "won", "x")]), Catalog(_stages(10),
                                                                                        requirements=[("p", 1, "won", "x")])
    assert first.stage_table() is second.stage_table()          # another run, the same stages: the same table
    assert first.requirement_table() is second.requirement_table()
    assert first.activity_table() is second.activity_table()
    other = Catalog(_stages(20))
    assert other.stage_table() is not first.stage_table()       # other stages: another table
    assert other.stage_table().to_pyarrow().column("probability").to_pylist() == [20, 100]


def test_a_table_without_timestamps_is_digested_once_whatever_now(monkeypatch: pytest.MonkeyPatch) -> None:
    sqlmemo.clear()
    hashed: list[Any] = []
    original = sqlmemo._hash
    monkeypatch.setattr(sqlmemo, "_hash", lambda table, schema: hashed.append(schema) or original(table, schema))
    plain = ibis.memtable({"kind": ["a"]}).op()
    timed = ibis.memtable({"at": [NOW]}, schema=ibis.schema({"at": "timestamp('UTC')"})).op()
    later = NOW + datetime.timedelta(hours=1)
    assert sqlmemo._digests_of(plain, NOW) == sqlmemo._digests_of(plain, later)
    assert len(hashed) == 1
    # with a timestamp the digest depends on "now" (a timestamp equal to it is the sentinel)
    assert sqlmemo._digests_of(timed, NOW)[1] != sqlmemo._digests_of(timed, later)[1]
    assert len(hashed) == 1 + 4


def test_the_columns_of_a_temporary_table_are_written_once(monkeypatch: pytest.MonkeyPatch) -> None:
    sqlmemo.clear()
    written: list[Any] = []
    original = ibis.Schema.to_sqlglot_column_defs
    monkeypatch.setattr(ibis.Schema, "to_sqlglot_column_defs",
                        lambda self, dialect: written.append(self) or original(self, dialect))
    for _run in range(2):       # two runs: two connections, one temporary table each
        backend = ibis.duckdb.connect()
        table = sqlmemo.cached_table(backend, ibis.memtable({"kind": ["a", "b"]}).filter(ibis._.kind == "a"), NOW)
        assert backend.to_pyarrow(table).to_pylist() == [{"kind": "a"}]
    assert len(written) == 1


def test_assessments_are_loaded_on_first_use_only() -> None:
    loads: list[int] = []

    def load() -> list[dict[str, Any]]:
        loads.append(1)
        return [{"id": 1}]

    rows = QualityRows(load_assessments=load, meetings=[{"manager_id": 1, "person_id": 2, "date": None}])
    assert loads == [] and rows.meetings
    assert rows.assessments == [{"id": 1}] and rows.assessments == [{"id": 1}]
    assert loads == [1]
    assert QualityRows(load_assessments=lambda: [{"id": 2}]).assessments == [{"id": 2}]


@pytest.mark.django_db
def test_coaching_leaves_the_assessments_unloaded(people: dict[str, Any]) -> None:
    with data_for("duckdb", None, day(40)) as data:
        run_report("coaching", data, Params())
        assert "assessments" not in data.quality.__dict__              # not loaded
        run_report("mystery-shopping", data, Params())
        assert "assessments" in data.quality.__dict__                  # loaded by the report reading them


@pytest.mark.django_db
def test_adherence_asks_three_queries_and_makes_no_table(people: dict[str, Any],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    Opportunity(people, "kam", at=0).qualify(2)
    calls: list[str] = []
    for name in ("to_pyarrow", "cached_table"):
        original = getattr(sqlmemo, name)
        monkeypatch.setattr(sqlmemo, name, lambda *args, name=name, original=original: calls.append(name)
                            or original(*args))
    with data_for("duckdb", None, day(40)) as data:
        result = run_report("adherence", data, Params(process="opportunity-management"))
    assert calls == ["to_pyarrow"] * 3
    assert result.summary["forward_moves"] == 1


@pytest.mark.django_db
def test_the_forecast_as_of_now_uses_the_converted_amounts(people: dict[str, Any],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    Opportunity(people, "kam", at=0)
    converted: list[int] = []
    original = money.convert
    monkeypatch.setattr(money, "convert",
                        lambda *args, **kwargs: converted.append(1) or original(*args, **kwargs))
    with data_for("duckdb", None, day(40)) as data:
        now = run_report("forecast", data, Params())
        assert converted == []
        earlier = run_report("forecast", data, Params(as_of=day(39)))
        assert converted == [1]                 # another day: converted at that day's rates
    assert now.summary["open_amount"] == earlier.summary["open_amount"] == 100000.0
