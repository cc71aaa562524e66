"""Saved filters: a user names a list's filter, reopens it, deletes it; each is theirs alone and an event."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from salesflow.lists.models import SavedFilter
from salesflow.records.eventlog import verify
from salesflow.records.models import Event

pytestmark = pytest.mark.django_db


def test_saved_filter_round_trip_on_the_record_list(cast, client_for) -> None:
    owner = client_for(cast.users["owner"])
    response = owner.post(reverse("saved_filter_save"), {
        "list": "records", "name": "  Big  confidential ", "classification": "confidential", "status": "open",
        "sort": "-amount", "page": "3"})
    saved = SavedFilter.objects.get(user=cast.users["owner"])
    assert saved.name == "Big confidential"
    assert saved.query == {"classification": "confidential", "status": "open", "sort": "-amount"}
    assert response.status_code == 302 and response["Location"] == saved_url(saved)
    event = Event.objects.filter(kind="filter_saved").last()
    assert event.actor_id == cast.users["owner"].pk and event.payload["name"] == "Big confidential"

    # The list names it; reopening it shows exactly the filtered list.
    page = owner.get(reverse("records")).content.decode()
    assert "Big confidential" in page and saved_url(saved).replace("&", "&amp;") in page
    reopened = owner.get(saved_url(saved))
    assert [row["title"] for row in reopened.context["rows"]] == ["Cast confidential"]
    assert reopened.context["filter"].sort == "-amount"

    # Saving under the same name replaces it; another user neither sees nor deletes it.
    owner.post(reverse("saved_filter_save"), {"list": "records", "name": "Big confidential", "status": "won"})
    assert SavedFilter.objects.get(pk=saved.pk).query == {"status": "won"}
    other = client_for(cast.users["team_mate"])
    assert "Big confidential" not in other.get(reverse("records")).content.decode()
    assert other.post(reverse("saved_filter_delete", args=[saved.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()

    deleted = owner.post(reverse("saved_filter_delete", args=[saved.pk]), {"next": "/records/?status=won"})
    assert deleted.status_code == 302 and deleted["Location"] == "/records/?status=won"
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()
    assert Event.objects.filter(kind="filter_deleted", payload__name="Big confidential").count() == 1
    assert verify().ok


def saved_url(saved: SavedFilter) -> str:
    from salesflow.lists.registry import LISTS

    return LISTS[saved.list].url(saved.query)


def test_a_bad_filter_is_not_saved_and_the_message_names_the_parameter(cast, client_for) -> None:
    owner = client_for(cast.users["owner"])
    events = Event.objects.count()
    response = owner.post(reverse("saved_filter_save"), {"list": "records", "name": "x", "close_from": "31.12.2026"},
                          follow=True)
    assert "close_from" in response.content.decode() and "31.12.2026" in response.content.decode()
    response = owner.post(reverse("saved_filter_save"), {"list": "records", "name": " ", "status": "won"}, follow=True)
    assert "a name for the filter is required" in response.content.decode()
    assert owner.post(reverse("saved_filter_save"), {"list": "nope", "name": "x"}).status_code == 400
    assert not SavedFilter.objects.exists() and Event.objects.count() == events


def test_saved_filters_on_the_accounts_list_and_through_the_api(cast, client_for) -> None:
    owner = client_for(cast.users["owner"])
    owner.post(reverse("saved_filter_save"), {"list": "accounts", "name": "A accounts", "segment": "A"})
    assert "A accounts" in owner.get(reverse("customers")).content.decode()
    board = owner.post(reverse("saved_filter_save"), {"list": "board", "name": "Mine", "owner": "cast_owner",
                                                      "process": "opportunity-management"})
    assert board["Location"] == "/board/?process=opportunity-management&owner=cast_owner"
    shown = owner.get(board["Location"])
    assert shown.context["params"]["owner"] == "cast_owner" and "saved-filter-current" in shown.content.decode()

    api: Client = client_for(cast.users["owner"])
    created = api.post("/api/saved-filters", {"list": "records", "name": "Won", "query": {"status": "won"}},
                       content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["url"] == "/records/?status=won" and data["query"] == {"status": "won"}
    listed = api.get("/api/saved-filters", {"list": "records"}).json()
    assert [item["name"] for item in listed] == ["Won"]
    assert [item["name"] for item in api.get("/api/saved-filters").json()] == ["A accounts", "Mine", "Won"]
    bad = api.post("/api/saved-filters", {"list": "records", "name": "Bad", "query": {"sort": "price"}},
                   content_type="application/json")
    assert bad.status_code == 400 and "sort" in bad.json()["detail"]
    assert client_for(cast.users["team_mate"]).delete(f"/api/saved-filters/{data['id']}").status_code == 404
    deleted = api.delete(f"/api/saved-filters/{data['id']}")
    assert deleted.status_code == 200 and deleted.json()["name"] == "Won"
    assert [item["name"] for item in api.get("/api/saved-filters").json()] == ["A accounts", "Mine"]
