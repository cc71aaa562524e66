"""Importers link or create the customer account: HubSpot's "Associated Company", Salesforce's AccountId —
and a re-import links records an older import left without an account (one imported event each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.accounts.integrity import check_accounts
from salesflow.accounts.models import Account
from salesflow.interop.salesforce import import_salesforce
from salesflow.records.models import Event, Record
from salesflow.records.replay import check_records
from tests.interop.conftest import counts, write_csv
from tests.interop.test_salesforce_history_split import export, history_rows

pytestmark = pytest.mark.django_db

HEADER = ["Record ID", "Deal Name", "Deal Stage", "Amount", "Associated Company", "Associated Company IDs"]


def test_hubspot_links_existing_and_creates_new_accounts(cli, tmp_path: Path) -> None:
    existing = Account.objects.create(name="Acme GmbH", created_at="2024-01-01T00:00:00Z")
    deals = write_csv(tmp_path / "deals.csv", HEADER, [
        ["101", "Acme rollout", "Closed Won", "12000", "ACME", ""],
        ["102", "Beta pilot", "Contract Sent", "5000", "Beta Werke AG", "9001"],
        ["103", "Beta phase 2", "Contract Sent", "7000", "Beta Werke", "9001"],
        ["104", "No company", "Contract Sent", "1000", "", ""],
    ])
    result = cli("import", "hubspot", deals, "--json")
    assert result.code == 0, result
    assert result.json()["accounts"] == {"created": 1, "updated": 0, "unchanged": 1}
    customers = dict(Record.objects.values_list("title", "customer__name"))
    assert customers == {"Acme rollout": "Acme GmbH", "Beta pilot": "Beta Werke AG", "Beta phase 2": "Beta Werke AG",
                         "No company": None}
    assert Record.objects.get(title="Acme rollout").customer_id == existing.pk
    before = counts()
    assert cli("import", "hubspot", deals).code == 0
    assert counts() == before
    assert check_accounts().ok and check_records().ok


def test_a_reimport_links_records_an_older_import_left_without_account(cli, tmp_path: Path) -> None:
    deals = write_csv(tmp_path / "deals.csv", HEADER, [["201", "Gamma", "Contract Sent", "100", "Gamma AG", ""]])
    assert cli("import", "hubspot", deals).code == 0
    record = Record.objects.get()
    Record.objects.filter(pk=record.pk).update(customer=None)  # as the importer before accounts were linked
    assert cli("import", "hubspot", deals).code == 0
    record.refresh_from_db()
    assert record.customer.name == "Gamma AG"
    linked = Event.objects.get(kind="customer_changed")
    assert linked.record_id == record.pk and linked.imported and linked.payload["old"] is None
    assert linked.payload["new"]["name"] == "Gamma AG" and linked.payload["reason"] == "import"
    assert check_accounts().ok


def test_salesforce_links_records_to_their_account(tmp_path: Path) -> None:
    folder = export(tmp_path / "export", history_rows(2), opportunities=2)
    import_salesforce(folder)
    acme = Account.objects.get(name="Acme GmbH")
    assert set(Record.objects.values_list("customer_id", flat=True)) == {acme.pk}
    Record.objects.update(customer=None)  # as the importer before accounts were linked
    import_salesforce(folder)
    assert set(Record.objects.values_list("customer_id", flat=True)) == {acme.pk}
    assert Event.objects.filter(kind="customer_changed", imported=True).count() == 2
    assert check_accounts().ok and check_records().ok
