"""CSV exports of records and events never write a cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from salesflow import csv_cells
from salesflow.interop.tabular import open_sheet
from salesflow.records import services
from salesflow.records.models import Record
from tests.records.conftest import add_people

pytestmark = pytest.mark.django_db

TITLES = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tTabbed", "\rReturn"]


def unsafe_cells(path: Path) -> list[str]:
    """Cells that begin with a formula character and are not a plain number."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [value for row in csv.reader(handle) for value in row if csv_cells.needs_mark(value)]


@pytest.fixture
def formula_records(db: None) -> list[int]:
    people = add_people()
    return [services.do_create_record("opportunity-management", people["kam"], {
        "title": title, "account": "=HYPERLINK(\"http://evil\")", "amount": "1200.50"}).pk for title in TITLES]


@pytest.mark.parametrize("what", ["records", "events"])
def test_exported_csv_has_no_formula_cells(cli, formula_records: list[int], tmp_path: Path, what: str) -> None:
    target = tmp_path / f"{what}.csv"
    result = cli("export", what, "-o", target)
    assert result.code == 0, result
    text = target.read_text(encoding="utf-8")
    if what == "records":
        assert "'=1+1" in text and "'-2+3" in text and "'=HYPERLINK" in text
    assert unsafe_cells(target) == []


def test_numbers_stay_numbers_and_the_texts_read_back_as_written(cli, formula_records: list[int],
                                                                  tmp_path: Path) -> None:
    target = tmp_path / "records.csv"
    assert cli("export", "records", "-o", target).code == 0
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["amount"] for row in rows} == {"1200.50"}
    sheet = open_sheet(target)
    title = sheet.index("title")
    stored = sorted(Record.objects.values_list("title", flat=True))  # as the service keeps them (trimmed)
    assert sorted(cells[title] for _number, cells in sheet.rows) == stored
    assert "=1+1" in stored and "-2+3" in stored
