"""The analytics' as-of state (`state_as_of`, read from the event log in SQL) agrees with the replay
``audit verify`` checks records with (`salesflow.engine.replay`): stage, amount, close date, owner,
type and probability override of every record, now and at a past instant."""

from __future__ import annotations

import datetime
import decimal

import pytest
from django.utils import timezone

from salesflow.analytics.reports.asof import instants, state_as_of
from salesflow.analytics.source import data_for
from salesflow.records import services
from salesflow.records.models import Record
from salesflow.records.replay import replay_record

pytestmark = pytest.mark.django_db


def _replayed(record_id: int) -> tuple:
    state = replay_record(record_id)
    amount = state.values.get("amount")
    return (state.stage, float(decimal.Decimal(amount)) if amount is not None else None,
            state.values.get("close_date"), state.owner_id, state.values.get("type"),
            float(state.probability_override) if state.probability_override is not None else None)


def _as_of(at: datetime.datetime) -> dict[int, tuple]:
    with data_for("duckdb") as data:
        table = state_as_of(data.history, instants([(1, at)])).to_pyarrow().to_pylist()
    return {row["record_id"]: (row["stage"], row["amount"],
                               row["close_date"].isoformat() if row["close_date"] else None, row["owner_id"],
                               row["type"], row["probability_override"]) for row in table}


def test_as_of_state_equals_the_replay_of_every_record(people) -> None:
    kam, head = people["kam"], people["head"]
    start = timezone.now() - datetime.timedelta(days=30)
    first = services.do_create_record("opportunity-management", kam, {"title": "A", "amount": "1000"}, at=start)
    second = services.do_create_record("opportunity-management", kam, {"title": "B"}, at=start)
    services.do_set_fields(first.pk, kam, {"amount": "2500.50", "close_date": "2027-01-31"},
                           at=start + datetime.timedelta(days=1))
    services.do_set_probability(first.pk, kam, 70, "board approved", at=start + datetime.timedelta(days=2))
    middle = start + datetime.timedelta(days=3)
    services.do_move(first.pk, head, "proposal", override_reason="test", at=start + datetime.timedelta(days=4))
    services.do_move(first.pk, head, "solution_design", at=start + datetime.timedelta(days=5))
    services.do_set_fields(second.pk, kam, {"owner": "mate", "amount": "10"}, at=start + datetime.timedelta(days=6))
    services.do_move(second.pk, head, "lost", override_reason="no budget", at=start + datetime.timedelta(days=7))

    now = _as_of(timezone.now())
    assert set(now) == set(Record.objects.values_list("pk", flat=True))
    for record_id, row in now.items():
        assert row == _replayed(record_id), record_id
    assert now[first.pk][0] == "solution_design" and now[second.pk][0] == "lost"
    # at a past instant the as-of state is the replay of the events up to it
    past = _as_of(middle)
    assert past[first.pk] == ("qualification", 2500.5, "2027-01-31", kam.pk, None, 70.0)
