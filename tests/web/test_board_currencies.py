"""The board's column totals in the corporate currency: with USD→EUR 0.9, 100 000 EUR and 100 000 USD are
190 000 EUR; a record in a currency without a rate is named above the columns and not added."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from salesflow.currency.services import do_set_rate
from salesflow.records import services

pytestmark = pytest.mark.django_db


def test_board_totals_convert_and_name_what_has_no_rate(people, client_for) -> None:
    kam = people["kam"]
    do_set_rate("2020-01-01", "USD", "EUR", "0.9")
    for currency in ("EUR", "USD", "CHF"):
        services.do_create_record("opportunity-management", kam, {
            "title": f"Deal {currency}", "amount": "100000", "currency": currency})
    response = client_for(kam).get(reverse("board"))
    column = next(column for column in response.context["columns"] if column["id"] == "qualification")
    assert column["count"] == 3
    assert column["total"] == Decimal("190000")
    assert column["weighted"] == Decimal("19000")
    summary = response.context["summary"]
    assert summary["total"] == Decimal("190000") and summary["currency"] == "EUR"
    html = response.content.decode()
    assert "1 record in CHF (100,000 CHF) is not in the totals: no exchange rate CHF → EUR." in html
    assert "100,000 USD" in html                      # the card keeps the record's own amount and currency
