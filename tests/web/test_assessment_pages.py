"""The checklist pages: who sees what, the form refusing without changing anything, evidence download."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from salesflow.people.services import do_add_user
from salesflow.quality.models import Assessment
from salesflow.records.models import Event

PASSWORD = "web-test-password-1"
ANSWERS = {"q-response_time": "yes", "q-needs": "partial", "q-product": "4", "q-company": "yes",
           "q-published_price": "yes", "q-process": "na", "q-follow_up": "yes"}
URL = "/quality/checklists/sales-force-mystery-shopping/assess/"


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    return {"quinn": do_add_user("quinn", ["sales_quality"], [], password=PASSWORD, first_name="Quinn"),
            "kam": do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai"),
            "head": do_add_user("head", ["head_of_sales"], ["North"], password=PASSWORD, first_name="Helena")}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_quality_role_assesses_with_evidence(people) -> None:
    client = client_for(people["quinn"])
    page = client.get("/quality/")
    assert page.status_code == 200 and URL.encode() in page.content
    form = client.get(URL)
    assert form.status_code == 200 and b'name="q-product" value="5"' in form.content
    upload = SimpleUploadedFile("notes.txt", b"what was said", content_type="text/plain")
    response = client.post(URL, {**ANSWERS, "subject": "kam", "date": "2026-11-20", "notes": "Friendly",
                                 "evidence": upload})
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/quality/assessments/{assessment.pk}/"
    # 2 + 1.5 + 2.25 + 2 + 1 + 2 = 10.75 of 13 (process n/a) → 82.7 % ≥ 80: passed.
    assert str(assessment.score_percent) == "82.7" and assessment.passed
    detail = client.get(response["Location"]).content.decode()
    assert "82.7 %" in detail and "Passed" in detail and "notes.txt" in detail
    evidence = assessment.evidence.get()
    assert evidence.sha256 == hashlib.sha256(b"what was said").hexdigest()
    download = client.get(f"/quality/assessments/{assessment.pk}/evidence/{evidence.pk}/")
    assert download.status_code == 200 and download.content == b"what was said"
    # The Head of Sales (oversight) sees it; a key account manager does not — not even the file.
    assert client_for(people["head"]).get(response["Location"]).status_code == 200
    kam = client_for(people["kam"])
    assert kam.get(response["Location"]).status_code == 404
    assert kam.get(f"/quality/assessments/{assessment.pk}/evidence/{evidence.pk}/").status_code == 404
    assert b"Friendly" not in kam.get("/quality/").content


def test_a_refused_form_changes_nothing_and_keeps_the_answers(people) -> None:
    client = client_for(people["quinn"])
    before = Event.objects.count()
    response = client.post(URL, {**ANSWERS, "q-product": "9", "subject": "kam"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "“Knowledge of the product” (product): bad answer &#x27;9&#x27;" in text
    assert 'name="q-needs" value="partial" checked' in text
    assert Assessment.objects.count() == 0 and Event.objects.count() == before


def test_other_roles_may_not_assess(people) -> None:
    client = client_for(people["kam"])
    form = client.get(URL).content.decode()
    assert "may record assessments with this checklist" in form
    response = client.post(URL, {**ANSWERS, "subject": "kam"})
    assert response.status_code == 403 and "needs the role sales_quality" in response.content.decode()
    assert Assessment.objects.count() == 0
