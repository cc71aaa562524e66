"""The record page shows the record's own amount and currency, and the amount in the corporate currency at
today's rate (or that there is no rate)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesflow.currency.services import do_set_rate
from salesflow.records import services

pytestmark = pytest.mark.django_db


def test_own_amount_and_the_corporate_amount(people, client_for) -> None:
    do_set_rate("2020-01-01", "USD", "EUR", "0.9")
    usd = services.do_create_record("opportunity-management", people["kam"], {
        "title": "US deal", "amount": "100000", "currency": "USD"})
    html = client_for(people["kam"]).get(reverse("record", args=[usd.pk])).content.decode()
    assert "100,000 USD" in html and "= 90,000 EUR (rate 0.9 of" in html
    chf = services.do_create_record("opportunity-management", people["kam"], {
        "title": "Swiss deal", "amount": "100000", "currency": "CHF"})
    html = client_for(people["kam"]).get(reverse("record", args=[chf.pk])).content.decode()
    assert "no exchange rate CHF → EUR: not in the totals" in html
    eur = services.do_create_record("opportunity-management", people["kam"], {"title": "EU deal", "amount": "5"})
    assert "in-corporate" not in client_for(people["kam"]).get(reverse("record", args=[eur.pk])).content.decode()


def test_the_approval_offer_follows_the_converted_amount(people, client_for) -> None:
    do_set_rate("2020-01-01", "USD", "EUR", "0.9")
    record = services.do_create_record("opportunity-management", people["kam"], {
        "title": "US offer", "amount": "55000", "currency": "USD"})     # 49 500 EUR: the KAM's band
    response = client_for(people["kam"]).get(reverse("record", args=[record.pk]))
    offer = next(row for row in response.context["approvals"] if row["id"] == "offer")
    assert offer["offer"].status == "ready" and offer["bands"][0]["applies"]
    swiss = services.do_create_record("opportunity-management", people["kam"], {
        "title": "Swiss offer", "amount": "1000", "currency": "CHF"})
    response = client_for(people["head"]).get(reverse("record", args=[swiss.pk]))
    offer = next(row for row in response.context["approvals"] if row["id"] == "offer")
    assert offer["offer"].status == "blocked" and "no exchange rate CHF → EUR" in offer["offer"].message
