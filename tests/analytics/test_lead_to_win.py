"""Lead-to-win conversion: leads created in the period, converted (won with an opportunity link), their
opportunities won — totals, by lead source, by owner, within a date range and as a restricted user sees it."""

from __future__ import annotations

import pytest

from tests.analytics.build import Opportunity, day, report, rows_by
from tests.analytics.chain import Chain, load_processes


@pytest.fixture
def leads(people):
    """L1..L7 (see the comments); an opportunity of the default process and a renewal link never count."""
    load_processes()
    chain = Chain(people)
    o1 = chain.convert(chain.lead(0, "fair"), 2, amount="100000")                  # L1: converted, won
    chain.move(o1, "won", 10)
    o2 = chain.convert(chain.lead(1, "fair"), 3)                                   # L2: converted, lost
    chain.move(o2, "lost", 12)
    chain.move(chain.lead(2, "web"), "disqualified", 4)                            # L3: disqualified
    chain.convert(chain.lead(3, "web"), 5, amount="50000")                         # L4: converted, open
    chain.lead(4, owner="kam2")                                                    # L5: open, no source
    chain.move(chain.lead(5, "web"), "converted", 6)                               # L6: won without a link
    o4 = chain.convert(chain.lead(40, "fair"), 41, amount="100000")                # L7: converted late, won
    chain.move(o4, "won", 45)
    other = Opportunity(people, "kam", at=1).id
    chain.link(other, o2, "renewal", 2)
    return chain


def test_totals_and_rates(leads):
    result = report("lead-to-win")
    assert result.summary == {
        "leads": 7, "converted": 4, "disqualified": 1, "open": 1, "opportunities": 4, "opportunities_won": 2,
        "opportunities_lost": 1, "leads_won": 2, "won_amount": 200000.0,
        "conversion_rate": 0.5714,            # 4 / 7
        "opportunity_win_rate": 0.6667,       # 2 / (2 + 1)
        "lead_to_win_rate": 0.2857,           # 2 / 7
    }
    assert [row["process"] for row in result.tables["processes"].rows] == ["a-lead"]


def test_by_source_and_owner(leads):
    sources = rows_by(report("lead-to-win"), "sources", "source")
    assert (sources["fair"]["leads"], sources["fair"]["converted"], sources["fair"]["leads_won"]) == (3, 3, 2)
    assert sources["fair"]["lead_to_win_rate"] == 0.6667
    assert (sources["web"]["leads"], sources["web"]["converted"], sources["web"]["disqualified"]) == (3, 1, 1)
    assert sources["web"]["opportunity_win_rate"] is None and sources["web"]["lead_to_win_rate"] == 0.0
    assert (sources["(none)"]["leads"], sources["(none)"]["open"]) == (1, 1)
    assert list(sources)[-1] == "(none)"
    owners = rows_by(report("lead-to-win", by="owner"), "sources", "group", "source")
    assert owners[("kam2", "(none)")]["leads"] == 1 and owners[("kam", "fair")]["leads"] == 3


def test_date_range_selects_leads_by_creation(leads):
    result = report("lead-to-win", date_to=day(30).date())
    assert (result.summary["leads"], result.summary["converted"], result.summary["opportunities_won"]) == (6, 3, 1)
    assert result.summary["conversion_rate"] == 0.5 and result.summary["lead_to_win_rate"] == 0.1667


def test_links_to_records_the_reader_may_not_see_do_not_count(people):
    load_processes()
    chain = Chain(people)
    lead = chain.lead(0, "fair")
    chain.move(lead, "converted", 2)
    hidden = chain.create("opp", 2, owner="kam2", classification="confidential")
    chain.link(lead, hidden, "opportunity", 2)
    assert report("lead-to-win").summary["converted"] == 1
    assert report("lead-to-win", user=people["kam"]).summary["converted"] == 0
