"""A large Opportunity.csv is checked in two halves at once: the same problems, rows and records as one pass."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from salesflow.interop import salesforce
from salesflow.interop.problems import ImportFailed
from salesflow.interop.salesforce import import_salesforce
from salesflow.records.models import Record
from tests.interop.conftest import OPPORTUNITY_HEADER, counts, opportunity, write_csv
from tests.interop.test_salesforce_history_split import HEADER as HISTORY_HEADER
from tests.interop.test_salesforce_history_split import history_rows

pytestmark = pytest.mark.django_db


def export(folder: Path, opportunities: list[list[str]], history: list[list[str]] | None = None) -> Path:
    """An export with these opportunity rows (and history rows)."""
    write_csv(folder / "Opportunity.csv", OPPORTUNITY_HEADER, opportunities)
    if history is not None:
        write_csv(folder / "OpportunityHistory.csv", HISTORY_HEADER, history)
    write_csv(folder / "Account.csv", ["Id", "Name", "Website"], [["001A1", "Acme GmbH", ""]])
    write_csv(folder / "User.csv", ["Id", "Username", "FirstName", "LastName", "Email"],
              [["005U1", "kim@acme.example", "Kim", "Seller", "kim@acme.example"]])
    return folder


def deals(count: int = 30) -> list[list[str]]:
    """``count`` won deals 006O0 … (every name holds a line break: quoted records over two lines)."""
    return [opportunity(f"006O{number}", f"Deal\n{number}", "Closed Won", amount="1500", probability="100",
                        closed="1", won="1") for number in range(count)]


def one_pass_and_halves(monkeypatch: pytest.MonkeyPatch, folder: Path, dry_run: bool = True,
                        **options: object) -> tuple[object, object]:
    """What an import gives in one pass, then split in two halves: a summary, or the problem lines."""

    def run() -> object:
        try:
            return import_salesforce(folder, dry_run=dry_run, **options).to_data()
        except ImportFailed as failed:
            return failed.lines()

    monkeypatch.setattr(salesforce, "PARALLEL_CSV_BYTES", 1 << 40)
    one_pass = run()
    monkeypatch.setattr(salesforce, "PARALLEL_CSV_BYTES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    forks: list[int] = []
    fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or fork())
    halves = run()
    assert forks, "the file was not split"
    return one_pass, halves


def test_a_split_file_imports_like_one_pass(tmp_path, monkeypatch) -> None:
    folder = export(tmp_path / "export", deals(), history_rows())
    one_pass, halves = one_pass_and_halves(monkeypatch, folder)
    assert halves == one_pass
    assert one_pass["records"]["created"] == 30
    forks: list[int] = []
    fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or fork())
    import_salesforce(folder)  # split (the monkeypatch is still in place)
    assert len(forks) == 3  # checking the opportunities, the history; reading the history back
    titles = list(Record.objects.order_by("id").values_list("title", flat=True))
    assert titles == [f"Deal\n{number}" for number in range(30)]  # positions in file order across the halves
    before = counts()
    import_salesforce(folder)
    assert counts() == before


def test_problems_and_duplicates_across_the_halves_read_like_one_pass(tmp_path, monkeypatch) -> None:
    rows = deals()
    rows[2][3] = "lots"  # row 4 (first half): a bad amount
    rows[25][0] = rows[1][0]  # row 27 (second half) repeats the id of row 3
    rows[26][0] = rows[25][0]  # … and row 28 again
    rows[27][2] = "Somewhere"  # row 29: an unmapped stage (open: mapped, it is valid)
    rows[27][10] = rows[27][11] = ""
    folder = export(tmp_path / "export", rows)
    before = counts()
    one_pass, halves = one_pass_and_halves(monkeypatch, folder, dry_run=False)
    assert halves == one_pass
    assert "Opportunity.csv:27: Id: duplicate id '006O1' (also in row 3)" in one_pass
    assert "Opportunity.csv:28: Id: duplicate id '006O1' (also in row 3)" in one_pass
    assert any(line.startswith("Opportunity.csv:4: Amount:") for line in one_pass)
    assert any(line.startswith("Opportunity.csv:29: StageName:") for line in one_pass)
    skipped_one, skipped_halves = one_pass_and_halves(monkeypatch, folder, skip_invalid=True,
                                                      stage_map=_stage_map(tmp_path))
    assert skipped_halves == skipped_one
    assert skipped_one["records"]["created"] == 27  # 30 rows - bad amount - two duplicates
    assert counts() == before


def test_history_of_a_duplicate_in_the_second_half_belongs_to_the_first_row(tmp_path, monkeypatch) -> None:
    rows = deals(4)
    rows[3][0] = rows[0][0]  # the last row repeats the first id: skipped with --skip-invalid
    history = [row for row in history_rows(4) if row[1] != "006O3"]
    folder = export(tmp_path / "export", rows, history)
    one_pass, halves = one_pass_and_halves(monkeypatch, folder, skip_invalid=True)
    assert halves == one_pass
    assert one_pass["records"]["created"] == 3


def test_a_stray_quote_in_the_opportunities_falls_back_to_one_pass(tmp_path, monkeypatch) -> None:
    folder = export(tmp_path / "export", deals(6))
    path = folder / "Opportunity.csv"
    path.write_text(path.read_text(encoding="utf-8").replace('"Deal\n1"', 'Deal"1', 1), encoding="utf-8")
    one_pass, halves = one_pass_and_halves(monkeypatch, folder)
    assert halves == one_pass
    assert one_pass["records"]["created"] == 6


def _stage_map(tmp_path: Path) -> Path:
    path = tmp_path / "stages.yaml"
    path.write_text("stages:\n  Somewhere: qualification\n", encoding="utf-8")
    return path
