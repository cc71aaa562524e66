"""``/api/checklists`` and ``/api/assessments``: the same rules as ``salesflow assess``."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from django.utils import timezone

from salesflow.people.services import do_add_user
from salesflow.quality.models import Assessment
from salesflow.records import services
from tests.api.conftest import PASSWORD, assert_problem

ANSWERS = {"response_time": "yes", "needs": "partial", "product": 4, "company": "yes", "published_price": "no",
           "process": "na", "follow_up": "yes"}


@pytest.fixture
def quinn(db: Any) -> Any:
    return do_add_user("quinn", ["sales_quality"], [], password=PASSWORD, first_name="Quinn")


def test_list_and_read_checklists(api_as, people, quinn) -> None:
    listed = api_as(quinn).get("/api/checklists").json()
    by_key = {item["checklist"]: item for item in listed}
    assert by_key["sales-force-mystery-shopping"]["subject"] == "user"
    assert by_key["sales-force-mystery-shopping"]["may_assess"] is True
    one = api_as(people["kam"]).get("/api/checklists/sales-process-audit").json()
    assert one["may_assess"] is False and one["definition"]["sections"][0]["id"] == "documentation"
    assert_problem(api_as(quinn).get("/api/checklists/nope"), 404, "not_found")


def test_assess_a_representative_by_api(api_as, people, quinn) -> None:
    evidence = b"call recording notes"
    response = api_as(quinn).post("/api/assessments", {
        "checklist": "sales-force-mystery-shopping", "subject": "user:kam", "answers": ANSWERS,
        "date": "2026-11-02", "notes": "Called as a prospect",
        "evidence": [{"name": "notes.txt", "content_base64": base64.b64encode(evidence).decode(),
                      "content_type": "text/plain"}]})
    assert response.status_code == 201, response.content
    data = response.json()
    # Weights 2+3+3+2+1+2 = 13 (process na); 2 + 1.5 + 3·0.75 + 2 + 0 + 2 = 9.75 → 75.0; critical no → failed.
    assert data["score_percent"] == "75.0" and data["passed"] is False
    assert data["failed_critical"] == ["published_price"]
    assert data["subject"] == {"kind": "user", "id": people["kam"].pk, "label": "Kai Becker"}
    assert data["evidence"][0]["sha256"] == hashlib.sha256(evidence).hexdigest()
    assert api_as(quinn).get(f"/api/assessments/{data['id']}").json()["score_percent"] == "75.0"
    page = api_as(people["head"]).get("/api/assessments", {"subject": f"user:{people['kam'].pk}"}).json()
    assert page["count"] == 1
    # Not the assessor, not the responsible role, not oversight: it does not exist for them.
    assert_problem(api_as(people["kam2"]).get(f"/api/assessments/{data['id']}"), 404)
    assert api_as(people["kam2"]).get("/api/assessments").json()["count"] == 0


def test_refusals(api_as, people, quinn) -> None:
    body = {"checklist": "sales-force-mystery-shopping", "subject": "user:kam", "answers": ANSWERS}
    assert_problem(api_as(people["kam"]).post("/api/assessments", body), 403, "not_permitted")
    bad = assert_problem(api_as(quinn).post("/api/assessments", {**body, "answers": {**ANSWERS, "product": 9}}),
                         400, "bad_input")
    assert "product: bad answer '9'" in bad["detail"]
    assert_problem(api_as(quinn).post("/api/assessments", {**body, "subject": "user:nobody"}), 404)
    assert_problem(api_as(quinn).post("/api/assessments", {**body, "answers": {**ANSWERS, "product": True}}), 400)
    broken = {**body, "evidence": [{"name": "x.txt", "content_base64": "***"}]}
    assert "not base64" in assert_problem(api_as(quinn).post("/api/assessments", broken), 400)["detail"]
    assert Assessment.objects.count() == 0


def test_a_record_the_assessor_cannot_see_cannot_be_assessed(api_as, people, quinn) -> None:
    hidden = services.do_create_record("opportunity-management", people["kam"], {
        "title": "Secret deal", "account": "Nordwind", "amount": "1000", "classification": "strictly_confidential"})
    answers = {"guideline_current": "yes", "fields_complete": "yes", "activities": "yes", "gates": "yes",
               "approvals": "na", "overrides": "na", "timeliness": 5, "classification": "yes"}
    response = api_as(quinn).post("/api/assessments", {"checklist": "sales-process-audit",
                                                       "subject": f"record:{hidden.pk}", "answers": answers})
    assert_problem(response, 404, "not_found")
    visible = services.do_create_record("opportunity-management", people["kam"], {
        "title": "Open deal", "account": "Nordwind", "amount": "1000", "close_date": str(timezone.localdate())})
    response = api_as(quinn).post("/api/assessments", {"checklist": "sales-process-audit",
                                                       "subject": f"record:{visible.pk}", "answers": answers})
    assert response.status_code == 201, response.content
    assert response.json()["passed"] is True and response.json()["score_percent"] == "100.0"
