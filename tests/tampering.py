"""Tampering as an attacker with administrator rights on the database would: switch off the triggers
that refuse UPDATE/DELETE/TRUNCATE on the event log (migration 0006), rewrite, switch them on again.

Also used by the test harness: pytest-django empties the tables of transactional tests with DELETE
(SQLite) or TRUNCATE (PostgreSQL), which the triggers refuse.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import connection as default_connection

PROTECTED = ("records_event", "records_databaseidentity")


@contextlib.contextmanager
def rewrite_allowed(connection: Any = None) -> Iterator[None]:
    """Inside: the protected tables accept UPDATE, DELETE and TRUNCATE (the triggers are off)."""
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in PROTECTED:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for table in PROTECTED:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        return
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(PROTECTED))
        cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({placeholders})",
                       list(PROTECTED))
        triggers = cursor.fetchall()
        for name, _ in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _, sql in triggers:
                cursor.execute(sql)


def execute(sql: str, params: list[Any] | None = None) -> None:
    """Run one statement on the event log with the triggers off."""
    with rewrite_allowed(), default_connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def forge_chain(mutate: Any) -> None:
    """Rewrite the whole log as a thorough forger would: ``mutate(events)`` returns the new list of
    events (edited, shortened, reordered); every seq, prev_hash and hash is recomputed and the chain
    head moved, so that the chain alone (`eventlog.verify`) is consistent again."""
    from salesflow.records.eventlog import GENESIS, event_hash, hashed_fields
    from salesflow.records.models import ChainHead, Event

    forged = mutate(list(Event.objects.order_by("seq")))
    prev = GENESIS
    for position, event in enumerate(forged, start=1):
        event.seq, event.prev_hash = position, prev
        event.hash = prev = event_hash(prev, hashed_fields(event))
    with rewrite_allowed(), default_connection.cursor() as cursor:
        cursor.execute("DELETE FROM records_event")
        Event.objects.bulk_create(forged)
        ChainHead.objects.update_or_create(pk=1, defaults={"seq": len(forged), "hash": prev})
