"""The demo is in two currencies: some customers are quoted in US dollars, with monthly USD → EUR rates over
the whole demo history (more than a year); its USD offers were approved at the day's rate."""

from __future__ import annotations

import datetime

import pytest

from salesflow.currency.models import ExchangeRate
from salesflow.records import demo
from salesflow.records.eventlog import verify
from salesflow.records.models import Event, Record

NOW = datetime.datetime(2026, 5, 4, 10, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_demo_records_in_two_currencies_with_monthly_rates():
    summary = demo.generate(10, seed=5, now=NOW, leads=0)
    assert summary["exchange_rates"] >= 13
    days = list(ExchangeRate.objects.order_by("date").values_list("date", flat=True))
    assert all(day.day == 1 for day in days) and (days[-1] - days[0]).days >= 365
    assert days[-1] == datetime.date(2026, 5, 1)
    currencies = set(Record.objects.filter(process__key="opportunity-management").values_list("currency", flat=True))
    assert currencies == {"EUR", "USD"}
    converted = [event for event in Event.objects.filter(kind="approval_granted") if "conversion" in event.payload]
    assert converted and all(event.payload["conversion"]["from"] == "USD" for event in converted)
    assert verify().ok
