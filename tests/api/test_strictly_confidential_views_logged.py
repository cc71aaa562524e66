"""Reading a strictly confidential record through the API is a security event; other records are not logged."""

from __future__ import annotations

import pytest

from salesflow.records.models import Event
from tests.access_cases import AccessCast
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db) -> AccessCast:
    return AccessCast.build()


def views(record_id: int) -> list[Event]:
    return list(Event.objects.filter(kind="security.view_strictly_confidential", record_id=record_id))


def test_reading_the_record_its_events_and_the_list_is_logged(cast, token_for) -> None:
    record = cast.records["strictly_confidential"]
    api = Api(token_for(cast.users["member"]))
    assert api.get(f"/api/records/{record.pk}").status_code == 200
    [event] = views(record.pk)
    assert event.actor_id == cast.users["member"].pk and event.payload["via"] == "api"
    api.get(f"/api/records/{record.pk}/events")
    api.get("/api/records")
    assert sorted(event.payload["via"] for event in views(record.pk)) == ["api", "api events"]
    [listed] = Event.objects.filter(kind="security.view_strictly_confidential", payload__via="api list")
    assert listed.payload["record_ids"] == [record.pk] and listed.actor_id == cast.users["member"].pk


def test_other_classifications_are_not_logged(cast, token_for) -> None:
    api = Api(token_for(cast.users["owner"]))
    for classification in ("public", "internal", "confidential"):
        assert api.get(f"/api/records/{cast.records[classification].pk}").status_code == 200
    assert not Event.objects.filter(kind="security.view_strictly_confidential").exists()


def test_a_refused_look_is_not_a_view(cast, token_for) -> None:
    record = cast.records["strictly_confidential"]
    assert Api(token_for(cast.users["head"])).get(f"/api/records/{record.pk}").status_code == 404
    assert views(record.pk) == []
