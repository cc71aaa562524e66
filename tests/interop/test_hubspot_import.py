"""HubSpot's deals export: "Date entered <stage>" columns become stage events; a re-import changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.records.models import Event, Record
from tests.interop.conftest import counts, write_csv

pytestmark = pytest.mark.django_db

HEADER = ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date", "Deal owner", "Pipeline",
          "Associated Company", 'Date entered "Appointment Scheduled (Sales Pipeline)"',
          'Date entered "Contract Sent (Sales Pipeline)"', 'Date entered "Closed Won (Sales Pipeline)"']


def test_deals_with_stage_dates_import_as_records_with_stage_events(cli, tmp_path: Path) -> None:
    deals = write_csv(tmp_path / "deals.csv", HEADER, [
        ["101", "Acme rollout", "Closed Won", "12,000.50", "2024-05-01", "2024-01-02 10:00", "Jane Doe",
         "Sales Pipeline", "Acme GmbH", "2024-01-02 10:00", "2024-03-01 09:00", "2024-04-30 16:00"],
        ["102", "Beta pilot", "Contract Sent", "5000", "06/01/2024", "2024-02-01", "John Roe", "Sales Pipeline", "",
         "2024-02-01", "2024-03-15", ""],
    ])
    result = cli("import", "hubspot", deals, "--json")
    assert result.code == 0, result
    acme = Record.objects.get(title="Acme rollout")
    assert (acme.stage, acme.outcome, acme.amount, acme.account) == ("won", "won", 12000.5, "Acme GmbH")
    assert acme.owner.username == "hubspot-jane-doe"
    steps = list(Event.objects.filter(record=acme).order_by("seq").values_list("kind", "to_stage", "at"))
    assert [(kind, stage) for kind, stage, _ in steps] == [
        ("record_created", "qualification"), ("stage_changed", "negotiation"), ("stage_changed", "won"),
        ("record_closed", "won")]
    assert steps[1][2].isoformat() == "2024-03-01T09:00:00+00:00"
    assert str(Record.objects.get(title="Beta pilot").close_date) == "2024-06-01"
    before = counts()
    assert cli("import", "hubspot", deals).code == 0
    assert counts() == before


def test_an_unmapped_date_entered_column_is_reported(cli, tmp_path: Path) -> None:
    header = ["Record ID", "Deal Name", "Deal Stage", 'Date entered "Demo Booked (Custom)"']
    deals = write_csv(tmp_path / "deals.csv", header, [["1", "x", "Closed Won", "2024-01-01"]])
    result = cli("import", "hubspot", deals)
    assert result.code == 1
    assert 'deals.csv:2: Date entered "Demo Booked (Custom)": the stage of this column is not mapped' in result.err
