"""A spreadsheet of events builds records with their stage history."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.records.models import Event, Record
from tests.interop.conftest import counts, write_csv

pytestmark = pytest.mark.django_db


def test_events_sheet_creates_records_with_history(cli, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "events.csv", ["Case", "When", "Phase", "Task", "Who"], [
        ["A-1", "2024-01-01 09:00", "Qualification", "", "ann"],
        ["A-1", "2024-01-02 09:00", "", "risk_analysis", "ann"],
        ["A-1", "2024-01-05 09:00", "Proposal / Price Quote", "", "bob"],
        ["B-2", "2024-02-01 09:00", "qualification", "", ""],
    ])
    mapping = tmp_path / "map.yaml"
    mapping.write_text("kind: events\ncolumns:\n  record: Case\n  at: When\n  stage: Phase\n  activity: Task\n"
                       "  actor: Who\n", encoding="utf-8")
    result = cli("import", "csv", sheet, "--map", mapping, "--json")
    assert result.code == 0, result
    first = Record.objects.get(title="A-1")
    assert first.stage == "proposal"
    assert first.progress["done"]["risk_analysis"]["imported"] is True
    assert list(Event.objects.filter(record=first).order_by("seq").values_list("kind", "to_stage", "activity")) == [
        ("record_created", "qualification", ""), ("activity_done", "", "risk_analysis"),
        ("stage_changed", "proposal", "")]
    before = counts()
    assert cli("import", "csv", sheet, "--map", mapping).code == 0
    assert counts() == before
