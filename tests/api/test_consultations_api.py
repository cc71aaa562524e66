"""``/api/records/{id}/activities/{activity}/consult|answer`` and ``/consultations``; RACI refusals over the API."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_consult_list_and_answer(people, api_as, opportunity) -> None:
    kam, support = api_as(people["kam"]), api_as(people["support"])
    base = f"/api/records/{opportunity.pk}"
    response = kam.post(f"{base}/activities/risk_analysis/consult", {"role": "sales_support", "question": "Risks?"})
    assert response.status_code == 201, response.content
    asked = response.json()
    assert (asked["activity"], asked["role"], asked["question"], asked["answer"]) == (
        "risk_analysis", "sales_support", "Risks?", None)
    assert_problem(kam.post(f"{base}/activities/risk_analysis/consult", {"role": "sales_support"}), 409, "conflict")
    assert_problem(kam.post(f"{base}/activities/risk_analysis/consult", {"role": "kam"}), 400, "bad_input")
    assert_problem(support.post(f"{base}/activities/customer_workshop/consult", {"role": "head_of_sales"}), 403,
                   "not_permitted")
    assert_problem(kam.post(f"{base}/activities/risk_analysis/answer", {"answer": "Me"}), 409, "conflict")
    answered = support.post(f"{base}/activities/risk_analysis/answer", {"answer": "None known"})
    assert answered.status_code == 200, answered.content
    assert (answered.json()["answer"], answered.json()["answered_by"]) == ("None known", "Sara")
    rows = kam.get(f"{base}/consultations").json()
    assert [(row["role"], row["answer"]) for row in rows] == [("sales_support", "None known")]


def test_raci_and_early_end_refusals_name_the_role(people, api_as, opportunity) -> None:
    kam = api_as(people["kam"])
    base = f"/api/records/{opportunity.pk}"
    body = assert_problem(kam.post(f"{base}/activities/qualification_support/done"), 403, "not_permitted")
    assert "done by Sales Support" in body["detail"]
    assert kam.post(f"{base}/activities/customer_informed/done").status_code == 200
    body = assert_problem(kam.post(f"{base}/move", {"stage": "lost"}), 403, "not_permitted")
    assert "is the decision of Head of Sales" in body["detail"]
