"""An export holds exactly what the list shows the user — same filter, same order, no hidden record — and is logged."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from salesflow.records.models import Event

pytestmark = pytest.mark.django_db


def _listed(client, params: dict) -> list[int]:
    ids, page = [], 1
    while True:
        response = client.get(reverse("records"), {**params, "page": page})
        ids += [row["id"] for row in response.context["rows"]]
        if not response.context["page"].has_next():
            return ids
        page += 1


def _csv_ids(content: bytes) -> list[int]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    return [int(row[0]) for row in rows[1:]]


@pytest.mark.parametrize("user_name", ["other_kam", "owner"])
def test_export_equals_the_list_and_leaves_out_hidden_records(cast, client_for, user_name) -> None:
    client = client_for(cast.users[user_name])
    params = {"q": "Cast", "sort": "title"}
    listed = _listed(client, params)
    response = client.get(reverse("record_list_export"), {**params, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert _csv_ids(response.content) == listed
    hidden = {cast.records[c].pk for c in ("confidential", "strictly_confidential")}
    assert bool(hidden & set(listed)) is (user_name == "owner")

    workbook = openpyxl.load_workbook(io.BytesIO(
        client.get(reverse("record_list_export"), {**params, "format": "xlsx"}).content))
    sheet = workbook.active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == listed
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["#", "Title", "Account"]

    logged = list(Event.objects.filter(kind="security.export", actor_id=cast.users[user_name].pk).order_by("seq"))
    assert [event.payload["format"] for event in logged] == ["csv", "xlsx"]
    assert logged[0].payload["what"] == "record_list" and logged[0].payload["rows"] == len(listed)
    assert logged[0].payload["filters"]["search"] == "Cast" and logged[0].payload["filters"]["status"] == "open"


def test_export_in_german_has_german_headers_and_the_list_link_carries_the_filter(cast, client_for) -> None:
    client = client_for(cast.users["owner"])
    page = client.get(reverse("records"), {"classification": "public"}, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "/records/export/?status=open&amp;classification=public&amp;format=xlsx" in page
    content = client.get(reverse("record_list_export"), {"classification": "public", "format": "csv"},
                         HTTP_ACCEPT_LANGUAGE="de").content.decode()
    header, row = list(csv.reader(io.StringIO(content)))[:2]
    assert header[1:3] == ["Titel", "Kunde"] and row[1] == "Cast public" and row[-2] == "Öffentlich"


def test_a_bad_export_request_changes_nothing(cast, client_for) -> None:
    client = client_for(cast.users["owner"])
    events = Event.objects.count()
    bad = client.get(reverse("record_list_export"), {"format": "pdf"})
    assert bad.status_code == 400 and "pdf" in bad.content.decode()
    assert client.get(reverse("record_list_export"), {"close_to": "tomorrow"}).status_code == 400
    assert Event.objects.count() == events


def test_api_export_equals_the_api_list(cast, client_for) -> None:
    client = client_for(cast.users["other_kam"])
    listed = [item["id"] for item in client.get("/api/records", {"sort": "title", "limit": 500}).json()["items"]]
    response = client.get("/api/lists/records/export", {"sort": "title", "format": "csv"})
    assert response.status_code == 200 and _csv_ids(response.content) == listed
    assert cast.records["confidential"].pk not in listed
    event = Event.objects.filter(kind="security.export").last()
    assert event.payload["via"] == "api" and event.payload["rows"] == len(listed)


def test_account_export_equals_the_account_list_with_figures_of_visible_records_only(people, client_for) -> None:
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from salesflow.accounts.models import Account
    from salesflow.records import services
    from salesflow.records.models import Record

    now = timezone.now()
    acme = Account.objects.create(name="ACME GmbH", created_at=now)
    Account.objects.create(name="Beta AG", created_at=now)
    for owner, amount, classification in ((people["kam"], "100", "internal"),
                                          (people["kam2"], "5000000", "strictly_confidential")):
        record = services.do_create_record("opportunity-management", owner, {
            "title": f"Deal {amount}", "amount": amount, "classification": classification}, customer_id=acme.pk)
        Record.objects.filter(pk=record.pk).update(outcome="won", stage="won",
                                                   closed_at=now - datetime.timedelta(days=3))
    client = client_for(people["kam"])
    listed = client.get(reverse("customers"), {"sort": "name"})
    response = client.get(reverse("account_list_export"), {"sort": "name", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == [account.pk for account in listed.context["accounts"]]
    assert rows[0][1] == "ACME GmbH" and Decimal(str(rows[0][4])) == Decimal("100")  # not 5,000,100
    assert rows[0][7] == 1  # the KAM's own record; the secret one is not counted
    event = Event.objects.filter(kind="security.export").last()
    assert event.payload["what"] == "account_list" and event.payload["rows"] == 2
    api = client.get("/api/lists/accounts/export", {"sort": "name", "format": "csv"})
    assert _csv_ids(api.content) == [row[0] for row in rows]


def test_a_download_larger_than_the_limit_is_refused_before_anything_is_written(cast, client_for, monkeypatch) -> None:
    from salesflow.lists import exports

    monkeypatch.setattr(exports, "MAX_ROWS", 1)
    client = client_for(cast.users["owner"])
    events = Event.objects.count()
    response = client.get(reverse("record_list_export"), {"format": "csv"})
    assert response.status_code == 400 and "salesflow export" in response.content.decode()
    api = client.get("/api/lists/records/export", {"format": "csv"})
    assert api.status_code == 400 and "more than the 1 a download may hold" in api.json()["detail"]
    assert Event.objects.count() == events
