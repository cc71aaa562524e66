"""The record page honours the classification: a record a user may not see is a 404, never a 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.access_cases import CAST_USERS, VISIBLE_TO

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("user_name", sorted(CAST_USERS))
def test_record_page_is_shown_exactly_to_who_may_see_it(cast, client_for, user_name: str) -> None:
    client = client_for(cast.users[user_name])
    for classification, record in cast.records.items():
        response = client.get(reverse("record", args=[record.pk]))
        if user_name in VISIBLE_TO[classification]:
            assert response.status_code == 200, (user_name, classification)
            assert record.title in response.content.decode()
        else:
            assert response.status_code == 404, (user_name, classification)
            assert record.title not in response.content.decode()


def test_acting_on_a_hidden_record_is_a_404_and_changes_nothing(cast, client_for) -> None:
    record = cast.records["confidential"]
    client = client_for(cast.users["other_kam"])
    for name, data in [("record_activity", {"activity": "risk_analysis"}), ("record_move", {"stage": "lost"}),
                       ("record_members", {"add": "cast_other_kam"})]:
        response = client.post(reverse(name, args=[record.pk]), data)
        assert response.status_code == 404, name
    record.refresh_from_db()
    assert record.version == 1
    assert not record.members.exists()


def test_an_unknown_record_is_a_404(cast, client_for) -> None:
    assert client_for(cast.users["head"]).get(reverse("record", args=[999999])).status_code == 404
