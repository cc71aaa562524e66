"""Request bodies over the limit answer 413 problem+json (never 500); document uploads keep their larger limit."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from salesflow.records.chain import MAX_DOCUMENT_BYTES
from salesflow.records.models import Event, Record
from tests.api.conftest import assert_problem


def test_a_json_body_over_the_limit_is_413(people: dict[str, Any], api_as: Any) -> None:
    api = api_as(people["kam"])
    records, events = Record.objects.count(), Event.objects.count()
    title = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = api.post("/api/records", {"process": "opportunity-management", "fields": {"title": title}})
    body = assert_problem(response, 413, "too_large")
    assert "larger than 2.5 MB" in body["detail"] and body["limit"] == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert Record.objects.count() == records and Event.objects.count() == events


def test_a_body_django_refuses_while_reading_is_413_too(people: dict[str, Any], api_as: Any, opportunity: Any) -> None:
    """Form fields of a multipart body count against Django's limit as it parses them (inside the API)."""
    api = api_as(people["kam"])
    note = "n" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = api.client.post(f"/api/records/{opportunity.pk}/documents",
                               {"file": SimpleUploadedFile("a.txt", b"a", "text/plain"), "note": note})
    assert_problem(response, 413, "too_large")
    assert not opportunity.documents.exists()


def test_a_declared_length_over_the_upload_limit_is_refused_unread(
        people: dict[str, Any], api_as: Any, opportunity: Any) -> None:
    api = api_as(people["kam"])
    response = api.client.post(f"/api/records/{opportunity.pk}/documents",
                               {"file": SimpleUploadedFile("a.txt", b"a", "text/plain")},
                               CONTENT_LENGTH=str(MAX_DOCUMENT_BYTES + 2 * 1024 * 1024))
    assert_problem(response, 413, "too_large")
    assert not opportunity.documents.exists()


def test_a_document_larger_than_a_form_body_still_uploads(people: dict[str, Any], api_as: Any, opportunity: Any) -> None:
    api = api_as(people["kam"])
    content = b"%PDF-1.4 " + b"0" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 2)
    response = api.client.post(f"/api/records/{opportunity.pk}/documents",
                               {"file": SimpleUploadedFile("big.pdf", content, "application/pdf")})
    assert response.status_code == 201, response.content
    assert json.loads(response.content)["name"] == "big.pdf"


def test_openapi_declares_413_on_every_operation_with_a_body(db: None, anonymous: Any) -> None:
    schema = anonymous.get("/api/openapi.json").json()
    with_body = [operation for item in schema["paths"].values() for operation in item.values()
                 if isinstance(operation, dict) and "requestBody" in operation]
    assert with_body
    for operation in with_body:
        assert "application/problem+json" in operation["responses"]["413"]["content"], operation["operationId"]
