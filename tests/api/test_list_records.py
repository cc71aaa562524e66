"""GET /api/records: the visible records, filtered (the web's filters), sorted and paged with a count."""

from __future__ import annotations

import pytest

from salesflow.records import services
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(people) -> dict[str, object]:
    def create(user, title, **fields):
        return services.do_create_record("opportunity-management", user, {"title": title, **fields})
    return {
        "grid": create(people["kam"], "Grid monitoring", account="Nordwind Energie", amount="120000",
                       close_date="2030-03-31"),
        "pv": create(people["kam"], "PV park monitoring", account="Helios Utilities", amount="40000",
                     close_date="2030-09-30"),
        "fleet": create(people["kam2"], "Fleet charging", account="Blue Harbor Logistics", amount="300000"),
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_lists_newest_first_with_count(people, api_as, records) -> None:
    response = api_as(people["head"]).get("/api/records")
    body = response.json()
    assert body["count"] == 3 and body["limit"] == 50 and body["offset"] == 0
    assert ids(response) == [records["fleet"].pk, records["pv"].pk, records["grid"].pk]
    first = body["items"][2]
    assert first["title"] == "Grid monitoring" and first["amount"] == "120000.00" and first["owner"] == "kam"
    assert first["stage"] == "qualification" and first["probability"] == 10
    assert {"kind": "activity", "id": "risk_analysis", "met": False} in first["gate"]
    assert first["next_stages"] and first["version"] == 1


def test_filters_and_search(people, api_as, records) -> None:
    api = api_as(people["head"])
    assert ids(api.get("/api/records", {"owner": "kam2"})) == [records["fleet"].pk]
    assert ids(api.get("/api/records", {"q": "helios"})) == [records["pv"].pk]
    assert ids(api.get("/api/records", {"close_from": "2030-06-01"})) == [records["pv"].pk]
    assert ids(api.get("/api/records", {"team": "North", "sort": "amount"})) == [records["pv"].pk, records["grid"].pk]
    assert ids(api.get("/api/records", {"status": "won"})) == []
    assert ids(api.get("/api/records", {"stage": "qualification", "process": "opportunity-management",
                                        "sort": "-amount"})) == [records["fleet"].pk, records["grid"].pk,
                                                                  records["pv"].pk]


def test_pages(people, api_as, records) -> None:
    api = api_as(people["head"])
    page = api.get("/api/records", {"limit": 2, "offset": 1, "sort": "id"}).json()
    assert page["count"] == 3 and page["limit"] == 2 and page["offset"] == 1
    assert [item["id"] for item in page["items"]] == [records["pv"].pk, records["fleet"].pk]
    assert api.get("/api/records", {"offset": 10}).json() == {"count": 3, "limit": 50, "offset": 10, "items": []}


@pytest.mark.parametrize("params", [
    {"limit": 501}, {"limit": 0}, {"offset": -1}, {"sort": "owner"}, {"status": "maybe"},
    {"close_from": "31.03.2030"}, {"close_to": "0"}, {"classification": "secret"}, {"q": "a\x00b"},
])
def test_bad_parameters_are_400(people, api_as, records, params) -> None:
    body = assert_problem(api_as(people["head"]).get("/api/records", params), 400, "bad_input")
    assert body["errors"] and body["errors"][0]["loc"][-1] == next(iter(params))


def test_a_repeated_parameter_is_400(people, api_as, records) -> None:
    body = assert_problem(api_as(people["head"]).get("/api/records", {"stage": ["qualification", "proposal"]}),
                          400, "bad_input")
    assert "stage" in body["detail"]
