"""The database itself refuses to rewrite history: UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the
event table and the database identity fail, whoever sends them; INSERT (appending) still works."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from salesflow.records import eventlog, services
from salesflow.records.models import DatabaseIdentity, Event

pytestmark = pytest.mark.django_db


def _refused(sql: str, params: list | None = None) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])
    return str(caught.value)


def test_update_of_an_event_is_refused(record) -> None:
    event = Event.objects.get(record=record)
    message = _refused("UPDATE records_event SET actor_name = %s WHERE seq = %s", ["Mallory", event.seq])
    assert "records_event is append-only: UPDATE refused" in message
    assert Event.objects.get(seq=event.seq).actor_name == "Kai Becker"


def test_queryset_update_and_delete_are_refused(record) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.filter(record=record).update(payload={})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.filter(record=record)._raw_delete(connection.alias)
    assert Event.objects.filter(record=record).exists()
    assert eventlog.verify().ok


def test_delete_of_events_is_refused(record) -> None:
    message = _refused("DELETE FROM records_event")
    assert "records_event is append-only: DELETE refused" in message
    assert Event.objects.filter(record=record).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_truncate_is_refused_on_postgresql(record) -> None:
    message = _refused("TRUNCATE records_event")
    assert "records_event is append-only: TRUNCATE refused" in message


def test_the_database_identity_cannot_be_changed(db) -> None:
    before = DatabaseIdentity.objects.get(pk=1).uuid
    assert "append-only: UPDATE refused" in _refused("UPDATE records_databaseidentity SET uuid = 'forged'")
    assert "append-only: DELETE refused" in _refused("DELETE FROM records_databaseidentity")
    assert DatabaseIdentity.objects.get(pk=1).uuid == before


def test_appending_still_works(people, record) -> None:
    before = Event.objects.count()
    services.do_complete_activity(record.pk, people["kam"], "risk_analysis")
    assert Event.objects.count() > before
    assert eventlog.verify().ok
