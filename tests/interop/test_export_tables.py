"""Exports of records and events as CSV, Excel and Parquet honour access control and are logged."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from salesflow.records import services
from salesflow.records.models import Event
from tests.records.conftest import add_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(db):
    people = add_people()
    open_record = services.do_create_record("opportunity-management", people["kam"], {
        "title": "=HYPERLINK(\"http://evil\")", "amount": "1200.50", "close_date": "2025-09-30", "budget": "5000"})
    secret = services.do_create_record("opportunity-management", people["kam"], {
        "title": "Strictly secret", "classification": "strictly_confidential"})
    return people, open_record, secret


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_records_csv_has_builtin_and_declared_columns(cli, records, tmp_path: Path) -> None:
    _, open_record, _ = records
    target = tmp_path / "records.csv"
    result = cli("export", "records", "-o", target)
    assert result.code == 0, result
    rows = {row["id"]: row for row in read_csv(target)}
    assert len(rows) == 2  # admin context: every record
    row = rows[str(open_record.pk)]
    assert (row["amount"], row["close_date"], row["budget"], row["stage"], row["owner"]) == (
        "1200.50", "2025-09-30", "5000.00", "qualification", "kam")


def test_as_user_exports_only_what_the_user_may_see(cli, records, tmp_path: Path) -> None:
    people, open_record, secret = records
    target = tmp_path / "mine.csv"
    assert cli("export", "records", "-o", target, "--as", "kam2").code == 0
    assert [row["id"] for row in read_csv(target)] == [str(open_record.pk)]
    events = tmp_path / "events.csv"
    assert cli("export", "events", "-o", events, "--as", "kam2").code == 0
    assert {row["record"] for row in read_csv(events)} == {str(open_record.pk)}


def test_every_export_is_logged_as_a_security_event(cli, records, tmp_path: Path) -> None:
    assert cli("export", "records", "-o", tmp_path / "r.xlsx", "--as", "kam2", "--stage", "qualification").code == 0
    logged = Event.objects.filter(kind="security.export").latest("seq")
    assert logged.actor_name == "Lena Wolf"
    assert logged.payload["what"] == "records" and logged.payload["format"] == "xlsx"
    assert logged.payload["rows"] == 1 and logged.payload["filters"] == {"stage": "qualification"}
    assert cli("export", "events", "-o", tmp_path / "e.parquet").code == 0
    admin = Event.objects.filter(kind="security.export").latest("seq")
    assert admin.payload["context"] == "unrestricted" and admin.payload["what"] == "events"


def test_xlsx_and_parquet_keep_types_and_never_write_formulas(cli, records, tmp_path: Path) -> None:
    _, open_record, _ = records
    assert cli("export", "records", "-o", tmp_path / "r.xlsx").code == 0
    sheet = load_workbook(tmp_path / "r.xlsx").active
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, [cell for cell in row], strict=True)) for row in sheet.iter_rows(min_row=2)]
    row = next(item for item in rows if item["id"].value == open_record.pk)
    assert row["title"].data_type == "s" and row["title"].value.startswith("=HYPERLINK")
    assert float(row["amount"].value) == 1200.5
    assert cli("export", "records", "-o", tmp_path / "r.parquet").code == 0
    table = pq.read_table(tmp_path / "r.parquet")
    assert str(table.schema.field("amount").type) == "decimal128(17, 2)"
    assert str(table.schema.field("close_date").type) == "date32[day]"
    assert table.num_rows == 2


def test_events_export_in_every_format(cli, records, tmp_path: Path) -> None:
    for fmt in ("csv", "xlsx", "parquet"):
        expected = Event.objects.count()  # earlier exports added their security.export events
        target = tmp_path / f"events.{fmt}"
        assert cli("export", "events", "-o", target).code == 0
        if fmt == "csv":
            assert len(read_csv(target)) == expected
        elif fmt == "xlsx":
            assert load_workbook(target).active.max_row == expected + 1
        else:
            table = pq.read_table(target)
            assert table.num_rows == expected
            assert table.column("seq").to_pylist() == sorted(table.column("seq").to_pylist())


def test_unknown_format_is_a_clear_error(cli, records, tmp_path: Path) -> None:
    result = cli("export", "records", "-o", tmp_path / "records.txt")
    assert result.code == 1
    assert "give --format csv, xlsx or parquet" in result.err
