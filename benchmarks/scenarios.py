"""What the benchmark worker measures. Import only after ``django.setup()``.

Stage moves, two ways, on the same table and with the same number of transactions:

- **engine**: ``services.do_move`` as Head of Sales — lock the record, check the version and
  visibility, evaluate the gate (decide it implicitly), write the record, append the events to the
  hash chain (lock the chain head, hash, insert, update the head);
- **bare**: the same Event rows (same columns and payload sizes), the same Record UPDATE and the same
  Notification rows (the forward move's decision tells the owner), written with plain ORM calls, one
  transaction per move — no lock, no read, no gate, no hashing.

Two scenarios: ``forward`` (qualification → solution_design: implicit decision + stage change, 2
events) and ``backward`` (solution_design → qualification: stage change that reopens the work, 1
event). The segments of a round run interleaved, their order alternating from round to round, so
that drift on a shared machine hits both sides alike.
"""

from __future__ import annotations

import datetime
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesflow.records import demo, services
from salesflow.records.models import ChainHead, Event, Notification, Record

PROCESS = "opportunity-management"
#: (scenario, stage the records start in, target stage)
SCENARIOS = (("forward", "qualification", "solution_design"), ("backward", "solution_design", "qualification"))
#: Other actions measured the same way, on the records the moves brought back to qualification:
#: (scenario, what it does) — a field change by the owner, an activity done by Sales Support.
ACTIONS: dict[str, Callable[[int, dict[str, Any]], Any]] = {
    "field": lambda record_id, users: services.do_set_fields(record_id, users["kam"], {"budget": "220000"}),
    "activity": lambda record_id, users: services.do_complete_activity(record_id, users["support"],
                                                                       "qualification_support"),
}
#: Record columns not copied from the engine's result (the bare path sets the timestamps per row).
_PER_ROW_COLUMNS = {"id", "created_at", "updated_at", "stage_entered_at"}
#: Event columns the bare path sets per row.
_PER_EVENT_COLUMNS = {"seq", "record", "at"}
#: Notification columns the bare path sets per row.
_PER_NOTIFICATION_COLUMNS = {"id", "record", "created_at"}

Progress = Callable[[str], None]


@dataclass
class MoveRows:
    """What one engine move wrote, for the bare path to write again: event rows, record columns, notifications."""

    events: list[dict[str, Any]]
    record_columns: dict[str, Any]
    version_before: int
    notifications: list[dict[str, Any]]


def _record_columns(record: Record) -> dict[str, Any]:
    """Every concrete column of a record (by attribute name) except the key and the timestamps."""
    return {field.attname: getattr(record, field.attname) for field in Record._meta.concrete_fields
            if field.attname not in _PER_ROW_COLUMNS}


def _event_columns(event: Event) -> dict[str, Any]:
    """The columns of an event that the bare path copies."""
    return {field.attname: getattr(event, field.attname) for field in Event._meta.concrete_fields
            if field.name not in _PER_EVENT_COLUMNS}


def _notification_columns(notification: Notification) -> dict[str, Any]:
    """The columns of a notification that the bare path copies."""
    return {field.attname: getattr(notification, field.attname) for field in Notification._meta.concrete_fields
            if field.name not in _PER_NOTIFICATION_COLUMNS}


def _wrote(record_id: int, version: int, last_seq: int, last_notification: int) -> MoveRows:
    """What the action just done on ``record_id`` wrote: its events, the record's columns, its notifications."""
    record = Record.objects.get(pk=record_id)
    events = list(Event.objects.filter(seq__gt=last_seq).order_by("seq"))
    notifications = list(Notification.objects.filter(pk__gt=last_notification).order_by("pk"))
    return MoveRows([_event_columns(event) for event in events], _record_columns(record), version,
                    [_notification_columns(notification) for notification in notifications])


def prepare_template(users: dict[str, Any]) -> dict[str, Any]:
    """A record in qualification whose gate is met except the decision (done through the services).

    Risk analysis and customer workshop done, budget and decision date set: the Head of Sales can
    move it to solution_design, deciding the gate implicitly. Returns its columns for cloning.
    """
    kam = users["kam"]
    record = services.do_create_record(PROCESS, kam, {
        "title": "Energy management platform – Nordwind Energie", "account": "Nordwind Energie",
        "amount": "185000", "type": "new_business", "close_date": "2031-06-30",
    })
    services.do_complete_activity(record.pk, kam, "risk_analysis", note="Strategic, legal and technical risks low")
    services.do_complete_activity(record.pk, kam, "customer_workshop", note="Workshop with the customer's CTO")
    record = services.do_set_fields(record.pk, kam, {"budget": "210000", "decision_date": "2031-03-31"})
    return _record_columns(record)


