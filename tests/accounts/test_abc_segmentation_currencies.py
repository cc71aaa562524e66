"""ABC segmentation and account figures in the corporate currency: revenue in USD counts at the rate in force
at the window's end, revenue in a currency without a rate counts nothing (and is named in the event)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from salesflow.accounts.overview import accounts_for
from salesflow.accounts.segmentation import do_segment_accounts
from salesflow.currency.services import do_set_rate
from salesflow.records.models import Event

AS_OF = datetime.date(2025, 6, 30)


def test_revenue_in_other_currencies_is_converted(make_account: Any, deal: Any, people: Any) -> None:
    accounts = {name: make_account(name) for name in ("Alpha", "Beta", "Gamma", "Delta")}
    do_set_rate("2025-01-01", "USD", "EUR", "1.2")
    do_set_rate("2025-06-01", "USD", "EUR", "0.5")         # in force at the window's end
    deal(accounts["Alpha"], "1000", "won", "2025-03-01", currency="USD")      # 500 EUR
    deal(accounts["Beta"], "600", "won", "2025-03-01")                        # 600 EUR
    deal(accounts["Gamma"], "5000", "won", "2025-03-01", currency="CHF")      # no rate: 0
    deal(accounts["Delta"], "100", "won", "2025-03-01")
    summary = do_segment_accounts(None, as_of=AS_OF)
    revenue = {account.name: account.segment_revenue for account in
               (accounts[name].__class__.objects.get(pk=accounts[name].pk) for name in accounts)}
    assert revenue == {"Alpha": Decimal("500.00"), "Beta": Decimal("600.00"), "Gamma": Decimal("0.00"),
                       "Delta": Decimal("100.00")}
    assert summary.total_revenue == Decimal("1200.00")
    event = Event.objects.get(kind="accounts_segmented")
    assert event.payload["currency"] == "EUR" and event.payload["rates"] == {"USD": "0.5"}
    assert event.payload["unconverted"] == [{"currency": "CHF", "count": 1, "total": "5000.00"}]


def test_account_list_figures_in_the_corporate_currency(make_account: Any, deal: Any, people: Any) -> None:
    alpha = make_account("Alpha")
    do_set_rate("2020-01-01", "USD", "EUR", "0.9")
    deal(alpha, "100000", "", currency="USD")
    deal(alpha, "100000", "")
    deal(alpha, "100000", "", currency="CHF")
    found = accounts_for(people["head"]).get(pk=alpha.pk)
    assert found.open_pipeline == Decimal("190000.00")
