"""``salesflow report chain`` runs the three chain reports; each chain report alone as JSON and CSV;
``--process`` picks one process; an unknown one exits 1 with a message."""

from __future__ import annotations

import csv
import io

import pytest

from salesflow.analytics.reports import CHAIN
from tests.analytics.chain import Chain, load_processes


@pytest.fixture
def chain(people):
    load_processes()
    chain = Chain(people)
    opportunity = chain.convert(chain.lead(0, "fair"), 2)
    chain.move(chain.order(opportunity, 10), "invoiced", 20)
    chain.move(chain.lead(1, "web"), "disqualified", 3)
    chain.move(chain.create("contract", 0, amount="1000"), "expired", 15)


def test_report_chain_as_json(cli, chain):
    data = cli("report", "chain", "--format", "json").json()
    assert list(data) == list(CHAIN)
    assert data["lead-to-win"]["summary"]["converted"] == 1 and data["lead-to-win"]["summary"]["leads"] == 2
    assert data["lead-to-order"]["summary"]["lead_to_order_median_days"] == 10.0
    assert data["renewals"]["summary"]["ended"] == 1
    text = cli("report", "chain")
    assert text.code == 0 and "Lead-to-win conversion" in text.out and "Renewal rate" in text.out


def test_chain_report_as_csv_and_per_process(cli, chain):
    rows = list(csv.DictReader(io.StringIO(cli("report", "lead-to-win", "--format", "csv").out)))
    assert [(row["source"], row["leads"], row["converted"]) for row in rows] == [("fair", "1", "1"), ("web", "1", "0")]
    funnel = cli("report", "funnel", "--process", "a-lead", "--format", "json").json()
    assert {row["process"] for row in funnel["tables"]["stages"]["rows"]} == {"a-lead"}
    assert cli("report", "chain", "--format", "csv").code == 1


def test_unknown_process_exits_1(cli, chain):
    result = cli("report", "renewals", "--process", "nope")
    assert result.code == 1 and "--process: unknown process 'nope'" in result.err
    assert "Traceback" not in result.err