def clone_records(template: dict[str, Any], count: int) -> list[int]:
    """Insert ``count`` copies of the template record (bulk, untimed); return their ids in order."""
    before = Record.objects.aggregate(top=Max("pk"))["top"] or 0
    now = timezone.now()
    rows = [Record(**template, created_at=now, updated_at=now, stage_entered_at=now) for _ in range(count)]
    Record.objects.bulk_create(rows, batch_size=500)
    return list(Record.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))


def probe(template: dict[str, Any], head: Any, users: dict[str, Any]) -> dict[str, MoveRows]:
    """Move one record forward and back through the engine; keep what each move wrote."""
    rows: dict[str, MoveRows] = {}
    (record_id,) = clone_records(template, 1)
    actions: list[tuple[str, Callable[[], Any]]] = [
        (name, lambda t=target: services.do_move(record_id, head, t, expected_version=Record.objects.get(
            pk=record_id).version)) for name, _source, target in SCENARIOS]
    actions += [(name, lambda a=act: a(record_id, users)) for name, act in ACTIONS.items()]
    for name, run in actions:
        version = Record.objects.get(pk=record_id).version
        last_seq = Event.objects.aggregate(top=Max("seq"))["top"] or 0
        last_notification = Notification.objects.aggregate(top=Max("pk"))["top"] or 0
        run()
        rows[name] = _wrote(record_id, version, last_seq, last_notification)
    return rows


