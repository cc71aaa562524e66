"""The activity log checked against its events (part of ``salesflow audit verify``).

Every activity must have the event that created it (``activity_logged`` / ``task_added``) naming the
same kind, subject, record and owner; a task is done exactly when a ``task_done`` event says so; no
event may name an activity that is not in the database.
"""

from __future__ import annotations

from typing import Any

from salesflow.activities.models import TASK, Activity
from salesflow.activities.services import ACTIVITY_LOGGED, TASK_ADDED, TASK_DONE
from salesflow.records.models import Event
from salesflow.records.replay import IntegrityReport


def _created_facts(event: Event) -> tuple[Any, ...]:
    payload = event.payload or {}
    kind = payload.get("type") if event.kind == ACTIVITY_LOGGED else TASK
    return kind, payload.get("subject"), event.record_id, payload.get("owner")


def check_activities() -> IntegrityReport:
    """Compare every activity with the events that created and completed it."""
    report = IntegrityReport()
    # Rows first, then events: a row and its event are written in one transaction, so every row read has its
    # event among those read after (safe while the application writes).
    rows = list(Activity.objects.order_by("id").values_list("id", "kind", "subject", "record_id", "owner_id",
                                                            "done_at"))
    created: dict[int, tuple[int, tuple[Any, ...]]] = {}
    done: set[int] = set()
    events = Event.objects.filter(kind__in=(ACTIVITY_LOGGED, TASK_ADDED, TASK_DONE)).order_by("seq")
    for event in events.iterator(chunk_size=5000):
        pk = (event.payload or {}).get("activity")
        if not isinstance(pk, int):
            continue
        if event.kind == TASK_DONE:
            done.add(pk)
        else:
            created[pk] = (event.seq, _created_facts(event))
    listed = set()
    for pk, kind, subject, record_id, owner_id, done_at in rows:
        report.checked += 1
        listed.add(pk)
        found = created.pop(pk, None)
        if found is None:
            report.add(f"activity {pk}: no event records it", {"activity": pk, "problem": "no event"})
            continue
        seq, facts = found
        stored = (kind, subject, record_id, owner_id)
        if stored != facts:
            names = [name for name, a, b in zip(("kind", "subject", "record", "owner"), stored, facts, strict=True)
                     if a != b]
            report.add(f"activity {pk}: {', '.join(names)} differ(s) from event {seq}",
                       {"activity": pk, "problem": "differs", "fields": names, "seq": seq})
        if kind == TASK and (done_at is not None) != (pk in done):
            report.add(f"task {pk}: stored as {'done' if done_at else 'open'}, its events say "
                       f"{'done' if pk in done else 'open'}", {"activity": pk, "problem": "done state"})
    added_since = set(Activity.objects.filter(pk__in=list(created)).values_list("pk", flat=True)) - listed
    for pk, (seq, _facts) in sorted(created.items()):
        if pk not in added_since:
            report.add(f"activity id {pk}: event {seq} records it, but it is not in the database",
                       {"activity": pk, "problem": "missing", "seq": seq})
    return report
