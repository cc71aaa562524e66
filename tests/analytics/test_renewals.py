"""Renewal rate: contracts decided in the period (renewed vs terminated/expired), contracts due but
undecided, renewal opportunities (links of kind renewal) and how many were won — by hand."""

from __future__ import annotations

import pytest

from tests.analytics.build import day, report, rows_by
from tests.analytics.chain import Chain, load_processes


@pytest.fixture
def contracts(people):
    load_processes()
    chain = Chain(people)
    c1 = chain.create("contract", 0, amount="10000", end_date="2027-02-01")
    renewal = chain.create("opp", 10, amount="12000")
    chain.link(c1, renewal, "renewal", 10)
    chain.move(renewal, "won", 15)
    chain.move(c1, "renewed", 20)                                               # C1 renewed
    chain.move(chain.create("contract", 0, amount="20000", end_date="2027-02-10"), "terminated", 25)
    chain.move(chain.create("contract", 1, amount="30000"), "expired", 28)
    chain.move(chain.create("contract", 2, amount="40000"), "renewed", 60)     # C4: after the range
    c5 = chain.create("contract", 3, amount="5000", end_date="2027-02-15")     # due, undecided
    chain.move(c5, "renewal_due", 11)
    chain.link(c5, chain.create("opp", 12), "renewal", 12)                     # renewal opportunity, open
    chain.create("contract", 3, end_date="2027-12-31")                         # not due
    chain.create("contract", 4, owner="kam2", end_date="2027-01-20")           # due, undecided (kam2)


RANGE = {"date_from": day(0).date(), "date_to": day(50).date()}                 # 2027-01-04 … 2027-02-23


def test_renewal_rate_in_the_range(contracts):
    result = report("renewals", **RANGE)
    assert result.summary == {
        "decided": 3, "renewed": 1, "ended": 2, "undecided": 2, "renewal_opportunities": 2, "renewal_won": 1,
        "renewal_lost": 0, "renewal_open": 1, "decided_amount": 60000.0, "renewed_amount": 10000.0,
        "renewal_won_amount": 12000.0,
        "renewal_rate": 0.3333, "amount_renewal_rate": 0.1667, "renewal_win_rate": 1.0,
    }
    outcomes = rows_by(result, "outcomes", "stage")
    assert {stage: row["contracts"] for stage, row in outcomes.items()} == {
        "renewed": 1, "terminated": 1, "expired": 1}
    assert list(outcomes)[0] == "renewed"


def test_without_range_and_by_owner(contracts):
    result = report("renewals")                                                 # now: day 100 (2027-04-14)
    assert (result.summary["decided"], result.summary["renewed"], result.summary["renewal_rate"]) == (4, 2, 0.5)
    assert result.summary["undecided"] == 2
    owners = rows_by(report("renewals", by="owner", **RANGE), "contracts", "group")
    assert (owners["kam2"]["decided"], owners["kam2"]["undecided"], owners["kam2"]["renewal_rate"]) == (0, 1, None)
    assert (owners["kam"]["decided"], owners["kam"]["renewal_opportunities"]) == (3, 2)
