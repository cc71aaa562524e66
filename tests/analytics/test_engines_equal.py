"""The report suite — also the chain reports over leads, orders and contracts, and amounts in several
currencies converted at dated rates — gives identical numbers on the DuckDB mirror and directly on PostgreSQL.

Runs in the PostgreSQL pass (``SALESFLOW_TEST_DATABASE=postgres``): the data is committed
(``transaction=True``) so that Ibis's own PostgreSQL connection sees it.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection

from salesflow.analytics.models import ForecastSnapshot, Target
from salesflow.analytics.periods import parse_period
from salesflow.analytics.reports import CHAIN, KINDS, Params, run_report
from salesflow.analytics.snapshots import backfill_snapshots
from salesflow.analytics.source import data_for
from salesflow.currency.services import do_set_rate
from tests.analytics.build import Opportunity, day
from tests.analytics.chain import Chain, load_processes
from tests.records.conftest import add_people

pytestmark = pytest.mark.django_db(transaction=True)


def _suite(engine: str, by: str | None, user: object = None, kinds: tuple[str, ...] = tuple(KINDS)
           ) -> dict[str, object]:
    results = {}
    with data_for(engine, user, day(45)) as data:
        for kind in kinds:
            report = run_report(kind, data, Params(by=by if kind not in ("accuracy", "plan") else None,
                                                   period=parse_period("2027-Q1")))
            results[kind] = json.loads(json.dumps(report.to_data(), default=str))
    return results


def add_chains(people):
    """Leads, opportunities, orders and contracts linked as the hand-offs link them (one of them hidden)."""
    load_processes()
    chain = Chain(people)
    won = chain.convert(chain.lead(0, "fair"), 2, amount="80000")
    chain.move(chain.order(won, 9, amount="80000"), "invoiced", 21)
    lost = chain.convert(chain.lead(1, "web", owner="kam2"), 4, owner="kam2")
    chain.move(lost, "lost", 14)
    chain.move(chain.lead(2, "web"), "disqualified", 3)
    chain.order(chain.convert(chain.lead(3), 6), 30)
    hidden = chain.create("opp", 5, owner="kam2", classification="confidential", amount="10000")
    chain.link(chain.move(chain.lead(4, owner="kam2"), "converted", 5), hidden, "opportunity", 5)
    contract = chain.create("contract", 0, amount="30000", end_date="2027-02-01")
    chain.link(contract, chain.create("opp", 8, amount="33000"), "renewal", 8)
    chain.move(contract, "renewed", 18)
    chain.move(chain.create("contract", 1, amount="9000", owner="kam2"), "expired", 25)
    chain.create("contract", 2, end_date="2027-01-31")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs the PostgreSQL pass "
                    "(SALESFLOW_TEST_DATABASE=postgres)")
def test_duckdb_and_postgres_give_identical_reports():
    people = add_people()
    Opportunity(people, "kam", at=0).qualify(10).design(30).propose(40).probability(60, 41)
    Opportunity(people, "kam", at=1, kind="stabilisation").qualify(5).lose(20)
    Opportunity(people, "kam2", at=2, amount="300000").lose(4, inform=False)
    Opportunity(people, "kam2", at=3).qualify(13).design(23).propose(25).win(33)
    Opportunity(people, "mate", at=4, amount=None).move("won", 8, override="Signed early")
    Opportunity(people, "mate", at=5, classification="confidential").set(6, amount="55000")
    # amounts in three currencies: USD with a direct and later an inverse rate, CHF without any rate
    do_set_rate(day(0).date(), "USD", "EUR", "0.9")
    do_set_rate(day(20).date(), "EUR", "USD", "1.25")
    Opportunity(people, "kam2", at=6, amount="70000").set(7, currency="USD").qualify(9)
    Opportunity(people, "mate", at=7, amount="20000").set(8, currency="CHF")
    Opportunity(people, "kam", at=8, amount="40000").set(9, currency="USD").qualify(10).lose(30)
    add_chains(people)
    Target.objects.create(period="2027-Q1", process="opportunity-management", team="North", amount=300000)
    Target.objects.create(period="2027-Q1", process="opportunity-management", team="South", amount=100000,
                          currency="USD")
    backfill_snapshots(until=day(42))
    assert ForecastSnapshot.objects.exists()
    for by in (None, "owner", "team", "type", "process-version"):
        duck, postgres = _suite("duckdb", by), _suite("postgres", by)
        for kind in KINDS:
            assert duck[kind] == postgres[kind], f"{kind} by {by} differs"
        if by is None:
            overall = duck
    duck = overall
    assert duck["forecast"]["summary"]["rates"] == {"USD": 0.8}
    assert [item["currency"] for item in duck["forecast"]["summary"]["unconverted"]] == ["CHF"]
    assert duck["funnel"]["summary"]["unconverted"][0]["currency"] == "CHF"
    assert duck["lead-to-win"]["summary"]["converted"] == 4 and duck["renewals"]["summary"]["decided"] == 2
    assert duck["lead-to-order"]["summary"]["lead_to_order_chains"] == 2
    duck, postgres = _suite("duckdb", None, people["kam"], CHAIN), _suite("postgres", None, people["kam"], CHAIN)
    assert duck == postgres
    assert duck["lead-to-win"]["summary"]["converted"] == 3          # kam may not see the confidential one
