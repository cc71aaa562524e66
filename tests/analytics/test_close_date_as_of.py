"""The as-of reconstruction knows both dates: before the close the planned close date, after it the day of
the close (the outcome set it); the current state and the rebuilt one agree."""

from __future__ import annotations

import datetime

from salesflow.analytics.reports.asof import instants, state_as_of
from salesflow.analytics.source import load_data
from tests.analytics.build import Opportunity, day


def test_close_date_before_and_after_the_close(people) -> None:
    deal = Opportunity(people, "kam", amount="70000", close_date="2027-03-31").qualify(2).design(4).propose(6)
    deal.win(10)  # day 10 = 2027-01-14
    data = load_data("duckdb", None, day(20))
    times = instants([(1, day(8)), (2, day(12))])
    rows = state_as_of(data.history, times).to_pyarrow().to_pylist()
    by_snap = {row["snap_id"]: row for row in rows if row["record_id"] == deal.id}
    assert by_snap[1]["close_date"] == datetime.date(2027, 3, 31)
    assert by_snap[2]["close_date"] == datetime.date(2027, 1, 14)
    record = [row for row in data.records.to_pyarrow().to_pylist() if row["record_id"] == deal.id][0]
    assert record["close_date"] == datetime.date(2027, 1, 14)
