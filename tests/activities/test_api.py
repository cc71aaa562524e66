"""``/api/activities`` and ``/api/tasks``: log, import, add, complete, list — the same rules as the CLI and web."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from salesflow.people.tokens import create_token
from tests.activities.conftest import EML


def client_of(user: Any) -> Client:
    _token, secret = create_token(user, "activity-test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_api_logs_imports_and_completes(team: dict[str, Any], opportunity: Any, account: Any) -> None:
    api = client_of(team["kam"])
    response = api.post("/api/activities", {"record": opportunity.pk, "kind": "meeting", "subject": "Site visit",
                                            "at": "2026-12-02T09:00:00+01:00", "duration_minutes": 120,
                                            "outcome": "scope agreed", "next_step": "offer by Friday"},
                        content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "meeting" and body["duration_minutes"] == 120 and body["account"] == account.pk
    assert datetime.datetime.fromisoformat(body["at"]) == datetime.datetime(2026, 12, 2, 8, 0, tzinfo=datetime.UTC)

    response = api.post("/api/tasks", {"account": account.pk, "subject": "Prepare the QBR", "owner": "head",
                                       "due": "2026-12-20", "remind_on": "2026-12-18"}, content_type="application/json")
    assert response.status_code == 201, response.content
    task = response.json()
    assert task["owner"] == "head" and task["due_date"] == "2026-12-20" and task["record"] is None

    upload = SimpleUploadedFile("offer.eml", EML, content_type="message/rfc822")
    response = api.post("/api/activities/import", {"file": upload, "record": opportunity.pk})
    assert response.status_code == 201, response.content
    assert response.json()[0]["subject"] == "Questions on the offer"
    bad = api.post("/api/activities/import", {"file": SimpleUploadedFile("x.ics", b"nope"), "record": opportunity.pk})
    assert bad.status_code == 400 and "x.ics: not a calendar file" in bad.json()["detail"]

    page = api.get("/api/activities", {"account": account.pk}).json()
    assert page["count"] == 3
    assert [item["subject"] for item in client_of(team["head"]).get("/api/tasks", {"mine": "true"}).json()["items"]] \
        == ["Prepare the QBR"]

    done = client_of(team["head"]).post(f"/api/tasks/{task['id']}/done", {"note": "booked"},
                                        content_type="application/json")
    assert done.status_code == 200 and done.json()["done_by"] == "Helena Hoffmann"
    assert client_of(team["head"]).post(f"/api/tasks/{task['id']}/done", {}, content_type="application/json"
                                        ).status_code == 409
    assert api.get("/api/tasks").json()["count"] == 0

    auditor = client_of(team["auditor"])
    assert auditor.get("/api/activities", {"account": account.pk}).json()["count"] == 3
    refused = auditor.post("/api/activities", {"account": account.pk, "kind": "note", "subject": "x"},
                           content_type="application/json")
    assert refused.status_code == 403
    unknown = api.post("/api/activities", {"kind": "note", "subject": "x"}, content_type="application/json")
    assert unknown.status_code == 400 and "name a record, an account or a contact" in unknown.json()["detail"]
