"""Imported records replay to what is stored (``audit verify``): a newer export that renames a record,
gives it another owner or type writes ``field_changed`` events for it, in Salesforce and HubSpot imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.records.models import Event, Record
from salesflow.records.replay import check_records
from tests.interop.conftest import opportunity, write_csv

pytestmark = pytest.mark.django_db

USERS = [["005U1", "kim@acme.example", "Kim", "Seller", "kim@acme.example"],
         ["005U2", "lee@acme.example", "Lee", "Closer", "lee@acme.example"]]


def test_salesforce_reimport_with_new_title_owner_and_type_replays(cli, sf_export) -> None:
    first = sf_export([opportunity("006O1", "Acme rollout", "Proposal/Price Quote", amount="1500", probability="40")],
                      name="march", users=USERS)
    assert cli("import", "salesforce", first).code == 0
    assert check_records().ok, check_records().problems
    newer = sf_export([opportunity("006O1", "Acme rollout phase 2", "Negotiation/Review", amount="1800",
                                   type_="Existing Customer - Upgrade", owner="005U2",
                                   modified="2025-04-01 10:00:00")], name="april", users=USERS)
    result = cli("import", "salesforce", newer)
    assert result.code == 0, result
    record = Record.objects.get()
    assert record.title == "Acme rollout phase 2" and record.owner.username == "lee@acme.example"
    changed = {event.payload["field"] for event in Event.objects.filter(record=record, kind="field_changed")}
    assert {"title", "owner", "type", "amount"} <= changed
    report = check_records()
    assert report.ok, report.problems
    assert cli("audit", "verify").code == 0


HEADER = ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date", "Deal owner", "Pipeline",
          "Associated Company"]


def test_hubspot_reimport_with_new_title_and_owner_replays(cli, tmp_path: Path) -> None:
    deals = write_csv(tmp_path / "deals.csv", HEADER, [
        ["101", "Acme rollout", "Contract Sent", "12,000.50", "2024-05-01", "2024-01-02 10:00", "Jane Doe",
         "Sales Pipeline", "Acme GmbH"]])
    assert cli("import", "hubspot", deals).code == 0
    assert check_records().ok, check_records().problems
    renamed = write_csv(tmp_path / "deals-2.csv", HEADER, [
        ["101", "Acme rollout (signed scope)", "Contract Sent", "13,000", "2024-06-01", "2024-01-02 10:00",
         "John Roe", "Sales Pipeline", "Acme GmbH"]])
    result = cli("import", "hubspot", renamed)
    assert result.code == 0, result
    record = Record.objects.get()
    assert record.title == "Acme rollout (signed scope)" and record.owner.username == "hubspot-john-roe"
    report = check_records()
    assert report.ok, report.problems
    assert cli("audit", "verify").code == 0
