"""Events are append-only: saving an existing event or deleting one raises."""

from __future__ import annotations

import pytest

from salesflow.records import eventlog
from salesflow.records.models import Event

pytestmark = pytest.mark.django_db


def test_save_of_an_existing_event_raises(record) -> None:
    event = Event.objects.get(record=record)
    event.actor_name = "Mallory"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    assert Event.objects.get(seq=event.seq).actor_name == "Kai Becker"


def test_delete_of_an_event_raises(record) -> None:
    event = Event.objects.get(record=record)
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()
    assert Event.objects.filter(seq=event.seq).exists()
    assert eventlog.verify().ok
