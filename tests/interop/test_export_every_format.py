"""Every export kind works in every format, with typed columns: records and events as csv, xlsx and parquet,
XES and OCEL (``export records -o r.parquet`` crashed on dates stored as text)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from salesflow.records import services
from tests.records.conftest import add_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def typed_records(db: None) -> dict[str, int]:
    people = add_people()
    opportunity = services.do_create_record("opportunity-management", people["kam"], {
        "title": "Typed", "amount": "1200.50", "close_date": "2027-09-30", "budget": "5000",
        "decision_date": "2027-06-30"})
    contract = services.do_create_record("contract-management", people["kam"], {
        "title": "Frame contract", "start_date": "2027-01-01", "notice_period_days": "90", "auto_renewal": "true"})
    return {"opportunity": opportunity.pk, "contract": contract.pk}


@pytest.mark.parametrize("what", ["records", "events"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_every_table_export_writes_a_complete_file(cli, typed_records, tmp_path: Path, what: str, fmt: str) -> None:
    target = tmp_path / f"{what}.{fmt}"
    result = cli("export", what, "-o", target, "--json")
    assert result.code == 0, result
    assert result.json()["rows"] > 0 and target.stat().st_size > 0
    # no temporary file left behind; an events export carries the newest checkpoint and its public key beside it
    beside = [f"{target.name}.checkpoint.json", f"{target.name}.public-key.pem"] if what == "events" else []
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([target.name, *beside])


def test_parquet_columns_are_typed(cli, typed_records, tmp_path: Path) -> None:
    assert cli("export", "records", "-o", tmp_path / "r.parquet").code == 0
    table = pq.read_table(tmp_path / "r.parquet")
    rows = {row["id"]: row for row in table.to_pylist()}
    assert str(table.schema.field("decision_date").type) == "date32[day]"
    assert str(table.schema.field("notice_period_days").type) == "int64"
    assert str(table.schema.field("auto_renewal").type) == "bool"
    assert rows[typed_records["opportunity"]]["decision_date"] == datetime.date(2027, 6, 30)
    contract = rows[typed_records["contract"]]
    assert (contract["notice_period_days"], contract["auto_renewal"]) == (90, True)


def test_xlsx_dates_are_dates(cli, typed_records, tmp_path: Path) -> None:
    assert cli("export", "records", "-o", tmp_path / "r.xlsx").code == 0
    sheet = load_workbook(tmp_path / "r.xlsx", read_only=True).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    row = next(values for values in rows if values[header.index("id")] == typed_records["opportunity"])
    assert row[header.index("decision_date")] == datetime.datetime(2027, 6, 30)


@pytest.mark.parametrize(("what", "name"), [("xes", "log.xes"), ("xes", "log.xes.gz"), ("ocel", "log.json"),
                                            ("ocel", "log.sqlite")])
def test_process_mining_exports(cli, typed_records, tmp_path: Path, what: str, name: str) -> None:
    result = cli("export", what, "-o", tmp_path / name)
    assert result.code == 0, result
    assert [path.name for path in tmp_path.iterdir()] == [name]
