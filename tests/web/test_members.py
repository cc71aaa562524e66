"""Named members of a confidential record: the owner or the Head of Sales adds and removes them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from salesflow.people import access
from salesflow.records import services
from salesflow.records.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(people):
    return services.do_create_record("opportunity-management", people["kam"], {
        "title": "Takeover talks", "amount": "900000", "classification": "strictly_confidential"})


def test_owner_adds_a_member_who_then_sees_the_record(people, secret) -> None:
    assert not access.can_view(people["kam2"], secret)
    services.do_set_members(secret.pk, people["kam"], add=["kam2"], remove=[])
    assert access.can_view(people["kam2"], secret)
    event = Event.objects.get(record_id=secret.pk, kind="members_changed")
    assert event.payload == {"added": ["kam2"], "removed": []}
    assert event.actor_id == people["kam"].pk


def test_removing_a_member_hides_the_record_again(people, secret) -> None:
    services.do_set_members(secret.pk, people["kam"], add=["kam2", "head"], remove=[])
    services.do_set_members(secret.pk, people["head"], add=[], remove=["kam2"])
    assert not access.can_view(people["kam2"], secret)
    assert Event.objects.filter(record_id=secret.pk, kind="members_changed").count() == 2


def test_others_may_not_change_members(people, secret) -> None:
    services.do_set_members(secret.pk, people["kam"], add=["kam2"], remove=[])
    with pytest.raises(NotPermitted):
        services.do_set_members(secret.pk, people["kam2"], add=["bid"], remove=[])
    with pytest.raises(services.NotFound):  # the Head of Sales does not even see it
        services.do_set_members(secret.pk, people["head"], add=["bid"], remove=[])


def test_bad_requests_are_refused(people, secret) -> None:
    with pytest.raises(BadInput):
        services.do_set_members(secret.pk, people["kam"], add=[], remove=[])
    with pytest.raises(BadInput):
        services.do_set_members(secret.pk, people["kam"], add=["nobody"], remove=[])
    services.do_set_members(secret.pk, people["kam"], add=["kam2"], remove=[])
    with pytest.raises(Conflict):
        services.do_set_members(secret.pk, people["kam"], add=["kam2"], remove=[])


def test_members_section_through_the_page(people, secret, client_for) -> None:
    client = client_for(people["kam"])
    html = client.get(reverse("record", args=[secret.pk])).content.decode()
    assert 'id="members"' in html and 'name="add"' in html
    response = client.post(reverse("record_members", args=[secret.pk]), {"add": "kam2"})
    assert response.status_code == 302
    assert secret.members.filter(username="kam2").exists()
    member_view = client_for(people["kam2"]).get(reverse("record", args=[secret.pk]))
    assert member_view.status_code == 200
    assert 'name="add"' not in member_view.content.decode()
    response = client_for(people["kam2"]).post(reverse("record_members", args=[secret.pk]), {"remove": "kam2"})
    assert response.status_code == 403
    assert secret.members.filter(username="kam2").exists()
