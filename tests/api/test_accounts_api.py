"""``/api/accounts``: the list (paged, segment and search filters), one account with contacts and the records
the caller may see, and recomputing the ABC segmentation (Head of Sales and Sales Ops only)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from salesflow.accounts.models import Account, Contact
from salesflow.people.services import do_add_user
from salesflow.records import services
from salesflow.records.models import Event, Record
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def _won(record: Record, days_ago: int = 3) -> None:
    Record.objects.filter(pk=record.pk).update(outcome="won", stage="won",
                                               closed_at=timezone.now() - datetime.timedelta(days=days_ago))


@pytest.fixture
def world(people: dict[str, Any]) -> dict[str, Any]:
    """ACME: KAM North's won 1000 and open 500, KAM South's strictly confidential 9000; Beta AG: nothing;
    Gamma: KAM North's won 200."""
    kam, kam2 = people["kam"], people["kam2"]
    now = timezone.now()
    acme = Account.objects.create(name="ACME GmbH", domain="acme.example", created_at=now)
    beta = Account.objects.create(name="Beta AG", created_at=now)
    gamma = Account.objects.create(name="Gamma SE", created_at=now)
    Contact.objects.create(account=acme, first_name="Jo", last_name="Doe", email="jo@acme.example", created_at=now)

    def deal(owner: Any, account: Account, title: str, amount: str, **values: Any) -> Record:
        return services.do_create_record("opportunity-management", owner, {"title": title, "amount": amount, **values},
                                         customer_id=account.pk)

    won = deal(kam, acme, "Sensors", "1000")
    _won(won)
    open_deal = deal(kam, acme, "Storage", "500")
    secret = deal(kam2, acme, "Secret merger", "9000", classification="strictly_confidential")
    _won(deal(kam, gamma, "Gamma deal", "200"))
    ops = do_add_user("ops", ["sales_ops"], [], password="ops-password-1")
    return {**people, "ops": ops, "acme": acme, "beta": beta, "gamma": gamma, "won": won, "open": open_deal,
            "secret": secret}


