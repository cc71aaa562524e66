"""A large OpportunityHistory.csv is checked in two halves at once: same result, same row numbers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from salesflow.interop import salesforce
from salesflow.interop.problems import ImportFailed
from salesflow.interop.salesforce import import_salesforce
from salesflow.records.eventlog import verify
from salesflow.records.models import Event
from tests.interop.conftest import counts, opportunity, write_csv

pytestmark = pytest.mark.django_db

HEADER = ["Id", "OpportunityId", "CreatedById", "CreatedDate", "StageName", "Amount", "Probability", "CloseDate",
          "ForecastCategory"]
STAGES = ["Prospecting", "Needs Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won"]
PROBABILITIES = ["10", "20", "75", "90", "100"]


def export(folder: Path, history: list[list[str]], opportunities: int = 30) -> Path:
    """An export of ``opportunities`` opportunities (006O0 …) with these history rows."""
    write_csv(folder / "Opportunity.csv",
              ["Id", "Name", "StageName", "Amount", "Probability", "CloseDate", "Type", "ForecastCategoryName",
               "OwnerId", "AccountId", "IsClosed", "IsWon", "CreatedDate", "LastModifiedDate", "CreatedById"],
              [opportunity(f"006O{number}", f"Deal {number}", "Closed Won", amount="1500", probability="100",
                           closed="1", won="1") for number in range(opportunities)])
    write_csv(folder / "OpportunityHistory.csv", HEADER, history)
    write_csv(folder / "Account.csv", ["Id", "Name", "Website"], [["001A1", "Acme GmbH", ""]])
    write_csv(folder / "User.csv", ["Id", "Username", "FirstName", "LastName", "Email"],
              [["005U1", "kim@acme.example", "Kim", "Seller", "kim@acme.example"]])
    return folder


def history_rows(opportunities: int = 30) -> list[list[str]]:
    """Five history rows per opportunity; every forecast cell holds a line break (quoted)."""
    rows = []
    for number in range(opportunities):
        for step, (stage, probability) in enumerate(zip(STAGES, PROBABILITIES, strict=True)):
            rows.append([f"008H{number:03d}{step}", f"006O{number}", "005U1", f"2025-0{step + 1}-02 09:00:00", stage,
                         str(1000 + 100 * step), probability, "2025-06-30", "Pipe\nline"])
    return rows


@pytest.fixture
def split(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every history file counts as large (and the machine as having two CPUs)."""
    monkeypatch.setattr(salesforce, "PARALLEL_CSV_BYTES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def test_two_halves_give_the_same_import_as_one_pass(tmp_path, monkeypatch) -> None:
    folder = export(tmp_path / "export", history_rows())
    one_pass = import_salesforce(folder, dry_run=True).to_data()
    monkeypatch.setattr(salesforce, "PARALLEL_CSV_BYTES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    halves = import_salesforce(folder).to_data()
    assert {key: halves[key] for key in ("records", "events")} == {key: one_pass[key] for key in ("records", "events")}
    moved = [event.payload["source"]["history_id"] for event in Event.objects.filter(kind="stage_changed")
             .order_by("seq")]
    assert moved == [f"008H{number:03d}{step}" for number in range(30) for step in range(1, 5)]
    assert verify().ok
    before = counts()
    import_salesforce(folder)
    assert counts() == before


def test_problems_in_both_halves_keep_their_row_numbers(tmp_path, split) -> None:
    rows = history_rows()
    rows[1][3] = "yesterday"  # row 3 (first half)
    rows[140][5] = "lots"  # row 142 (second half)
    rows[145][0] = rows[2][0]  # row 147 repeats the id of row 4
    folder = export(tmp_path / "export", rows)
    before = counts()
    with pytest.raises(ImportFailed) as failed:
        import_salesforce(folder)
    lines = failed.value.lines()
    assert lines[0].startswith("OpportunityHistory.csv:3: CreatedDate:")
    assert lines[1].startswith("OpportunityHistory.csv:142: Amount:")
    assert lines[2] == f"OpportunityHistory.csv:147: Id: duplicate id {rows[2][0]!r}"
    assert len(lines) == 3
    assert counts() == before


def test_a_stray_quote_still_reads_like_one_pass(tmp_path, split) -> None:
    rows = history_rows(4)
    folder = export(tmp_path / "export", rows, opportunities=4)
    path = folder / "OpportunityHistory.csv"
    text = path.read_text(encoding="utf-8").replace('"Pipe\nline"', 'Pipe"line', 3)  # unquoted cells with a quote
    path.write_text(text, encoding="utf-8")
    summary = import_salesforce(folder).to_data()
    assert summary["records"]["created"] == 4
    assert Event.objects.filter(kind="stage_changed").count() == 16
    assert {event.payload["source"].get("forecast_category") for event in Event.objects.filter(
        kind="stage_changed")} == {'Pipe"line', "Pipe\nline"}


def test_a_history_reader_that_dies_fails_the_import_and_writes_nothing(tmp_path, monkeypatch) -> None:
    folder = export(tmp_path / "export", history_rows())
    groups = salesforce.HistorySpool.groups

    def broken(self, db=None):  # noqa: ANN001, ANN202 - the forked reader passes its own connection
        if db is not None:
            os._exit(3)
        return groups(self, db)

    monkeypatch.setattr(salesforce.HistorySpool, "groups", broken)
    before = counts()
    with pytest.raises(RuntimeError, match="reader ended early"):
        import_salesforce(folder)
    assert counts() == before
