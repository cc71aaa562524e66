"""``POST/PATCH /api/accounts``, ``…/merge``, ``…/contacts``: create, edit, merge, refusals — hidden records stay hidden."""

from __future__ import annotations

from typing import Any

from salesflow.accounts.models import Account
from salesflow.records import services
from salesflow.records.models import Event
from tests.api.conftest import assert_problem


def test_create_edit_contacts_merge(api_as: Any, people: dict[str, Any]) -> None:
    kam, head = api_as(people["kam"]), api_as(people["head"])
    created = kam.post("/api/accounts", {"name": "Seewerk AG", "domain": "https://seewerk.ch/"})
    assert created.status_code == 201, created.content
    seewerk = created.json()
    assert (seewerk["name"], seewerk["domain"], seewerk["contacts"]) == ("Seewerk AG", "seewerk.ch", [])
    body = assert_problem(kam.post("/api/accounts", {"name": "SEEWERK"}), 400, "bad_input")
    assert f"account {seewerk['id']} (Seewerk AG) has the same name" in body["detail"]
    twin = kam.post("/api/accounts", {"name": "SEEWERK", "allow_duplicate": True}).json()
    assert_problem(api_as(people["auditor"]).post("/api/accounts", {"name": "Audit AG"}), 403)

    patched = kam.patch(f"/api/accounts/{twin['id']}", {"domain": "seewerk.ch"})
    assert patched.status_code == 200 and patched.json()["domain"] == "seewerk.ch", patched.content
    assert_problem(kam.patch("/api/accounts/999999", {"name": "x"}), 404)
    contact = kam.post(f"/api/accounts/{twin['id']}/contacts", {"last_name": "Frei", "email": "frei@seewerk.ch"})
    assert contact.status_code == 201 and contact.json()["account"] == twin["id"], contact.content
    assert_problem(kam.post(f"/api/accounts/{twin['id']}/contacts", {"email": "frei"}), 400)
    moved = kam.patch(f"/api/accounts/contacts/{contact.json()['id']}", {"account": 0, "phone": "+41 1"})
    assert moved.json()["account"] is None and moved.json()["phone"] == "+41 1", moved.content
    kam.patch(f"/api/accounts/contacts/{contact.json()['id']}", {"account": twin["id"]})

    mine = services.do_create_record("opportunity-management", people["kam"], {"title": "Dam"}, customer_id=twin["id"])
    other = services.do_create_record("opportunity-management", people["kam2"], {"title": "Lock", "classification": "confidential"},
                                      customer_id=twin["id"])
    assert_problem(kam.post(f"/api/accounts/{seewerk['id']}/merge", {"duplicate": twin["id"]}), 403)
    assert_problem(head.post(f"/api/accounts/{seewerk['id']}/merge", {"duplicate": 999999}), 400)
    merged = head.post(f"/api/accounts/{seewerk['id']}/merge", {"duplicate": twin["id"]})
    assert merged.status_code == 200, merged.content
    assert sorted(merged.json()["records"]) == sorted([mine.pk, other.pk])  # the Head of Sales sees both
    assert merged.json()["contacts"] == [contact.json()["id"]]
    assert list(Account.objects.values_list("pk", flat=True)) == [seewerk["id"]]
    # The KAM sees the survivor with their own record only.
    detail = kam.get(f"/api/accounts/{seewerk['id']}").json()
    assert [item["id"] for item in detail["record_items"]] == [mine.pk]
    assert [item["email"] for item in detail["contacts"]] == ["frei@seewerk.ch"]
    assert Event.objects.filter(kind="customer_changed").count() == 2
