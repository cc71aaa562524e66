"""A KAM's 50 000 USD offer is checked against the EUR bands of the competence catalog at the day's rate;
without a rate it cannot be approved (and nothing is written)."""

from __future__ import annotations

import datetime

import pytest

from salesflow.currency.services import do_set_rate
from salesflow.engine.errors import NotPermitted, Unmet
from salesflow.records import services
from salesflow.records.models import Event

DAY = datetime.datetime(2027, 3, 10, 12, tzinfo=datetime.UTC)


def usd_offer(people, amount: str = "50000"):
    return services.do_create_record("opportunity-management", people["kam"], {
        "title": "US offer", "amount": amount, "currency": "USD"}, at=DAY)


def test_checked_at_the_rate_of_the_day(people):
    do_set_rate("2027-01-01", "USD", "EUR", "1.2")       # 50 000 USD = 60 000 EUR: above the KAM's band
    do_set_rate("2027-03-01", "USD", "EUR", "0.9")       # 50 000 USD = 45 000 EUR: within it
    record = usd_offer(people)
    services.do_approve(record.pk, people["kam"], "offer", at=DAY)
    event = Event.objects.get(record_id=record.pk, kind="approval_granted")
    assert event.role == "kam"
    assert event.payload["conversion"] == {"from": "USD", "to": "EUR", "rate": "0.9", "date": "2027-03-10",
                                           "amount": "50000.00", "converted": "45000.00"}


def test_an_earlier_day_has_its_own_rate(people):
    do_set_rate("2027-01-01", "USD", "EUR", "1.2")
    do_set_rate("2027-03-01", "USD", "EUR", "0.9")
    record = usd_offer(people)
    with pytest.raises(NotPermitted, match=r"60000.00 EUR at 1.2"):
        services.do_approve(record.pk, people["kam"], "offer", at=datetime.datetime(2027, 2, 1, tzinfo=datetime.UTC))
    assert not Event.objects.filter(record_id=record.pk, kind="approval_granted").exists()


def test_without_a_rate_no_approval(people):
    record = usd_offer(people)
    with pytest.raises(Unmet, match=r"no exchange rate USD → EUR on 2027-03-10"):
        services.do_approve(record.pk, people["head"], "offer", at=DAY)
    assert not Event.objects.filter(record_id=record.pk, kind="approval_granted").exists()


def test_an_offer_in_the_bands_currency_needs_no_rate(people):
    record = services.do_create_record("opportunity-management", people["kam"], {
        "title": "EU offer", "amount": "50000", "currency": "EUR"}, at=DAY)
    services.do_approve(record.pk, people["kam"], "offer", at=DAY)
    assert "conversion" not in Event.objects.get(record_id=record.pk, kind="approval_granted").payload
