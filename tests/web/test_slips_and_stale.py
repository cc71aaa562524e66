"""Slips and stale records: a record pushed twice out of its quarter has 2 slips (record page, board card,
`report slips`); qualification (``stale_days: 14`` in the default library) flags a record untouched for
15 days on the board, on My work and in `report stale` — not one untouched for 13 days."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from salesflow.analytics.reports import Params, run_report
from salesflow.analytics.source import load_data
from salesflow.engine import pipeline
from salesflow.process.validate import validate_texts
from salesflow.records import services

PROCESS = "opportunity-management"


def _ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def deals(people):
    pushed = services.do_create_record(PROCESS, people["kam"], {"title": "Pushed twice", "amount": "50000",
                                                                  "close_date": "2027-03-15"}, at=_ago(40))
    services.do_set_fields(pushed.pk, people["kam"], {"close_date": "2027-04-10"}, at=_ago(39))   # Q1 → Q2: slip
    services.do_set_fields(pushed.pk, people["kam"], {"close_date": "2027-05-20"}, at=_ago(38))   # within Q2
    services.do_set_fields(pushed.pk, people["kam"], {"close_date": "2027-02-01"}, at=_ago(37))   # pulled in
    services.do_set_fields(pushed.pk, people["kam"], {"close_date": "2027-07-05"}, at=_ago(1))    # Q1 → Q3: slip
    stale = services.do_create_record(PROCESS, people["kam"], {"title": "Untouched 15 days", "amount": "7000"},
                                      at=_ago(15))
    fresh = services.do_create_record(PROCESS, people["kam"], {"title": "Untouched 13 days", "amount": "8000"},
                                      at=_ago(13))
    return {"pushed": pushed.pk, "stale": stale.pk, "fresh": fresh.pk}


def test_rules():
    assert pipeline.slip_count(["2027-03-15", "2027-04-10", "2027-05-20", "2027-02-01", "2027-07-05"]) == 2
    assert not pipeline.is_slip("2027-04-01", "2027-06-30") and pipeline.is_slip("2027-12-31", "2028-01-01")
    now = datetime.datetime(2027, 1, 31, tzinfo=datetime.UTC)
    assert pipeline.is_stale(14, now - datetime.timedelta(days=15), now)
    assert not pipeline.is_stale(14, now - datetime.timedelta(days=13), now)
    assert not pipeline.is_stale(None, now - datetime.timedelta(days=99), now)
    assert not pipeline.is_stale(14, now - datetime.timedelta(days=99), now, is_open=False)


def test_stale_days_only_on_open_stages():
    from pathlib import Path

    text = Path("salesflow/library/opportunity-management.yaml").read_text(encoding="utf-8")
    bad = text.replace("  - id: won\n", "  - id: won\n    stale_days: 3\n", 1)
    _, problems = validate_texts([("opp.yaml", bad)])
    assert any("stale_days" in str(problem) and "outcome" in str(problem) for problem in problems), problems
    zero = text.replace("stale_days: 14", "stale_days: 0", 1)
    assert any("stale_days" in str(problem) for problem in validate_texts([("opp.yaml", zero)])[1])


def test_reports(deals):
    data = load_data("duckdb", None, timezone.now())
    slips = run_report("slips", data, Params(by="owner"))
    assert {row["record_id"]: row["slips"] for row in slips.tables["records"].rows} == {deals["pushed"]: 2}
    assert slips.summary["slips"] == 2 and slips.tables["groups"].rows[0]["slipped"] == 1
    recent = run_report("slips", data, Params(date_from=_ago(5).date()))
    assert recent.summary["slips"] == 1                  # only the slip made in the range
    stale = run_report("stale", data, Params())
    rows = {row["record_id"]: row for row in stale.tables["records"].rows}
    assert set(rows) == {deals["stale"]} and rows[deals["stale"]]["days"] == 15
    assert rows[deals["stale"]]["stale_days"] == 14


def test_record_page_board_and_my_work(deals, client_for, people):
    client = client_for(people["kam"])
    page = client.get(reverse("record", args=[deals["pushed"]])).content.decode()
    assert 'data-slips="2"' in page and "slipped 2 times" in page
    stale_page = client.get(reverse("record", args=[deals["stale"]])).content.decode()
    assert "stale-flag" in stale_page
    assert "stale-flag" not in client.get(reverse("record", args=[deals["fresh"]])).content.decode()
    board = client.get(reverse("board")).content.decode()
    card = board[board.index(f'id="card-{deals["stale"]}"') - 60:]
    assert "deal-stale" in card[:200]
    fresh = board[board.index(f'id="card-{deals["fresh"]}"') - 60:]
    assert "deal-stale" not in fresh[:200]
    assert "slipped 2×" in board
    work = client.get(reverse("home")).content.decode()
    section = work[work.index('id="stale"'):]
    section = section[:section.index("</section>")]
    assert "Untouched 15 days" in section and "Untouched 13 days" not in section
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    german = client.get(reverse("home")).content.decode()
    assert "Meine liegengebliebenen Vorgänge" in german
