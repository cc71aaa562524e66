"""An API list answer with strictly confidential records is one security event per request, not one per row."""

from __future__ import annotations

import pytest

from salesflow.people.services import do_add_user
from salesflow.records import services
from salesflow.records.models import Event
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def test_one_event_per_list_call_naming_every_strict_record(token_for) -> None:
    kam = do_add_user("strict_kam", ["kam"], ["North"], password="strict-pass-1")
    strict = [services.do_create_record("opportunity-management", kam, {
        "title": f"Secret {index}", "classification": "strictly_confidential"}).pk for index in range(3)]
    services.do_create_record("opportunity-management", kam, {"title": "Open deal"})
    api = Api(token_for(kam))

    listed = api.get("/api/records", {"limit": 50})
    assert listed.status_code == 200 and listed.json()["count"] == 4
    events = list(Event.objects.filter(kind="security.view_strictly_confidential"))
    assert len(events) == 1
    assert sorted(events[0].payload["record_ids"]) == sorted(strict)
    assert events[0].payload["count"] == 3 and events[0].payload["via"] == "api list"

    api.get("/api/records", {"limit": 50})
    assert Event.objects.filter(kind="security.view_strictly_confidential").count() == 2  # once per request

    api.get("/api/records", {"classification": "internal"})
    assert Event.objects.filter(kind="security.view_strictly_confidential").count() == 2  # none listed: no event
