"""Approvals follow the competence catalog's amount bands: a KAM approving 120 000 is 403."""

from __future__ import annotations

import pytest

from salesflow.records import services
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_a_kam_may_not_approve_120000_the_head_of_sales_may(people, api_as, opportunity) -> None:
    path = f"/api/records/{opportunity.pk}/approvals/offer"
    body = assert_problem(api_as(people["kam"]).post(path, {}), 403, "not_permitted")
    assert "120000" in body["detail"] and "Head of Sales" in body["detail"]
    opportunity.refresh_from_db()
    assert opportunity.version == 1 and not opportunity.progress.get("approvals")
    response = api_as(people["head"]).post(path, {})
    assert response.status_code == 200 and response.json()["approvals"]["offer"]["role"] == "head_of_sales"


def test_bands_below_and_above(people, api_as) -> None:
    small = services.do_create_record("opportunity-management", people["kam"], {"title": "Small", "amount": "40000"})
    large = services.do_create_record("opportunity-management", people["kam"], {"title": "Large", "amount": "300000"})
    assert api_as(people["kam"]).post(f"/api/records/{small.pk}/approvals/offer").status_code == 200
    assert_problem(api_as(people["head"]).post(f"/api/records/{large.pk}/approvals/offer"), 403, "not_permitted")
    assert api_as(people["director"]).post(f"/api/records/{large.pk}/approvals/offer").status_code == 200


def test_no_amount_is_unmet_and_an_unknown_approval_bad_input(people, api_as) -> None:
    record = services.do_create_record("opportunity-management", people["kam"], {"title": "No amount yet"})
    body = assert_problem(api_as(people["head"]).post(f"/api/records/{record.pk}/approvals/offer"), 422, "unmet")
    assert body["unmet"][0]["id"] == "amount"
    assert_problem(api_as(people["head"]).post(f"/api/records/{record.pk}/approvals/discount"), 400, "bad_input")
