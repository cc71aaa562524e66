"""Notifications on My work are grouped by record and kind and dismissed per group or all at once."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from salesflow.records.models import Notification

pytestmark = pytest.mark.django_db


def _notify(user, record, kind: str, text: str, minutes_ago: int) -> Notification:
    return Notification.objects.create(user=user, record=record, kind=kind, message={"en": text, "de": f"DE {text}"},
                                       created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))


def test_notifications_are_grouped_and_a_group_is_dismissed_at_once(people, opportunity, client_for) -> None:
    kam = people["kam"]
    first = _notify(kam, opportunity, "decision_made", "decided no", 30)
    second = _notify(kam, opportunity, "decision_made", "decided yes", 10)
    other = _notify(kam, opportunity, "approval_refused", "refused", 20)
    client = client_for(kam)
    response = client.get(reverse("home"))
    groups = response.context["notifications"]
    assert [(group["kind"], group["latest"]["text"], [row["text"] for row in group["older"]]) for group in groups] == [
        ("decision_made", "decided yes", ["decided no"]), ("approval_refused", "refused", [])]
    assert "1 earlier of this kind" in response.content.decode()
    client.post(reverse("notifications_read"), {"notification": [str(second.pk), str(first.pk)]})
    first.refresh_from_db(), second.refresh_from_db(), other.refresh_from_db()
    assert first.read_at and second.read_at and other.read_at is None
    groups = client.get(reverse("home")).context["notifications"]
    assert [group["kind"] for group in groups] == ["approval_refused"]
    response = client.post(reverse("notifications_read"), {"all": "1"}, follow=True)
    assert "1 notification dismissed." in response.content.decode()
    assert client.get(reverse("home")).context["notifications"] == []


def test_the_german_page_dismisses_in_german(people, opportunity, client_for) -> None:
    _notify(people["kam"], opportunity, "decision_made", "decided", 1)
    client = client_for(people["kam"])
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert "DE decided" in html and "Alle verwerfen" in html
