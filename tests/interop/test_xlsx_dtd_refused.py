"""An .xlsx whose XML declares a DTD (entity expansion, external entities) is refused with a message, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.interop.tabular import SheetError, open_sheet
from tests.interop.conftest import counts
from tests.interop.xlsx_files import EXTERNAL, LAUGHS, with_dtd, workbook

HEADER = ["Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date", "Deal owner", "Record ID"]
ROW = ["Hello", "Appointment Scheduled", "1000", "2027-03-01", "2027-01-01", "kam", "1"]

VARIANTS = [
    ("xl/worksheets/sheet1.xml", LAUGHS, (b"Hello", b"&lol2;")),
    ("xl/worksheets/sheet1.xml", EXTERNAL, (b"Hello", b"&ext;")),
    ("xl/workbook.xml", b"<!DOCTYPE workbook>", None),
    ("[Content_Types].xml", b'<!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/">]>', None),
]


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    return workbook(tmp_path / "deals.xlsx", [HEADER, ROW])


@pytest.mark.parametrize(("part", "dtd", "replace"), VARIANTS, ids=["laughs", "external", "bare-dtd", "content-types"])
def test_open_sheet_refuses_a_dtd_naming_the_part(plain: Path, tmp_path: Path, part: str, dtd: bytes,
                                                  replace: tuple[bytes, bytes] | None) -> None:
    bad = with_dtd(plain, tmp_path / "bad.xlsx", part, dtd, replace)
    with pytest.raises(SheetError) as raised:
        open_sheet(bad)
    assert raised.value.file == "bad.xlsx"
    assert f"the workbook part {part} declares a DTD" in raised.value.message


def test_a_plain_workbook_still_reads(plain: Path) -> None:
    sheet = open_sheet(plain)
    assert sheet.header == HEADER and [cells[0] for _number, cells in sheet.rows] == ["Hello"]


def test_the_import_command_refuses_it_with_exit_1_and_changes_nothing(cli, plain: Path, tmp_path: Path) -> None:
    bad = with_dtd(plain, tmp_path / "deals-bad.xlsx", "xl/worksheets/sheet1.xml", LAUGHS, (b"Hello", b"&lol2;"))
    before = counts()
    result = cli("import", "hubspot", bad)
    assert result.code == 1, result
    assert "deals-bad.xlsx" in result.err and "declares a DTD" in result.err
    assert "Traceback" not in result.err
    assert counts() == before
