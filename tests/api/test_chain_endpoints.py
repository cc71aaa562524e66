"""The chain over the API: converting with a picked account, links, documents and notifications."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from salesflow.accounts.models import Account
from salesflow.records import services
from salesflow.records.chain import notify
from salesflow.records.models import Record
from tests.records.chain_processes import load_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(people: dict[str, Any]) -> dict[str, Any]:
    load_chain()
    return people


def test_convert_a_lead_with_a_picked_account_and_read_the_chain(chain: dict[str, Any], api_as: Any) -> None:
    api = api_as(chain["kam"])
    account = Account(name="Picked GmbH", created_at=services.now())
    account.save()
    lead = api.post("/api/records", {"process": "t-lead", "fields": {"title": "Lead", "company": "Alpen"}}).json()
    assert api.post(f"/api/records/{lead['id']}/move", {"stage": "qualified"}).status_code == 200
    moved = api.post(f"/api/records/{lead['id']}/move",
                     {"stage": "converted", "handoffs": {"create_opportunity": {"account_id": account.pk}}})
    assert moved.status_code == 200, moved.content
    links = api.get(f"/api/records/{lead['id']}/links").json()
    assert [(link["kind"], link["direction"], link["handoff"]) for link in links["links"]] == [
        ("opportunity", "out", "create_opportunity")]
    opportunity = Record.objects.get(process__key="t-opp")
    assert opportunity.customer == account and [item["process"] for item in links["chain"]] == ["t-lead", "t-opp"]


def test_an_unknown_hand_off_option_is_bad_input(chain: dict[str, Any], api_as: Any) -> None:
    api = api_as(chain["kam"])
    lead = api.post("/api/records", {"process": "t-lead", "fields": {"title": "Lead", "company": "Alpen"}}).json()
    api.post(f"/api/records/{lead['id']}/move", {"stage": "qualified"})
    refused = api.post(f"/api/records/{lead['id']}/move", {"stage": "converted", "handoffs": {"nope": {}}})
    assert refused.status_code == 400 and "no hand-off nope" in refused.json()["detail"]
    assert Record.objects.get(pk=lead["id"]).stage == "qualified"


def test_start_a_linked_record_and_link_by_hand(chain: dict[str, Any], api_as: Any) -> None:
    api = api_as(chain["kam"])
    opportunity = api.post("/api/records", {"process": "t-opp", "fields": {"title": "Opp"}}).json()
    contract = api.post("/api/records", {"process": "t-contract", "fields": {"title": "C"},
                                         "link_from": opportunity["id"]})
    assert contract.status_code == 201, contract.content
    other = api.post("/api/records", {"process": "t-opp", "fields": {"title": "Other"}}).json()
    linked = api.post(f"/api/records/{opportunity['id']}/links", {"target": other["id"], "kind": "follow_up"})
    assert linked.status_code == 201
    assert {link["kind"] for link in linked.json()["links"]} == {"contract", "follow_up"}
    assert api.post(f"/api/records/{opportunity['id']}/links", {"target": other["id"]}).status_code == 409
    handoff_link = api.client.delete(f"/api/records/{opportunity['id']}/links/{other['id']}")
    assert handoff_link.status_code == 200
    assert api_as(chain["auditor"]).post(f"/api/records/{opportunity['id']}/links",
                                         {"target": other["id"]}).status_code == 403


def test_upload_list_and_download_documents(chain: dict[str, Any], api_as: Any) -> None:
    api = api_as(chain["kam"])
    contract = api.post("/api/records", {"process": "t-contract", "fields": {"title": "C"}}).json()
    url = f"/api/records/{contract['id']}/documents"
    upload = api.client.post(url, {"file": SimpleUploadedFile("contract.pdf", b"%PDF-1.4 x", "application/pdf"),
                                   "note": "draft"})
    assert upload.status_code == 201, upload.content
    document = upload.json()
    assert (document["name"], document["version"], document["note"]) == ("contract.pdf", 1, "draft")
    assert [item["version"] for item in api.get(url).json()] == [1]
    content = api.get(f"{url}/{document['id']}/content")
    assert content.status_code == 200 and content.content == b"%PDF-1.4 x"
    assert content["Content-Disposition"] == 'attachment; filename="contract.pdf"'
    hidden = api_as(chain["kam2"])
    secret = api.post("/api/records", {"process": "t-contract",
                                       "fields": {"title": "S", "classification": "strictly_confidential"}}).json()
    assert hidden.get(f"/api/records/{secret['id']}/documents").status_code == 404
    empty = api.client.post(url, {"file": SimpleUploadedFile("empty.pdf", b"", "application/pdf")})
    assert empty.status_code == 400 and "the file is empty" in empty.json()["detail"]


def test_notifications_are_the_callers_own(chain: dict[str, Any], api_as: Any) -> None:
    record = services.do_create_record("t-opp", chain["kam"], {"title": "Opp"})
    notify(record, ["sales_support"], "reminder", {"en": "Due soon", "de": "Bald fällig"}, services.now(),
           include_owner=False)
    support = api_as(chain["support"])
    listed = support.get("/api/notifications").json()
    assert [(item["message"], item["read"]) for item in listed] == [("Due soon", False)]
    assert api_as(chain["kam"]).get("/api/notifications").json() == []
    assert support.post("/api/notifications/read", {}).json() == {"marked": 1}
    assert support.get("/api/notifications", {"unread": "true"}).json() == []


def test_notifications_about_records_no_longer_visible_are_hidden(chain: dict[str, Any], api_as: Any) -> None:
    record = services.do_create_record("t-opp", chain["kam"], {"title": "Soon secret"})
    notify(record, ["sales_support"], "reminder", {"en": "About the secret"}, services.now(), include_owner=False)
    support = api_as(chain["support"])
    assert [item["message"] for item in support.get("/api/notifications").json()] == ["About the secret"]
    services.do_set_fields(record.pk, chain["kam"], {"classification": "strictly_confidential"})
    assert support.get("/api/notifications").json() == []
    assert support.post("/api/notifications/read", {}).json() == {"marked": 0}


def test_a_download_from_a_strictly_confidential_record_is_logged(chain: dict[str, Any], api_as: Any) -> None:
    from salesflow.records.models import Event

    api = api_as(chain["kam"])
    secret = api.post("/api/records", {"process": "t-contract",
                                       "fields": {"title": "S", "classification": "strictly_confidential"}}).json()
    url = f"/api/records/{secret['id']}/documents"
    uploaded = api.client.post(url, {"file": SimpleUploadedFile("c.pdf", b"%PDF-1.4 s", "application/pdf")})
    assert uploaded.status_code == 201, uploaded.content
    document = uploaded.json()
    content = api.get(f"{url}/{document['id']}/content")
    assert content.status_code == 200 and content["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert Event.objects.filter(kind="security.download_strictly_confidential").count() == 1
