"""The shared Salesforce exports import; the messy one fails with a clear list and imports with a map + --skip-invalid."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from salesflow.interop.mapping import SALESFORCE_STAGES
from salesflow.records.eventlog import verify
from salesflow.records.models import Event, Record
from tests.interop.conftest import counts, shared

pytestmark = pytest.mark.django_db


def entered_from_events() -> Counter:
    """Per stage: how many records entered it, from the (imported) events."""
    entered: dict[int, set[str]] = defaultdict(set)
    for record_id, stage in Event.objects.filter(kind__in=["record_created", "stage_changed"]).values_list(
            "record_id", "to_stage"):
        entered[record_id].add(stage)
    return Counter(stage for stages in entered.values() for stage in stages)


def entered_from_csv(folder: Path) -> Counter:
    """Per stage: how many opportunities were ever in it, from OpportunityHistory.csv and Opportunity.csv."""
    seen: dict[str, set[str]] = defaultdict(set)
    with (folder / "OpportunityHistory.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            seen[row["OpportunityId"]].add(SALESFORCE_STAGES[row["StageName"]])
    with (folder / "Opportunity.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            seen[row["Id"]].add(SALESFORCE_STAGES[row["StageName"]])
    return Counter(stage for stages in seen.values() for stage in stages)


def test_devedition_export_imports_and_the_funnel_equals_the_csvs(cli) -> None:
    folder = shared("salesforce/devedition")
    result = cli("import", "salesforce", folder, "--currency", "USD", "--json")
    assert result.code == 0, result
    summary = result.json()
    assert summary["records"] == {"created": 31, "updated": 0, "unchanged": 0}
    assert summary["accounts"]["created"] == 12
    assert Record.objects.count() == 31
    assert Record.objects.filter(outcome="won").count() == 18
    assert set(Record.objects.values_list("currency", flat=True)) == {"USD"}
    assert entered_from_events() == entered_from_csv(folder)
    won = Record.objects.get(title="Express Logistics Standby Generator")
    assert (won.stage, won.amount, won.account) == ("won", 220000, "Express Logistics and Transport")
    assert won.values == {"type": "new_business"}
    assert verify().ok


def test_devedition_reimport_changes_nothing(cli) -> None:
    folder = shared("salesforce/devedition")
    assert cli("import", "salesforce", folder).code == 0
    before = counts()
    again = cli("import", "salesforce", folder, "--json")
    assert again.code == 0, again
    assert again.json()["records"] == {"created": 0, "updated": 0, "unchanged": 31}
    assert again.json()["events"] == 0
    assert counts() == before


def test_messy_export_fails_listing_every_bad_row_and_writes_nothing(cli) -> None:
    folder = shared("salesforce/trailhead-apex-recipes")
    before = counts()
    result = cli("import", "salesforce", folder)
    assert result.code == 1, result
    assert "Unmapped stage 'Assigned dynamically' (Opportunities.csv rows 8, 23, 29, 31, 37, 39, 42, 47)" in result.err
    assert "Unmapped stage 'Closed/Won' (Opportunities.csv rows 21, 40, 51)" in result.err
    assert "Opportunities.csv:21: StageName: stage 'Closed/Won' is not mapped" in result.err
    assert result.err.count("is not mapped to a stage") == 11
    assert "nothing was written" in result.err
    assert counts() == before


def test_messy_export_with_a_stage_map_and_skip_invalid_imports_the_valid_rows(cli, tmp_path: Path) -> None:
    folder = shared("salesforce/trailhead-apex-recipes")
    stage_map = tmp_path / "map.yaml"
    stage_map.write_text("stages:\n  Closed/Won: won\n", encoding="utf-8")
    result = cli("import", "salesforce", folder, "--stage-map", stage_map, "--skip-invalid", "--json")
    assert result.code == 0, result
    summary = result.json()
    assert summary["records"]["created"] == 42
    assert summary["rows_skipped"] == 8
    assert {item["row"] for item in summary["skipped"]} == {8, 23, 29, 31, 37, 39, 42, 47}
    assert Record.objects.filter(outcome="won").count() == 3
    emoji = Record.objects.get(title="Malagasy ground boa")
    assert emoji.stage == "solution_design"
    again = cli("import", "salesforce", folder, "--stage-map", stage_map, "--skip-invalid", "--json")
    assert again.json()["records"] == {"created": 0, "updated": 0, "unchanged": 42}


def test_tree_export_json_folder_imports(cli) -> None:
    folder = shared("salesforce/trailhead-lwc-recipes")
    result = cli("import", "salesforce", folder, "--json")
    assert result.code == 0, result
    assert result.json()["records"]["created"] == 20
    record = Record.objects.get(title="Cloud Platform Expansion")
    assert (record.stage, record.account) == ("proposal", "Alpha Dynamics")
