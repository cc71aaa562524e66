"""``salesflow report``: every kind as table, JSON and CSV; bad input is a message and exit code 1."""

from __future__ import annotations

import csv
import io

import pytest

from salesflow.analytics.reports import KINDS
from tests.analytics.build import PROCESS, Opportunity


@pytest.fixture
def deals(people):
    Opportunity(people, "kam", close_date="2027-03-01").qualify(2).design(4).propose(6).win(10)
    Opportunity(people, "kam2", close_date="2027-03-01").lose(3)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_in_every_format(cli, deals, kind):
    table = cli("report", kind, "--period", "2027-Q1", "--as-of", "2027-02-01")
    assert table.code == 0, table
    assert table.out.strip()
    data = cli("report", kind, "--format", "json", "--period", "2027-Q1").json()
    assert data["kind"] == kind and data["tables"]
    rows = list(csv.reader(io.StringIO(cli("report", kind, "--format", "csv").out)))
    main = next(iter(data["tables"].values()))
    assert rows[0] == [column["key"] for column in main["columns"]]


def test_funnel_json_numbers(cli, deals):
    data = cli("report", "funnel", "--process", PROCESS, "--format", "json").json()
    assert data["summary"] == {"records": 2, "won": 1, "lost": 1, "win_rate": 0.5, "currency": "EUR", "open_amount": 0.0,
                               "unconverted": []}


@pytest.mark.parametrize(("args", "message"), [
    (("report", "funnel", "--by", "region"), "--by: one of"),
    (("report", "forecast", "--period", "2027-Q7"), "period: expected"),
    (("report", "funnel", "--from", "2027-13-01"), "--from: a date YYYY-MM-DD"),
    (("report", "funnel", "--from", "2027-02-01", "--to", "2027-01-01"), "is after"),
    (("report", "forecast", "--trials", "100"), "--trials"),
    (("report", "winrate", "--format", "csv", "--table", "nope"), "--table: the winrate report has"),
    (("report", "funnel", "--as", "nobody"), "unknown user"),
])
def test_bad_input_exits_1_without_traceback(cli, people, args, message):
    result = cli(*args)
    assert result.code == 1
    assert message in result.err
    assert "Traceback" not in result.err


def test_chart_file(cli, deals, tmp_path):
    target = tmp_path / "funnel.svg"
    assert cli("report", "funnel", "--chart", target).code == 0
    assert target.read_text(encoding="utf-8").startswith("<svg")
