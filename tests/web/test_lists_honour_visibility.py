"""Board, list, counts, search and my work never show (or count) a record the user may not see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.access_cases import CAST_USERS, VISIBLE_TO

pytestmark = pytest.mark.django_db


def _titles(cast, html: str) -> set[str]:
    return {record.title for record in cast.records.values() if record.title in html}


@pytest.mark.parametrize("user_name", sorted(CAST_USERS))
def test_board_shows_and_counts_only_visible_records(cast, client_for, user_name: str) -> None:
    response = client_for(cast.users[user_name]).get(reverse("board"))
    assert response.status_code == 200
    expected = {cast.records[c].title for c, names in VISIBLE_TO.items() if user_name in names}
    assert _titles(cast, response.content.decode()) == expected
    qualification = next(column for column in response.context["columns"] if column["id"] == "qualification")
    assert qualification["count"] == len(expected)
    assert response.context["summary"]["count"] == len(expected)
    assert qualification["total"] == 120000 * len(expected)


@pytest.mark.parametrize("user_name", sorted(CAST_USERS))
def test_list_shows_and_counts_only_visible_records(cast, client_for, user_name: str) -> None:
    response = client_for(cast.users[user_name]).get(reverse("records"))
    expected = {cast.records[c].title for c, names in VISIBLE_TO.items() if user_name in names}
    assert response.status_code == 200
    assert _titles(cast, response.content.decode()) == expected
    assert response.context["total"] == len(expected)


def test_search_does_not_find_hidden_records(cast, client_for) -> None:
    response = client_for(cast.users["other_kam"]).get(reverse("records"), {"q": "Cast"})
    html = response.content.decode()
    assert "Cast strictly_confidential" not in html and "Cast confidential" not in html
    assert "Cast internal" in html


def test_my_work_never_shows_hidden_records(cast, client_for) -> None:
    from salesflow.records import services

    hidden = cast.records["strictly_confidential"]
    # The owner sees it among the open activities of his role (the risk analysis is still open) ...
    owner_view = client_for(cast.users["owner"]).get(reverse("home")).content.decode()
    assert hidden.title in owner_view
    # ... the Head of Sales never, not even when only her decision is missing.
    services.do_complete_activity(hidden.pk, cast.users["owner"], "risk_analysis")
    services.do_complete_activity(hidden.pk, cast.users["owner"], "customer_workshop")
    services.do_set_fields(hidden.pk, cast.users["owner"], {"budget": "150000", "decision_date": "2030-01-01"})
    head_view = client_for(cast.users["head"]).get(reverse("home")).content.decode()
    assert hidden.title not in head_view
