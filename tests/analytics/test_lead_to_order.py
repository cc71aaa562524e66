"""Lead-to-order cycle time along the links lead → opportunity → order: count, median, P80, mean per span,
computed by hand (continuous quantiles); a span counts when its end lies in the date range."""

from __future__ import annotations

import pytest

from tests.analytics.build import day, report, rows_by
from tests.analytics.chain import Chain, load_processes


@pytest.fixture
def chains(people):
    load_processes()
    chain = Chain(people)
    o1 = chain.convert(chain.lead(0), 2)                # L1 day 0 → O1 day 2 → R1 day 10, invoiced day 30
    chain.move(chain.order(o1, 10), "invoiced", 30)
    o2 = chain.convert(chain.lead(4), 8)                # L2 day 4 → O2 day 8 → R2 day 24 (open)
    chain.order(o2, 24)
    o3 = chain.convert(chain.lead(6), 7)                # L3 day 6 → O3 day 7 → R3 day 47, invoiced day 60
    chain.move(chain.order(o3, 47), "invoiced", 60)
    o4 = chain.create("opp", 1, amount="20000")         # O4 without a lead → R4 day 5, cancelled day 9
    chain.move(chain.order(o4, 5), "cancelled", 9)
    chain.convert(chain.lead(10), 12)                   # L4 day 10 → O5 day 12 (open, no order)


def stats(row):
    return row["chains"], row["median_days"], row["p80_days"], row["mean_days"]


def test_spans_over_everything(chains):
    result = report("lead-to-order")
    spans = rows_by(result, "spans", "span")
    assert stats(spans["lead_to_opportunity"]) == (4, 2.0, 2.8, 2.25)        # 1, 2, 2, 4
    assert stats(spans["lead_to_order"]) == (3, 20.0, 32.6, 23.67)           # 10, 20, 41
    assert stats(spans["lead_to_order_won"]) == (2, 42.0, 49.2, 42.0)        # 30, 54
    assert stats(spans["opportunity_to_order"]) == (4, 12.0, 25.6, 17.0)     # 4, 8, 16, 40
    assert stats(spans["opportunity_to_order_won"]) == (2, 40.5, 48.0, 40.5)  # 28, 53
    assert (spans["lead_to_order"]["min_days"], spans["lead_to_order"]["max_days"]) == (10.0, 41.0)
    assert list(spans) == ["lead_to_opportunity", "lead_to_order", "lead_to_order_won", "opportunity_to_order",
                           "opportunity_to_order_won"]
    assert result.summary["lead_to_order_chains"] == 3 and result.summary["lead_to_order_median_days"] == 20.0
    assert result.summary["opportunity_to_order_median_days"] == 12.0


def test_spans_ending_in_the_range(chains):
    spans = rows_by(report("lead-to-order", date_from=day(20).date(), date_to=day(50).date()), "spans", "span")
    assert "lead_to_opportunity" not in spans                                 # all ended before day 20
    assert stats(spans["lead_to_order"]) == (2, 30.5, 36.8, 30.5)             # 20, 41: 20 + 0.8 × 21
    assert stats(spans["lead_to_order_won"]) == (1, 30.0, 30.0, 30.0)         # R3 was invoiced on day 60
    assert stats(spans["opportunity_to_order"]) == (2, 28.0, 35.2, 28.0)      # 16, 40


def test_process_filter_restricts_records_of_its_kind(chains):
    spans = rows_by(report("lead-to-order", process="a-opp"), "spans", "span")
    assert spans["opportunity_to_order"]["chains"] == 4
    spans = rows_by(report("lead-to-order", process="opportunity-management"), "spans", "span")
    assert spans == {}                                                        # no chain starts there
