"""``POST /api/processes/{key}/migrate``: the dry run and the migration through the API, with the same rules."""

from __future__ import annotations

from django.test import Client

from salesflow.records.models import Event
from tests.migration.conftest import PROCESS, TARGET


def test_api_dry_run_then_migrate(setup) -> None:
    client = Client()
    url = f"/api/processes/{PROCESS}/migrate"
    client.force_login(setup.kam)
    refused = client.post(url, {"to": TARGET, "map": {"negotiation": "closing"}}, content_type="application/json")
    assert refused.status_code == 403, refused.content
    client.force_login(setup.head)
    unmapped = client.post(url, {"to": TARGET}, content_type="application/json")
    assert unmapped.status_code == 400 and "negotiation" in unmapped.json()["detail"]
    preview = client.post(url, {"to": TARGET, "map": {"negotiation": "closing"}}, content_type="application/json")
    assert preview.status_code == 200, preview.content
    assert preview.json()["count"] == 3 and preview.json()["moved"] == 0
    assert not Event.objects.filter(kind="record_migrated").exists()
    done = client.post(url, {"to": TARGET, "map": {"negotiation": "closing"}, "dry_run": False},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["moved"] == 3
    assert Event.objects.filter(kind="record_migrated").count() == 3
