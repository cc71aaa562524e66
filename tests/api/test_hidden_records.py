"""A record the caller may not see does not exist for them: 404 everywhere, never listed or counted."""

from __future__ import annotations

import pytest

from tests.access_cases import CAST_USERS, VISIBLE_TO, AccessCast
from tests.api.conftest import Api, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db) -> AccessCast:
    return AccessCast.build()


@pytest.fixture
def api_of(cast, token_for):
    return lambda name: Api(token_for(cast.users[name]))


@pytest.mark.parametrize("user_name", sorted(CAST_USERS))
def test_lists_and_counts_only_visible_records(cast, api_of, user_name) -> None:
    expected = {cast.records[c].pk for c, names in VISIBLE_TO.items() if user_name in names}
    body = api_of(user_name).get("/api/records", {"status": "open"}).json()
    assert {item["id"] for item in body["items"]} == expected
    assert body["count"] == len(expected)
    for classification in VISIBLE_TO:
        filtered = api_of(user_name).get("/api/records", {"classification": classification}).json()
        assert filtered["count"] == (1 if cast.can_see(user_name, classification) else 0)


@pytest.mark.parametrize("classification", sorted(VISIBLE_TO))
def test_hidden_record_is_404_for_reading_and_acting(cast, api_of, classification) -> None:
    record = cast.records[classification]
    path = f"/api/records/{record.pk}"
    for user_name in CAST_USERS:
        api = api_of(user_name)
        if cast.can_see(user_name, classification):
            assert api.get(path).status_code == 200, user_name
            continue
        for response in (api.get(path), api.get(f"{path}/events"),
                         api.patch(path, {"fields": {"title": "Mine now"}}),
                         api.post(f"{path}/move", {"stage": "lost", "override_reason": "x"}),
                         api.post(f"{path}/activities/risk_analysis/done"),
                         api.post(f"{path}/approvals/offer"),
                         api.post(f"{path}/decision", {"answer": "yes"}),
                         api.post(f"{path}/probability", {"probability": 5, "reason": "x"}),
                         api.post(f"{path}/delegation", {"to": None})):
            body = assert_problem(response, 404, "not_found")
            assert record.title not in body["detail"]
    record.refresh_from_db()
    assert record.version == 1 and record.title == f"Cast {classification}"
