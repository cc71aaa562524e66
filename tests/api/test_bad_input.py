"""400 bad input as problem+json: malformed bodies, unknown stages and values — never a traceback, nothing changed."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("suffix, body, words", [
    ("/move", {"stage": "heaven"}, "unknown stage"),
    ("/move", {}, "stage"),
    ("/move", {"stage": 42}, "stage"),
    ("/move", {"stage": "lost\x00"}, "NUL"),
    ("/activities/dance/done", {}, "unknown activity"),
    ("/activities/final_offer/done", {"note": ["not", "text"]}, "note"),
    ("/decision", {"answer": "maybe"}, "answer"),
    ("/probability", {"probability": 101, "reason": "sure"}, "probability"),
    ("/probability", {"probability": 30}, "reason"),
    ("/delegation", {"to": "nobody"}, "nobody"),
    ("/delegation", {"to": "kam", "stages": ["proposal"]}, "proposal"),
    ("/move", {"stage": "lost", "expected_version": 0}, "expected_version"),
])
def test_bad_bodies(people, api_as, opportunity, suffix, body, words) -> None:
    response = api_as(people["head"]).post(f"/api/records/{opportunity.pk}{suffix}", body)
    problem = assert_problem(response, 400, "bad_input")
    assert words in problem["detail"], problem
    opportunity.refresh_from_db()
    assert opportunity.version == 1


def test_malformed_json(people, api_as, opportunity) -> None:
    response = api_as(people["kam"]).client.post(f"/api/records/{opportunity.pk}/move", "{stage: lost",
                                                 content_type="application/json")
    assert_problem(response, 400, "bad_input")


def test_validation_errors_name_each_problem(people, api_as, opportunity) -> None:
    response = api_as(people["kam"]).post("/api/records", {"process": 7, "fields": "title=X"})
    problem = assert_problem(response, 400, "bad_input")
    assert {tuple(error["loc"][-1:]) for error in problem["errors"]} >= {("process",), ("fields",)}
    assert "input" not in problem["errors"][0]


def test_if_match_must_be_a_version(people, api_as, opportunity) -> None:
    api = api_as(people["kam"])
    assert_problem(api.post(f"/api/records/{opportunity.pk}/activities/risk_analysis/done", {},
                            **{"If-Match": "yesterday"}), 400, "bad_input")
    body = assert_problem(api.post(f"/api/records/{opportunity.pk}/activities/risk_analysis/done",
                                   {"expected_version": 1}, **{"If-Match": '"2"'}), 400, "bad_input")
    assert "disagree" in body["detail"]
