"""Importers keep each opportunity's currency (Salesforce CurrencyIsoCode, HubSpot's deal currency), and a
Salesforce export folder's DatedConversionRate.csv brings its dated rates (checked before anything is written)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from salesflow.currency.models import ExchangeRate
from salesflow.records.models import Event, Record
from tests.interop.conftest import OPPORTUNITY_HEADER, opportunity, write_csv

pytestmark = pytest.mark.django_db


def currency_export(tmp_path: Path, rates: list[list[str]] | None) -> Path:
    folder = tmp_path / "export"
    rows = [opportunity("006A", "Euro deal", "Prospecting") + ["EUR"],
            opportunity("006B", "Dollar deal", "Prospecting") + ["USD"]]
    write_csv(folder / "Opportunity.csv", [*OPPORTUNITY_HEADER, "CurrencyIsoCode"], rows)
    write_csv(folder / "Account.csv", ["Id", "Name", "Website"], [["001A1", "Acme GmbH", "https://acme.example/"]])
    write_csv(folder / "User.csv", ["Id", "Username", "FirstName", "LastName", "Email"],
              [["005U1", "kim@acme.example", "Kim", "Seller", "kim@acme.example"]])
    if rates is not None:
        write_csv(folder / "DatedConversionRate.csv", ["Id", "IsoCode", "ConversionRate", "StartDate",
                                                       "NextStartDate"], rates)
    return folder


def test_salesforce_keeps_currency_and_imports_dated_rates(cli, tmp_path: Path) -> None:
    folder = currency_export(tmp_path, [["04w1", "USD", "1.1", "2025-01-01", "2025-02-01"],
                                        ["04w2", "USD", "1.2", "2025-02-01", "9999-12-31"],
                                        ["04w3", "EUR", "1", "1900-01-01", "9999-12-31"]])
    result = cli("import", "salesforce", str(folder), "--json")
    assert result.code == 0, result
    assert dict(Record.objects.values_list("title", "currency")) == {"Euro deal": "EUR", "Dollar deal": "USD"}
    assert "2 dated exchange rate(s) from DatedConversionRate.csv stored" in result.json()["notes"]
    assert list(ExchangeRate.objects.values_list("date", "from_currency", "to_currency", "rate")
                .order_by("date")) == [
        (datetime.date(2025, 1, 1), "EUR", "USD", Decimal("1.1")),
        (datetime.date(2025, 2, 1), "EUR", "USD", Decimal("1.2"))]
    assert Event.objects.filter(kind="exchange_rate_set").count() == 2


def test_a_bad_rate_row_stops_the_import_before_anything_is_written(cli, tmp_path: Path) -> None:
    folder = currency_export(tmp_path, [["04w1", "USD", "1,1x", "2025-01-01", "9999-12-31"]])
    result = cli("import", "salesforce", str(folder))
    assert result.code == 1
    assert "DatedConversionRate.csv:2: column ConversionRate: a number is expected, got '1,1x'" in result.err
    assert not Record.objects.exists() and not ExchangeRate.objects.exists()


def test_hubspot_keeps_each_deals_currency(cli, tmp_path: Path) -> None:
    deals = write_csv(tmp_path / "deals.csv", ["Record ID", "Deal Name", "Deal Stage", "Amount", "Deal currency code",
                                               "Create Date"],
                      [["1", "Dollar deal", "Appointment Scheduled", "5000", "USD", "2024-01-02"],
                       ["2", "Franc deal", "Appointment Scheduled", "7000", "CHF", "2024-01-02"],
                       ["3", "Plain deal", "Appointment Scheduled", "9000", "", "2024-01-02"]])
    result = cli("import", "hubspot", str(deals), "--currency", "EUR")
    assert result.code == 0, result
    assert dict(Record.objects.values_list("title", "currency")) == {
        "Dollar deal": "USD", "Franc deal": "CHF", "Plain deal": "EUR"}
