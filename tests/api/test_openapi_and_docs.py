"""The schema at /api/openapi.json lists every endpoint and declares errors as problem+json; docs at /api/docs."""

from __future__ import annotations

import pytest

from tests.api.conftest import PROBLEM_JSON, assert_problem

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    ("/api/records", "get"), ("/api/records", "post"),
    ("/api/records/{record_id}", "get"), ("/api/records/{record_id}", "patch"),
    ("/api/records/{record_id}/move", "post"),
    ("/api/records/{record_id}/activities/{activity}/done", "post"),
    ("/api/records/{record_id}/activities/{activity}/consult", "post"),
    ("/api/records/{record_id}/activities/{activity}/answer", "post"),
    ("/api/records/{record_id}/consultations", "get"),
    ("/api/records/{record_id}/approvals/{approval}", "post"),
    ("/api/records/{record_id}/approvals/{approval}/request", "post"),
    ("/api/records/{record_id}/approvals/{approval}/refuse", "post"),
    ("/api/records/{record_id}/decision/request", "post"),
    ("/api/records/{record_id}/decision", "post"),
    ("/api/records/{record_id}/probability", "post"),
    ("/api/records/{record_id}/delegation", "post"),
    ("/api/records/{record_id}/events", "get"),
    ("/api/processes", "get"), ("/api/processes/{key}", "get"), ("/api/processes/{key}/migrate", "post"),
    ("/api/me", "get"),
    ("/api/records/{record_id}/links", "get"), ("/api/records/{record_id}/links", "post"),
    ("/api/records/{record_id}/links/{other_id}", "delete"),
    ("/api/records/{record_id}/documents", "get"), ("/api/records/{record_id}/documents", "post"),
    ("/api/records/{record_id}/documents/{document_id}/content", "get"),
    ("/api/notifications", "get"), ("/api/notifications/read", "post"),
    ("/api/accounts", "get"), ("/api/accounts/{account_id}", "get"), ("/api/accounts/segmentation", "post"),
    ("/api/accounts", "post"), ("/api/accounts/{account_id}", "patch"), ("/api/accounts/{account_id}/merge", "post"),
    ("/api/accounts/{account_id}/contacts", "post"), ("/api/accounts/contacts/{contact_id}", "patch"),
    ("/api/users", "get"), ("/api/users/{username}", "get"), ("/api/users/{username}", "patch"),
    ("/api/users/{username}/deactivate", "post"), ("/api/users/{username}/reactivate", "post"),
    ("/api/users/{username}/password", "post"), ("/api/me/password", "post"),
    ("/api/checklists", "get"), ("/api/checklists/{key}", "get"),
    ("/api/assessments", "get"), ("/api/assessments", "post"), ("/api/assessments/{assessment_id}", "get"),
    ("/api/risks", "get"), ("/api/risks", "post"), ("/api/risks/{risk_id}", "patch"),
    ("/api/risks/{risk_id}/review", "post"),
    ("/api/material/items", "get"), ("/api/material/items", "post"), ("/api/material/receipts", "post"),
    ("/api/material/adjustments", "post"),
    ("/api/activities", "get"), ("/api/activities", "post"), ("/api/activities/import", "post"),
    ("/api/activities/{activity_id}", "get"), ("/api/tasks", "get"), ("/api/tasks", "post"),
    ("/api/tasks/{task_id}/done", "post"),
    ("/api/records/{record_id}/actions-to-tasks", "post"),
    ("/api/partners", "get"), ("/api/partners", "post"), ("/api/partners/{partner_id}", "get"),
    ("/api/partners/{partner_id}/leads", "post"),
    ("/api/coaching/meetings", "get"), ("/api/coaching/meetings", "post"),
    ("/api/coaching/actions/{action_id}/done", "post"),
    ("/api/saved-filters", "get"), ("/api/saved-filters", "post"), ("/api/saved-filters/{filter_id}", "delete"),
    ("/api/lists/records/export", "get"), ("/api/lists/accounts/export", "get"), ("/api/audit/events", "get"),
    ("/api/audit/events/export", "get"),
    ("/api/products", "get"), ("/api/products", "post"), ("/api/quotes", "post"), ("/api/quotes/{quote_id}", "get"),
    ("/api/quotes/{quote_id}/revise", "post"), ("/api/quotes/{quote_id}/answer", "post"),
    ("/api/quotes/{quote_id}/document", "get"), ("/api/orders/{record_id}/lines", "get"),
    ("/api/forecast/rollup", "get"), ("/api/forecast/submissions", "post"), ("/api/forecast/adjustments", "post"),
}
#: Endpoints whose success answer is not JSON (a download).
BINARY = {("/api/records/{record_id}/documents/{document_id}/content", "get"), ("/api/lists/records/export", "get"),
          ("/api/lists/accounts/export", "get"), ("/api/audit/events/export", "get"),
          ("/api/quotes/{quote_id}/document", "get")}


def test_the_schema_lists_every_endpoint_and_its_errors(client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Salesflow API"
    found = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert found == ENDPOINTS
    for path, method in ENDPOINTS:
        declared = schema["paths"][path][method]["responses"]
        assert "401" in declared, (path, method)
        for status, response_schema in declared.items():
            media_types = set(response_schema.get("content", {}))
            if status.startswith("4"):
                assert media_types == {PROBLEM_JSON}, (path, method, status)
            elif (path, method) not in BINARY:
                assert media_types == {"application/json"}, (path, method, status)
    actions = schema["paths"]["/api/records/{record_id}/move"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(actions)
    assert set(schema["components"]["securitySchemes"]) == {"BearerToken", "SessionCookie"}


def test_the_docs_page_uses_only_this_sites_files(client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page and "https://" not in page


def test_an_unknown_api_path_is_a_404_problem(client) -> None:
    assert_problem(client.get("/api/no/such/thing"), 404, "not_found")
