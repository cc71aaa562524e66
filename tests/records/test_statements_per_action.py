"""How many SQL statements one action costs (issue 18: engine overhead), and that the record an action
locks is the record the ORM would load.

The counts are upper bounds of what a move, a field change and an activity need today (SQLite and
PostgreSQL alike, transaction statements included): an action that starts to re-read rows, compile
queries it does not need or write a row twice fails here. `benchmarks` prints the same counts next to
the bare writes.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from salesflow.records import services
from salesflow.records.locking import SKIPPED_VERSION_COLUMNS, lock_record
from salesflow.records.models import Process, ProcessVersion, Record

#: action → the most statements it may run (BEGIN/SAVEPOINT and COMMIT/RELEASE included).
LIMITS = {
    # BEGIN, lock+read, record update, chain head advance (checked against the head this connection
    # wrote last), events insert, COMMIT; the decision tells the owner and members: all of them with
    # their roles in one read, notification insert
    "forward": 8,
    "backward": 6,
    "field": 6,
    "activity": 6,
}


def _columns(instance: Any, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields
            if field.name not in skip}


def _ready(people: dict[str, Any]) -> Record:
    """A record whose qualification gate is met but for the decision (the Head of Sales decides it by moving)."""
    kam = people["kam"]
    record = services.do_create_record("opportunity-management", kam, {
        "title": "Energy management – Nordwind", "amount": "185000.50", "close_date": "2031-06-30",
        "account": "Nordwind Energie"})
    services.do_complete_activity(record.pk, kam, "risk_analysis", note="low")
    services.do_complete_activity(record.pk, kam, "customer_workshop")
    return services.do_set_fields(record.pk, kam, {"budget": "210000", "decision_date": "2031-03-31"})


def _count(action: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_one_move_field_change_and_activity_stay_within_their_statements(people: dict[str, Any]) -> None:
    head, kam, support = people["head"], people["kam"], people["support"]
    warm, measured = _ready(people), _ready(people)
    steps = {
        "forward": lambda pk: services.do_move(pk, head, "solution_design"),
        "backward": lambda pk: services.do_move(pk, head, "qualification"),
        "field": lambda pk: services.do_set_fields(pk, kam, {"budget": "220000"}),
        "activity": lambda pk: services.do_complete_activity(pk, support, "qualification_support"),
    }
    for step in steps.values():  # caches (definition, library policy, the actors' roles) filled once
        step(warm.pk)
    counts = {name: _count(lambda step=step: step(measured.pk)) for name, step in steps.items()}
    over = {name: f"{counts[name]} > {LIMITS[name]}" for name in LIMITS if counts[name] > LIMITS[name]}
    assert not over, f"more SQL statements per action than pinned: {over} (all: {counts})"
    record = Record.objects.get(pk=measured.pk)
    assert (record.stage, record.values["budget"], record.version) == ("qualification", "220000.00", 8)
    assert "qualification_support" in record.progress["done"]


@pytest.mark.django_db
def test_the_locked_record_is_the_record_the_orm_loads(people: dict[str, Any]) -> None:
    record = _ready(people)
    services.do_set_members(record.pk, people["kam"], ["mate"], [])
    expected = Record.objects.select_related("process", "process_version").get(pk=record.pk)
    with transaction.atomic():
        locked = lock_record(record.pk)
        assert lock_record(record.pk + 1000) is None
    assert locked is not None
    assert _columns(locked) == _columns(expected)
    assert isinstance(locked.process, Process) and _columns(locked.process) == _columns(expected.process)
    assert isinstance(locked.process_version, ProcessVersion)
    assert _columns(locked.process_version, SKIPPED_VERSION_COLUMNS) == _columns(expected.process_version,
                                                                                SKIPPED_VERSION_COLUMNS)
    assert locked.process_version.get_deferred_fields() == set(SKIPPED_VERSION_COLUMNS)
    assert locked.to_state() == expected.to_state()
    assert locked.values["budget"] == "210000.00" and str(locked.amount) == "185000.50"
    assert locked.close_date.isoformat() == "2031-06-30" and locked.created_at.tzinfo is not None
    assert locked.process.key == "opportunity-management" and locked._state.adding is False

