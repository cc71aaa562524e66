"""The dashboard names the corporate currency: key figures carry it, a record without a rate is named in the
panel, and the report page lists it in its notes."""

from __future__ import annotations

import pytest
from django.test import Client

from salesflow.currency.services import do_set_rate
from salesflow.records import services

pytestmark = pytest.mark.django_db(transaction=True)


def test_panels_show_currency_and_unconverted_records(people):
    do_set_rate("2020-01-01", "USD", "EUR", "0.9")
    ids = {currency: services.do_create_record("opportunity-management", people["kam"], {
        "title": f"Deal {currency}", "amount": "100000", "currency": currency, "close_date": "2099-03-31"}).pk
        for currency in ("EUR", "USD", "CHF")}
    client = Client()
    client.force_login(people["head"])
    assert "Amounts in EUR, at the rate in force" in client.get("/controlling/").content.decode()
    panel = client.get("/controlling/panel/forecast/?period=2099-Q1").content.decode()
    assert "19,000 EUR" in panel                      # expected: 10 % of 100 000 EUR + 90 000 EUR
    assert f"Record {ids['CHF']} (100,000.00 CHF): no exchange rate — not in the totals" in panel
    page = client.get("/controlling/report/forecast/?period=2099-Q1").content.decode()
    assert f"Record {ids['CHF']} (100,000.00 CHF): no exchange rate CHF → EUR" in page, (
        "the report page's notes: " + " | ".join(line.strip() for line in page.splitlines() if "Record " in line))
    csv = client.get("/controlling/report/forecast.csv?period=2099-Q1&table=records").content.decode()
    header, *rows = csv.strip().splitlines()
    assert "amount_original" in header and "currency" in header
    assert any(",90000.0,100000.0,USD," in row for row in rows)
