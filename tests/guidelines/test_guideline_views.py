"""The guideline pages: propose with validation messages, review and approval by the right roles, acknowledgement,
training matrix and audit-pack download with their permissions, German rendering."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from salesflow.records.models import Acknowledgement, ProcessVersion
from tests.guidelines.conftest import CURRENT, NEXT, PROCESS, version_text

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_propose_shows_the_validation_messages_and_stores_nothing(cast) -> None:
    client = _client(cast.author)
    bad = version_text(NEXT).replace("responsible: kam", "responsible: nobody", 1)
    response = client.post(reverse("guideline_propose"), {"text": bad, "note": "try"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "nothing was stored" in page and "&lt;pasted&gt;:" in page and "nobody" in page
    assert not ProcessVersion.objects.filter(version=NEXT).exists()


def test_propose_submit_and_approve_through_the_pages(cast) -> None:
    author, head = _client(cast.author), _client(cast.head)
    response = author.post(reverse("guideline_propose"), {"text": version_text(NEXT, proposal_probability=55),
                                                          "note": "55 %"})
    assert response.status_code == 302 and response["Location"] == reverse("guideline_version", args=[PROCESS, NEXT])
    page = author.get(response["Location"]).content.decode()
    assert "Submit for review" in page and 'name="effective_date"' not in page
    author.post(reverse("guideline_submit", args=[PROCESS, NEXT]))
    assert ProcessVersion.objects.get(process__key=PROCESS, version=NEXT).status == "in_review"

    author.post(reverse("guideline_approve", args=[PROCESS, NEXT]))  # sales_ops is not the responsible role
    assert ProcessVersion.objects.get(process__key=PROCESS, version=NEXT).status == "in_review"
    page = head.get(reverse("guideline_version", args=[PROCESS, NEXT])).content.decode()
    assert 'name="effective_date"' in page
    response = head.post(reverse("guideline_approve", args=[PROCESS, NEXT]), {"effective_date": "2020-01-01"})
    assert response.status_code == 302
    assert ProcessVersion.objects.get(process__key=PROCESS, version=NEXT).status == "approved"
    assert ProcessVersion.objects.get(process__key=PROCESS, version=CURRENT).status == "obsolete"
    diff = head.get(reverse("guideline_diff", args=[PROCESS]), {"from": CURRENT, "to": NEXT}).content.decode()
    assert "probability" in diff and "55 %" in diff


def test_author_holding_the_role_is_not_offered_approval(cast) -> None:
    head = _client(cast.head)
    head.post(reverse("guideline_propose"), {"text": version_text(NEXT)})
    head.post(reverse("guideline_submit", args=[PROCESS, NEXT]))
    page = head.get(reverse("guideline_version", args=[PROCESS, NEXT])).content.decode()
    assert 'name="effective_date"' not in page and "another holder of the responsible role" in page
    head.post(reverse("guideline_approve", args=[PROCESS, NEXT]))
    assert ProcessVersion.objects.get(process__key=PROCESS, version=NEXT).status == "in_review"


def test_acknowledge_button_records_the_read(cast) -> None:
    kam = _client(cast.kam)
    page = kam.get(reverse("guideline", args=[PROCESS])).content.decode()
    assert "I have read this guideline" in page
    kam.post(reverse("guideline_acknowledge", args=[PROCESS, CURRENT]))
    assert Acknowledgement.objects.filter(user=cast.kam, process_version__version=CURRENT).exists()
    assert "I have read this guideline" not in kam.get(reverse("guideline", args=[PROCESS])).content.decode()


def test_guideline_follows_the_ui_language(cast) -> None:
    client = _client(cast.kam)
    page = client.get(reverse("guideline", args=[PROCESS]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Zugehöriger Prozess" in page and "Klassifizierung: Intern" in page and "Flussdiagramm" in page
    english = client.get(reverse("guideline", args=[PROCESS]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Associated process" in english


def test_downloads(cast) -> None:
    client = _client(cast.kam)
    bpmn = client.get(reverse("guideline_download", args=[PROCESS, CURRENT, "bpmn"]))
    assert bpmn.status_code == 200 and bpmn["Content-Type"] == "application/xml"
    assert b"bpmndi:BPMNDiagram" in bpmn.content
    assert client.get(reverse("guideline_download", args=[PROCESS, CURRENT, "exe"])).status_code == 404
    assert client.get(reverse("guideline_download", args=[PROCESS, 7, "svg"])).status_code == 404


def test_training_matrix_and_audit_pack_permissions(cast) -> None:
    kam, head, auditor = _client(cast.kam), _client(cast.head), _client(cast.auditor)
    assert kam.get(reverse("guideline_training")).status_code == 403
    assert head.get(reverse("guideline_training")).status_code == 200
    assert kam.get(reverse("audit_pack")).status_code == 403
    assert auditor.get(reverse("guideline_propose")).status_code == 403
    assert Client().get(reverse("guidelines")).status_code == 302
    response = auditor.post(reverse("audit_pack"), {"date_from": "2020-01-01", "date_to": "2020-01-31"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "manifest.json" in archive.namelist() and "index.html" in archive.namelist()
    bad = auditor.post(reverse("audit_pack"), {"date_from": "2020-02-01", "date_to": "2020-01-01"})
    assert bad.status_code == 400