def test_list_pages_with_figures_of_visible_records(world, api_as) -> None:
    response = api_as(world["kam"]).get("/api/accounts", {"limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and body["limit"] == 2 and body["offset"] == 0
    assert body["window"]["days"] == 365
    assert [item["name"] for item in body["items"]] == ["ACME GmbH", "Beta AG"]
    acme = body["items"][0]
    assert (acme["won_revenue"], acme["open_pipeline"], acme["records"]) == ("1000.00", "500.00", 2)
    assert acme["existing_customer"] is True and acme["segment"] is None
    second = api_as(world["kam"]).get("/api/accounts", {"limit": 2, "offset": 2}).json()
    assert [item["name"] for item in second["items"]] == ["Gamma SE"]
    owner = api_as(world["kam2"]).get("/api/accounts", {"q": "acme"}).json()["items"][0]
    assert (owner["open_pipeline"], owner["records"]) == ("9500.00", 3)


def test_filters_by_segment_search_and_sort(world, api_as) -> None:
    api_as(world["head"]).post("/api/accounts/segmentation", {})
    api = api_as(world["kam"])
    assert [item["name"] for item in api.get("/api/accounts", {"segment": "A"}).json()["items"]] == ["ACME GmbH"]
    assert [item["name"] for item in api.get("/api/accounts", {"segment": "B"}).json()["items"]] == ["Gamma SE"]
    assert [item["name"] for item in api.get("/api/accounts", {"segment": "C"}).json()["items"]] == ["Beta AG"]
    assert api.get("/api/accounts", {"segment": "none"}).json()["count"] == 0
    assert [item["name"] for item in api.get("/api/accounts", {"q": "gamma"}).json()["items"]] == ["Gamma SE"]
    assert [item["name"] for item in api.get("/api/accounts", {"sort": "-won"}).json()["items"]] == [
        "ACME GmbH", "Gamma SE", "Beta AG"]
    assert [item["name"] for item in api.get("/api/accounts", {"customer": "new"}).json()["items"]] == ["Beta AG"]


@pytest.mark.parametrize("params", [{"segment": "D"}, {"sort": "revenue"}, {"limit": 0}, {"segment": ["A", "B"]}])
def test_bad_list_parameters_are_400(world, api_as, params) -> None:
    assert_problem(api_as(world["kam"]).get("/api/accounts", params), 400, "bad_input")


def test_one_account_with_contacts_and_visible_records_only(world, api_as) -> None:
    response = api_as(world["kam"]).get(f"/api/accounts/{world['acme'].pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "ACME GmbH" and body["domain"] == "acme.example"
    assert [contact["email"] for contact in body["contacts"]] == ["jo@acme.example"]
    assert {item["id"] for item in body["record_items"]} == {world["won"].pk, world["open"].pk}
    assert body["records_by_kind"] == {"opportunity": 2} and body["records"] == 2
    assert "Secret merger" not in response.content.decode()
    owner = api_as(world["kam2"]).get(f"/api/accounts/{world['acme'].pk}").json()
    assert "Secret merger" in [item["title"] for item in owner["record_items"]] and owner["records"] == 3


def test_an_account_without_visible_records_is_still_readable(world, api_as) -> None:
    body = api_as(world["kam"]).get(f"/api/accounts/{world['beta'].pk}").json()
    assert body["name"] == "Beta AG" and body["record_items"] == [] and body["records"] == 0


def test_unknown_account_is_404(world, api_as) -> None:
    assert_problem(api_as(world["kam"]).get("/api/accounts/999999"), 404, "not_found")
    assert_problem(api_as(world["kam"]).get("/api/accounts/0"), 400, "bad_input")


def test_accounts_need_authentication_and_a_role(world, anonymous, api_as) -> None:
    assert_problem(anonymous.get("/api/accounts"), 401, "unauthenticated")
    nobody = do_add_user("nobody", [], [], password="x-password-1")
    assert_problem(api_as(nobody).get("/api/accounts"), 403, "not_permitted")


@pytest.mark.parametrize("who", ["head", "ops"])
def test_head_of_sales_and_sales_ops_recompute_the_segmentation(world, api_as, who) -> None:
    response = api_as(world[who]).post("/api/accounts/segmentation", {"window_days": 30, "a_share": 80,
                                                                      "b_share": 95})
    assert response.status_code == 200, response.content
    body = response.json()
    # ACME 1000 (A), Gamma 200 (1000/1200 = 83 % before: B), Beta nothing (C); the hidden 9000 is open
    assert body["counts"] == {"A": 1, "B": 1, "C": 1} and body["total_revenue"] == "1200.00"
    assert body["thresholds"] == {"a": "80", "b": "95"}
    assert body["window"]["days"] == 30 and body["event"] is not None
    assert dict(Account.objects.values_list("name", "segment")) == {"ACME GmbH": "A", "Gamma SE": "B", "Beta AG": "C"}


@pytest.mark.parametrize("who", ["kam", "support", "director", "auditor"])
def test_others_may_not_recompute(world, api_as, who) -> None:
    assert_problem(api_as(world[who]).post("/api/accounts/segmentation", {}), 403, "not_permitted")
    assert not Account.objects.exclude(segment="").exists()
    assert not Event.objects.filter(kind="accounts_segmented").exists()


@pytest.mark.parametrize(("body", "says"), [
    ({"window_days": 0}, "window_days"),
    ({"window_days": 36501}, "window_days"),
    ({"a_share": 95, "b_share": 80}, "must be below the B share"),
    ({"a_share": 80, "b_share": 80}, "must be below the B share"),
    ({"a_share": 0}, "a_share"),
    ({"b_share": 101}, "b_share"),
    ({"as_of": "31.12.2025"}, "as_of"),
    ({"as_of": "0001-01-02"}, "as_of"),
])
def test_bad_segmentation_input_is_400_and_changes_nothing(world, api_as, body, says) -> None:
    problem = assert_problem(api_as(world["head"]).post("/api/accounts/segmentation", body), 400, "bad_input")
    assert says in problem["detail"]
    assert not Account.objects.exclude(segment="").exists()
    assert not Event.objects.filter(kind="accounts_segmented").exists()


def test_accounts_are_in_the_openapi_schema(world, api_as) -> None:
    paths = api_as(world["kam"]).get("/api/openapi.json").json()["paths"]
    assert {"/api/accounts", "/api/accounts/{account_id}", "/api/accounts/segmentation"} <= set(paths)
    assert "application/problem+json" in paths["/api/accounts/segmentation"]["post"]["responses"]["403"]["content"]


@pytest.mark.parametrize("raw", ["[null, null]", "3", '"window"', "{"])
def test_a_body_that_is_not_a_json_object_is_400(world, api_as, raw) -> None:
    response = api_as(world["head"]).client.post("/api/accounts/segmentation", raw, content_type="application/json")
    assert_problem(response, 400, "bad_input")
    assert not Event.objects.filter(kind="accounts_segmented").exists()


def test_an_empty_object_uses_the_defaults(world, api_as) -> None:
    body = api_as(world["head"]).post("/api/accounts/segmentation", {}).json()
    assert body["window"]["days"] == 365 and body["thresholds"] == {"a": "80", "b": "95"}
