"""The forecast is about opportunities: orders, contracts and leads in the log neither break it nor count
as revenue a second time; asked for another process explicitly, it forecasts that one."""

from __future__ import annotations

from salesflow.analytics.periods import parse_period
from tests.analytics.build import day, report
from tests.analytics.chain import Chain, load_processes

Q1 = parse_period("2027-Q1")


def test_orders_and_leads_do_not_count_in_the_forecast(people):
    load_processes()
    chain = Chain(people)
    won = chain.convert(chain.lead(0, "fair"), 1, amount="50000")
    chain.move(chain.order(won, 10, amount="50000"), "invoiced", 20)       # order won in Q1: not revenue again
    chain.convert(chain.lead(2), 3, amount="100000")                        # open, closes 2027-03-31, 30 %
    contract = chain.create("contract", 4, amount="70000", close_date="2027-03-01")
    chain.move(contract, "renewed", 30)
    result = report("forecast", now=day(40), period=Q1)
    assert result.summary["won"] == 50000.0 and result.summary["won_count"] == 1
    assert result.summary["open_amount"] == 100000.0 and result.summary["weighted"] == 30000.0
    orders = report("forecast", now=day(40), period=Q1, process="a-order")
    assert orders.summary["won"] == 50000.0
