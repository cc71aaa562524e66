"""Two people moving the same record at the same moment: exactly one wins, the log stays intact.

Runs with real transactions (threads need committed data and their own connections) on SQLite and,
in the PostgreSQL pass, on PostgreSQL.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from salesflow.engine.errors import Conflict
from salesflow.records import eventlog, services
from salesflow.records.models import Event, Record
from tests.records.conftest import add_people

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3


def ready_to_leave_qualification(people: dict[str, Any]) -> Record:
    kam = people["kam"]
    record = services.do_create_record("opportunity-management", kam, {"title": "Race", "amount": "80000"})
    services.do_complete_activity(record.pk, kam, "risk_analysis")
    services.do_complete_activity(record.pk, kam, "customer_workshop")
    services.do_set_fields(record.pk, kam, {"budget": "90000", "decision_date": "2030-01-31"})
    return services.get_record(record.pk)


def race(calls: list) -> list[Any]:
    """Run the calls in threads released together; each result is a Record or the exception raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = calls[index]()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def check_log(record: Record, moves_expected: int) -> None:
    seqs = list(Event.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert eventlog.verify().ok
    assert Event.objects.filter(record=record, kind="stage_changed").count() == moves_expected


@pytest.mark.parametrize("expect_version", [False, True], ids=["plain", "expected_version"])
def test_exactly_one_of_two_simultaneous_moves_succeeds(expect_version: bool) -> None:
    people = add_people()
    for _round in range(ROUNDS):
        record = ready_to_leave_qualification(people)
        version = record.version if expect_version else None
        def move(record_id: int = record.pk, version: int | None = version) -> Record:
            return services.do_move(record_id, people["head"], "solution_design", expected_version=version)

        results = race([move, move])
        succeeded = [item for item in results if isinstance(item, Record)]
        refused = [item for item in results if not isinstance(item, Record)]
        assert len(succeeded) == 1, results
        assert len(refused) == 1 and isinstance(refused[0], (Conflict, services.VersionConflict)), results
        assert refused[0].code == "conflict"
        stored = Record.objects.get(pk=record.pk)
        assert (stored.stage, stored.version) == ("solution_design", record.version + 1)
        check_log(record, moves_expected=1)
        decisions = Event.objects.filter(record=record, kind="decision_made").count()
        assert decisions == 1


def test_simultaneous_actions_on_different_records_all_succeed() -> None:
    people = add_people()
    first = ready_to_leave_qualification(people)
    second = ready_to_leave_qualification(people)
    results = race([
        lambda: services.do_move(first.pk, people["head"], "solution_design"),
        lambda: services.do_move(second.pk, people["head"], "solution_design"),
    ])
    assert all(isinstance(item, Record) for item in results), results
    check_log(first, moves_expected=1)
    check_log(second, moves_expected=1)
