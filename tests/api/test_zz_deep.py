"""Property-based test of the whole API against its own OpenAPI schema (schemathesis, in-process WSGI).

For every operation schemathesis generates valid and invalid requests (a bounded number, derandomised
so CI runs are repeatable) and sends them with a seeded Head of Sales' API token. Every response
must be no server error and must conform to the schema: a declared status code, the declared
content type (``application/problem+json`` for errors) and a body matching the declared schema.
Invalid requests (negative mode) must be rejected with a 4xx.

Not checked: ``positive_data_acceptance`` — a schema-valid request may still be refused by the
process rules (unknown stage 400, gate unmet 422), which a schema cannot express.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from salesflow.people.services import do_add_user
from salesflow.people.tokens import create_token
from salesflow.records import services

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection]
#: Examples per operation and generation mode; 14 operations stay well under a minute.
MAX_EXAMPLES = 150


@pytest.fixture
def keep_connection() -> Any:
    """Django's WSGI handler closes the database connection after each request; the test's transaction
    must survive, so (as Django's own test client does) the closing is switched off meanwhile."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(keep_connection: None, db: Any) -> dict[str, Any]:
    """A small team with records in several stages, and an API token of the Head of Sales."""
    head = do_add_user("head", ["head_of_sales"], ["North"], first_name="Helena")
    kam = do_add_user("kam", ["kam"], ["North"], first_name="Kai")
    do_add_user("bid", ["bid_manager"], ["North"])
    for index in range(3):
        record = services.do_create_record("opportunity-management", kam, {
            "title": f"Seeded {index}", "amount": "120000", "classification": "confidential" if index else "internal",
        })
        services.do_complete_activity(record.pk, kam, "risk_analysis")
    _token, secret = create_token(head, "schemathesis")
    return {"head": head, "token": secret}


#: Loaded once at collection from the app in-process (the schema view needs no database). Loaded
#: eagerly: schemathesis' fixture-based lazy loader does not work with pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=False, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, seeded: dict[str, Any]) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {seeded['token']}"}, checks=CHECKS)