def _count_queries(run: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def count_queries(template: dict[str, Any], head: Any, rows: dict[str, MoveRows],
                  users: dict[str, Any]) -> dict[str, dict[str, int]]:
    """SQL statements of one engine move and one bare move per scenario (run after the warm-up).

    The engine actions are counted one after the other, as in a timed segment: the first action after
    someone else moved the chain head (here: the bare path) pays one more statement to read the head,
    so an untimed action on a spare record goes first.
    """
    engine_id, bare_id, spare_id = clone_records(template, 3)
    ACTIONS["field"](spare_id, users)
    queries: dict[str, dict[str, int]] = {}
    for name, _source, target in SCENARIOS:
        version = rows[name].version_before
        queries[name] = {"engine": _count_queries(lambda t=target, v=version: services.do_move(
            engine_id, head, t, expected_version=v))}
    for name, act in ACTIONS.items():
        queries[name] = {"engine": _count_queries(lambda a=act: a(engine_id, users))}
    for name in queries:
        seq = ChainHead.objects.get(pk=1).seq
        queries[name]["bare"] = _count_queries(lambda n=name, first=seq: bare_move(bare_id, rows[n], first))
        ChainHead.objects.filter(pk=1).update(seq=seq + len(rows[name].events))
    return queries


def engine_actions(record_ids: list[int], users: dict[str, Any], act: Callable[[int, dict[str, Any]], Any]) -> float:
    """Do ``act`` on each record through the services; return the elapsed seconds."""
    gc.collect()
    start = time.perf_counter()
    for record_id in record_ids:
        act(record_id, users)
    return time.perf_counter() - start


def engine_moves(record_ids: list[int], user: Any, target: str, expected_version: int) -> float:
    """Move each record through ``services.do_move``; return the elapsed seconds."""
    do_move = services.do_move
    gc.collect()
    start = time.perf_counter()
    for record_id in record_ids:
        do_move(record_id, user, target, expected_version=expected_version)
    return time.perf_counter() - start


def bare_move(record_id: int, rows: MoveRows, seq: int) -> int:
    """One bare move: insert the events after ``seq``, update the record and insert the notifications, in one
    transaction.

    Returns the last sequence number used.
    """
    at = timezone.now()
    with transaction.atomic():
        events = []
        for template in rows.events:
            seq += 1
            events.append(Event(seq=seq, record_id=record_id, at=at, **template))
        Event.objects.bulk_create(events)
        Record.objects.filter(pk=record_id).update(**rows.record_columns, created_at=at, updated_at=at,
                                                   stage_entered_at=at)
        if rows.notifications:
            Notification.objects.bulk_create([Notification(record_id=record_id, created_at=at, **template)
                                              for template in rows.notifications])
    return seq


def bare_moves(record_ids: list[int], rows: MoveRows) -> float:
    """`bare_move` for each record; return the elapsed seconds.

    Sequence numbers continue after the chain head, which is advanced afterwards (untimed) so that
    later engine appends do not collide. The chain does not verify afterwards: the database is
    thrown away.
    """
    seq = ChainHead.objects.get(pk=1).seq
    gc.collect()
    start = time.perf_counter()
    for record_id in record_ids:
        seq = bare_move(record_id, rows, seq)
    elapsed = time.perf_counter() - start
    ChainHead.objects.filter(pk=1).update(seq=seq)
    return elapsed


def _round(template: dict[str, Any], head: Any, rows: dict[str, MoveRows], moves: int,
           engine_first: bool, users: dict[str, Any]) -> dict[str, dict[str, float]]:
    """One round: fresh records for each side, then forward and backward segments, interleaved."""
    engine_ids = clone_records(template, moves)
    bare_ids = clone_records(template, moves)
    seconds: dict[str, dict[str, float]] = {}
    for name, _source, target in SCENARIOS:
        version = rows[name].version_before
        segments = {
            "engine": lambda t=target, v=version: engine_moves(engine_ids, head, t, v),
            "bare": lambda n=name: bare_moves(bare_ids, rows[n]),
        }
        order = ("engine", "bare") if engine_first else ("bare", "engine")
        seconds[name] = {side: segments[side]() for side in order}
    for name, act in ACTIONS.items():
        segments = {
            "engine": lambda a=act: engine_actions(engine_ids, users, a),
            "bare": lambda n=name: bare_moves(bare_ids, rows[n]),
        }
        order = ("engine", "bare") if engine_first else ("bare", "engine")
        seconds[name] = {side: segments[side]() for side in order}
    return seconds


def _rates(moves: int, seconds: list[float], events_per_move: int) -> dict[str, list[float]]:
    return {
        "seconds": seconds,
        "moves_per_s": [moves / value for value in seconds],
        "events_per_s": [moves * events_per_move / value for value in seconds],
    }


def measure_moves(moves: int, rounds: int, progress: Progress) -> dict[str, Any]:
    """Run the stage-move benchmark on the configured (freshly migrated) database."""
    users = demo.create_users()
    head = users["head"]
    template = prepare_template(users)
    rows = probe(template, head, users)
    progress(f"warm-up ({min(moves, 50)} moves per segment)")
    _round(template, head, rows, min(moves, 50), engine_first=True, users=users)
    queries = count_queries(template, head, rows, users)
    results: list[dict[str, dict[str, float]]] = []
    for number in range(rounds):
        started = time.perf_counter()
        results.append(_round(template, head, rows, moves, engine_first=number % 2 == 0, users=users))
        progress(f"round {number + 1}/{rounds} done in {time.perf_counter() - started:.1f} s")
    scenarios: dict[str, Any] = {}
    for name, source, target in (*SCENARIOS, *((action, "qualification", action) for action in ACTIONS)):
        per_move = len(rows[name].events)
        engine = _rates(moves, [result[name]["engine"] for result in results], per_move)
        bare = _rates(moves, [result[name]["bare"] for result in results], per_move)
        scenarios[name] = {
            "from": source,
            "to": target,
            "events_per_move": per_move,
            "event_kinds": [event["kind"] for event in rows[name].events],
            "queries_per_move": queries[name],
            "engine": engine,
            "bare": bare,
            "overhead": [b / e for b, e in zip(bare["moves_per_s"], engine["moves_per_s"], strict=True)],
        }
    return {"moves": moves, "rounds": rounds, "scenarios": scenarios}


def measure_demo(opportunities: int, rounds: int, progress: Progress) -> dict[str, Any]:
    """Time ``demo.generate`` (users + opportunities with histories) on the fresh database.

    Each round runs inside a transaction that is rolled back afterwards, so every round starts
    from the same freshly migrated database.
    """
    seconds: list[float] = []
    actions = 0
    now = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=1)
    for number in range(rounds):
        with transaction.atomic():
            gc.collect()
            start = time.perf_counter()
            summary = demo.generate(opportunities, now=now)
            seconds.append(time.perf_counter() - start)
            transaction.set_rollback(True)
        actions = summary["actions"]
        progress(f"demo round {number + 1}/{rounds}: {actions} actions in {seconds[-1]:.1f} s")
    return {
        "opportunities": opportunities,
        "rounds": rounds,
        "actions": actions,
        "seconds": seconds,
        "actions_per_s": [actions / value for value in seconds],
    }
