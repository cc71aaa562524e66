"""A signed-in browser may call the API with its session; unsafe methods then need the CSRF token."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import Api, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(people) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["kam"])
    return client


def test_reading_with_the_session(signed_in, opportunity) -> None:
    response = signed_in.get(f"/api/records/{opportunity.pk}")
    assert response.status_code == 200 and response.json()["id"] == opportunity.pk


def test_a_write_without_the_csrf_token_is_refused(signed_in, opportunity) -> None:
    response = Api(client=signed_in).post(f"/api/records/{opportunity.pk}/activities/risk_analysis/done", {})
    body = assert_problem(response, 403, "not_permitted")
    assert "CSRF" in body["detail"]
    opportunity.refresh_from_db()
    assert opportunity.version == 1


def test_a_write_with_the_csrf_token_is_done(signed_in, opportunity) -> None:
    signed_in.get("/api/docs")  # any page rendering a form sets the CSRF cookie
    csrf = signed_in.cookies["csrftoken"].value
    response = Api(client=signed_in).post(f"/api/records/{opportunity.pk}/activities/risk_analysis/done", {},
                                        **{"X-CSRFToken": csrf})
    assert response.status_code == 200, response.content
    assert "risk_analysis" in response.json()["done_activities"]


def test_a_token_request_needs_no_csrf_token(people, token_for, opportunity) -> None:
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token_for(people['kam'])}"})
    response = Api(client=client).post(f"/api/records/{opportunity.pk}/activities/risk_analysis/done", {})
    assert response.status_code == 200, response.content
