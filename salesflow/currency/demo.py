"""Demo rates: monthly USD → EUR rates over the whole demo history (more than a year), set before it starts."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from typing import Any

from salesflow.currency.services import RateInput, store_rates
from salesflow.currency.settings import corporate_currency

#: The demo's customers that are quoted and invoiced in US dollars.
USD_ACCOUNTS = ("Blue Harbor Logistics", "Meridian Ports", "Polaris Telecom")
#: How far back the demo's monthly rates reach (its oldest records are about 18 months old).
HISTORY_DAYS = 800


def monthly_rates(now: datetime.datetime, source: str = "USD") -> list[RateInput]:
    """A rate on the first of every month from `HISTORY_DAYS` ago to this month: 1 USD = 0.89 … 0.95 EUR."""
    first = (now - datetime.timedelta(days=HISTORY_DAYS)).date().replace(day=1)
    items, day, index = [], first, 0
    while day <= now.date():
        rate = Decimal(str(round(0.92 + 0.03 * math.sin(index / 2.5), 4)))
        items.append(RateInput(day, source, corporate_currency(), rate))
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        index += 1
    return items


def add_demo_rates(now: datetime.datetime, by: Any | None = None) -> int:
    """Store the demo's monthly rates (once: nothing when rates exist), dated before every demo event."""
    from salesflow.currency.models import ExchangeRate

    if ExchangeRate.objects.exists():
        return 0
    items = monthly_rates(now)
    return len(store_rates(items, by, "demo", at=datetime.datetime.combine(
        items[0].date, datetime.time(), tzinfo=datetime.UTC)))
