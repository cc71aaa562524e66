"""Viewing a strictly confidential record is a security event; other records are not logged per view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesflow.records.models import Event

pytestmark = pytest.mark.django_db


def test_each_view_of_a_strictly_confidential_record_is_logged(cast, client_for) -> None:
    record = cast.records["strictly_confidential"]
    client = client_for(cast.users["member"])
    client.get(reverse("record", args=[record.pk]))
    client.get(reverse("record", args=[record.pk]))
    events = Event.objects.filter(kind="security.view_strictly_confidential", record_id=record.pk)
    assert events.count() == 2
    assert {event.actor_id for event in events} == {cast.users["member"].pk}


def test_views_of_other_records_and_refused_views_are_not_logged_as_such(cast, client_for) -> None:
    client_for(cast.users["owner"]).get(reverse("record", args=[cast.records["confidential"].pk]))
    client_for(cast.users["head"]).get(reverse("record", args=[cast.records["strictly_confidential"].pk]))
    assert not Event.objects.filter(kind="security.view_strictly_confidential").exists()
