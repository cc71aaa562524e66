"""The record list: filters, sort and 50 records a page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesflow.records import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(people):
    made = []
    for number, (owner, amount, close) in enumerate([("kam", "1000", "2030-01-10"), ("kam2", "5000", "2030-03-01"),
                                                      ("kam", "3000", "2030-02-01")]):
        made.append(services.do_create_record("opportunity-management", people[owner], {
            "title": f"Deal {number}", "account": f"Account {number}", "amount": amount, "close_date": close}))
    return made


def _titles(response) -> list[str]:
    return [row["title"] for row in response.context["rows"]]


def test_filters(people, deals, client_for) -> None:
    client = client_for(people["head"])
    assert _titles(client.get(reverse("records"), {"owner": "kam2"})) == ["Deal 1"]
    assert _titles(client.get(reverse("records"), {"team": "North", "sort": "id"})) == ["Deal 0", "Deal 2"]
    assert _titles(client.get(reverse("records"), {"close_from": "2030-01-15", "close_to": "2030-02-15"})) == ["Deal 2"]
    assert _titles(client.get(reverse("records"), {"q": "account 1"})) == ["Deal 1"]
    assert _titles(client.get(reverse("records"), {"stage": "proposal"})) == []
    assert _titles(client.get(reverse("records"), {"classification": "internal", "sort": "-amount"})) == [
        "Deal 1", "Deal 2", "Deal 0"]


def test_bad_filter_values_are_explained_not_a_crash(people, deals, client_for) -> None:
    response = client_for(people["head"]).get(reverse("records"), {"close_from": "soon"})
    assert response.status_code == 400
    assert "close_from: a date YYYY-MM-DD is expected" in response.content.decode()
    client = client_for(people["head"])
    german = client.get(reverse("records"), {"close_from": "soon"}, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "close_from: ein Datum JJJJ-MM-TT wird erwartet, erhalten &#x27;soon&#x27;" in german
    assert "is expected" not in german
    status = client.get(reverse("records"), {"status": "maybe"}, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Status: offen, gewonnen, verloren oder abgeschlossen wird erwartet" in status
    sort = client.get(reverse("records"), {"sort": "colour"}, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Sortierung: einer der Werte id, -id" in sort and "expected" not in sort


def test_fifty_a_page(people, client_for) -> None:
    for number in range(53):
        services.do_create_record("opportunity-management", people["kam"], {"title": f"Deal {number:02d}"})
    client = client_for(people["kam"])
    first = client.get(reverse("records"), {"sort": "title"})
    assert len(first.context["rows"]) == 50 and first.context["total"] == 53
    second = client.get(reverse("records"), {"sort": "title", "page": "2"})
    assert _titles(second) == ["Deal 50", "Deal 51", "Deal 52"]


def test_htmx_filtering_returns_only_the_results(people, deals, client_for) -> None:
    response = client_for(people["head"]).get(reverse("records"), {"owner": "kam2"},
                                              HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    html = response.content.decode()
    assert html.startswith('<div id="results"') and "<html" not in html and "Deal 1" in html
