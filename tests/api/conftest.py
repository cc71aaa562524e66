"""Fixtures of the API tests: a sales team, API tokens, clients calling the API with a token."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from salesflow.people.services import do_add_user
from salesflow.people.tokens import create_token
from salesflow.records import services

PASSWORD = "api-test-password-1"
PROBLEM_JSON = "application/problem+json"


class Api:
    """A test client calling the API with JSON bodies (and a bearer token when given)."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = client or Client(headers=headers)

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: Any) -> Any:
        return self.client.get(path, params or {}, headers=headers)

    def post(self, path: str, body: Any = None, **headers: Any) -> Any:
        return self.client.post(path, json.dumps({} if body is None else body), content_type="application/json",
                                headers=headers)

    def patch(self, path: str, body: Any, **headers: Any) -> Any:
        return self.client.patch(path, json.dumps(body), content_type="application/json", headers=headers)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """Any method by name: ``call("post", "/api/records", {...})``."""
        if method == "get":
            return self.get(path)
        return getattr(self, method)(path, body)


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    """Head of Sales, two KAMs (teams North/South), bid manager, sales support, director, auditor."""
    return {
        "head": do_add_user("head", ["head_of_sales"], ["North", "South"], password=PASSWORD,
                            first_name="Helena", last_name="Hoffmann"),
        "kam": do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker"),
        "kam2": do_add_user("kam2", ["kam"], ["South"], password=PASSWORD, first_name="Lena", last_name="Wolf"),
        "bid": do_add_user("bid", ["bid_manager"], ["North"], password=PASSWORD, first_name="Bernd"),
        "support": do_add_user("support", ["sales_support"], ["North"], password=PASSWORD, first_name="Sara"),
        "director": do_add_user("director", ["managing_director"], [], password=PASSWORD, first_name="Dana"),
        "auditor": do_add_user("auditor", ["auditor"], [], password=PASSWORD, first_name="Arne"),
    }


@pytest.fixture
def token_for(db: Any) -> Callable[[Any], str]:
    """A new API token secret for a user."""
    def make(user: Any) -> str:
        return create_token(user, "tests")[1]
    return make


@pytest.fixture
def api_as(token_for: Callable[[Any], str]) -> Callable[[Any], Api]:
    """An `Api` client acting as the given user through a fresh API token."""
    def make(user: Any) -> Api:
        return Api(token_for(user))
    return make


@pytest.fixture
def anonymous() -> Api:
    """An `Api` client without any credentials."""
    return Api()


@pytest.fixture
def opportunity(people: dict[str, Any]) -> Any:
    """An internal opportunity of 120 000 EUR owned by the KAM, in Qualification."""
    return services.do_create_record("opportunity-management", people["kam"], {
        "title": "Grid monitoring", "account": "Nordwind Energie", "amount": "120000",
    })


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert an RFC 9457 problem response with this status (and refusal code); return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM_JSON), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:salesflow:problem:")
    assert body["title"] and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body
