"""Every endpoint × {anonymous → 401, a user without the right → 403/404, a user with it → 2xx}.

Built on the shared access cast (`tests.access_cases`): the cast ``owner`` (KAM, team North) owns one
record per classification of 120 000 EUR; who sees what is `VISIBLE_TO`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.access_cases import AccessCast
from tests.api.conftest import Api, assert_problem

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    """One API operation with who may and who may not call it on a cast record."""

    name: str
    method: str
    path: str                      # {id}: the cast record of ``classification``
    body: Any
    allowed: str                   # cast user with the right
    refused: str | None            # cast user without it (None: every signed-in user may)
    refused_status: int = 403
    classification: str = "confidential"
    ok_status: int = 200


ENDPOINTS = [
    Endpoint("list", "get", "/api/records", None, "no_role", None),
    Endpoint("create", "post", "/api/records", {"process": "opportunity-management", "fields": {"title": "New"}},
             "owner", "no_role", ok_status=201),
    Endpoint("read", "get", "/api/records/{id}", None, "team_mate", "other_kam", 404),
    Endpoint("update", "patch", "/api/records/{id}", {"fields": {"account": "Nordwind"}}, "owner", "team_mate"),
    Endpoint("update hidden", "patch", "/api/records/{id}", {"fields": {"account": "Nordwind"}}, "owner",
             "other_kam", 404),
    Endpoint("move", "post", "/api/records/{id}/move", {"stage": "lost", "override_reason": "Customer withdrew"},
             "head", "team_mate"),
    Endpoint("activity", "post", "/api/records/{id}/activities/risk_analysis/done", {}, "owner", "head"),
    Endpoint("approval", "post", "/api/records/{id}/approvals/offer", {}, "head", "team_mate"),
    Endpoint("decision", "post", "/api/records/{id}/decision", {"answer": "yes"}, "head", "team_mate"),
    Endpoint("probability", "post", "/api/records/{id}/probability", {"probability": 20, "reason": "Budget cut"},
             "owner", "member", classification="strictly_confidential"),
    Endpoint("delegation", "post", "/api/records/{id}/delegation", {"to": "cast_owner"}, "head", "team_mate"),
    Endpoint("events", "get", "/api/records/{id}/events", None, "team_mate", "other_kam", 404),
    Endpoint("processes", "get", "/api/processes", None, "no_role", None),
    Endpoint("process", "get", "/api/processes/opportunity-management", None, "no_role", None),
    Endpoint("me", "get", "/api/me", None, "no_role", None),
]


@pytest.fixture
def cast(db) -> AccessCast:
    return AccessCast.build()


def path_of(endpoint: Endpoint, cast: AccessCast) -> str:
    return endpoint.path.replace("{id}", str(cast.records[endpoint.classification].pk))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.name)
def test_anonymous_is_401(cast, endpoint) -> None:
    assert_problem(Api().call(endpoint.method, path_of(endpoint, cast), endpoint.body), 401, "unauthenticated")
    assert_problem(Api("sf_forged").call(endpoint.method, path_of(endpoint, cast), endpoint.body), 401)


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.refused], ids=lambda endpoint: endpoint.name)
def test_without_the_right_is_refused(cast, token_for, endpoint) -> None:
    record = cast.records[endpoint.classification]
    response = Api(token_for(cast.users[endpoint.refused])).call(endpoint.method, path_of(endpoint, cast),
                                                                 endpoint.body)
    assert_problem(response, endpoint.refused_status)
    record.refresh_from_db()
    assert record.version == 1


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.name)
def test_with_the_right_succeeds(cast, token_for, endpoint) -> None:
    response = Api(token_for(cast.users[endpoint.allowed])).call(endpoint.method, path_of(endpoint, cast),
                                                                 endpoint.body)
    assert response.status_code == endpoint.ok_status, response.content
    assert response["Content-Type"].startswith("application/json")
