"""Auditors read everything their oversight role may see and change nothing: 403 on every write."""

from __future__ import annotations

import pytest

from salesflow.records.models import Event, Record
from tests.access_cases import AccessCast
from tests.api.conftest import Api, assert_problem

pytestmark = pytest.mark.django_db

WRITES = [
    ("patch", "", {"fields": {"account": "Audit AG"}}),
    ("post", "/move", {"stage": "lost", "override_reason": "audit"}),
    ("post", "/move", {"stage": "qualification"}),
    ("post", "/activities/risk_analysis/done", {}),
    ("post", "/approvals/offer", {}),
    ("post", "/decision", {"answer": "no"}),
    ("post", "/probability", {"probability": 0, "reason": "audit"}),
    ("post", "/delegation", {"to": None}),
]


@pytest.fixture
def auditor_api(db, token_for) -> tuple[AccessCast, Api]:
    cast = AccessCast.build()
    return cast, Api(token_for(cast.users["auditor"]))


def test_reads_confidential_records(auditor_api) -> None:
    cast, api = auditor_api
    record = cast.records["confidential"]
    assert api.get(f"/api/records/{record.pk}").status_code == 200
    assert api.get(f"/api/records/{record.pk}/events").status_code == 200
    assert api.get("/api/records").json()["count"] == 3


@pytest.mark.parametrize("method, suffix, body", WRITES)
def test_every_write_is_403(auditor_api, method, suffix, body) -> None:
    cast, api = auditor_api
    record = cast.records["confidential"]
    events = Event.objects.count()
    assert_problem(api.call(method, f"/api/records/{record.pk}{suffix}", body), 403, "not_permitted")
    record.refresh_from_db()
    assert record.version == 1 and Event.objects.count() == events


def test_creating_is_403(auditor_api) -> None:
    _cast, api = auditor_api
    before = Record.objects.count()
    assert_problem(api.post("/api/records", {"process": "opportunity-management", "fields": {"title": "Audit"}}),
                   403, "not_permitted")
    assert Record.objects.count() == before


def test_even_as_owner_an_auditor_changes_nothing(auditor_api) -> None:
    cast, api = auditor_api
    record = cast.records["internal"]
    Record.objects.filter(pk=record.pk).update(owner=cast.users["auditor"])
    assert_problem(api.patch(f"/api/records/{record.pk}", {"fields": {"account": "Audit AG"}}), 403,
                   "not_permitted")
    assert_problem(api.post(f"/api/records/{record.pk}/move", {"stage": "lost", "override_reason": "x"}), 403)
