"""The report suite gives identical numbers on the DuckDB mirror and directly on PostgreSQL.

Runs in the PostgreSQL pass (``SALESFLOW_TEST_DATABASE=postgres``): the data is committed
(``transaction=True``) so that Ibis's own PostgreSQL connection sees it.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection

from salesflow.analytics.models import ForecastSnapshot, Target
from salesflow.analytics.periods import parse_period
from salesflow.analytics.reports import KINDS, Params, run_report
from salesflow.analytics.snapshots import backfill_snapshots
from salesflow.analytics.source import data_for
from tests.analytics.build import Opportunity, day
from tests.records.conftest import add_people

pytestmark = pytest.mark.django_db(transaction=True)


def _suite(engine: str, by: str | None) -> dict[str, object]:
    results = {}
    with data_for(engine, None, day(45)) as data:
        for kind in KINDS:
            report = run_report(kind, data, Params(by=by if kind not in ("accuracy", "plan") else None,
                                                   period=parse_period("2027-Q1")))
            results[kind] = json.loads(json.dumps(report.to_data(), default=str))
    return results


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
    Target.objects.create(period="2027-Q1", process="opportunity-management", team="North", amount=300000)
    backfill_snapshots(until=day(42))
    assert ForecastSnapshot.objects.exists()
    for by in (None, "owner", "team", "type", "process-version"):
        duck, postgres = _suite("duckdb", by), _suite("postgres", by)
        for kind in KINDS:
            assert duck[kind] == postgres[kind], f"{kind} by {by} differs"
