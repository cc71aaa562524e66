"""Notifications on "My work": the unread ones (dismissed ones leave), the unread count, dismissing them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from salesflow.records import services
from salesflow.records.models import Notification

pytestmark = pytest.mark.django_db


def _notify(user: Any, text: str, minutes_ago: int, record: Any = None, read: bool = False) -> Notification:
    at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return Notification.objects.create(user=user, record=record, kind="reminder", message={"en": text, "de": f"DE {text}"},
                                       created_at=at, read_at=at if read else None)


def test_my_work_lists_the_unread_newest_first_and_the_nav_counts_them(people, opportunity, client_for) -> None:
    kam = people["kam"]
    _notify(kam, "Old and dismissed", 5, read=True)
    _notify(kam, "Older unread", 30, record=opportunity)
    _notify(kam, "Newest unread", 1)
    _notify(people["head"], "Someone else's", 1)
    response = client_for(kam).get(reverse("home"))
    assert [group["latest"]["text"] for group in response.context["notifications"]] == ["Newest unread",
                                                                                         "Older unread"]
    html = response.content.decode()
    assert "Someone else" not in html and "Old and dismissed" not in html
    assert '<span class="nav-badge" id="unread-count">2' in html
    assert f'href="/records/{opportunity.pk}/">Older unread' in html


def test_german_pages_show_the_german_text(people, client_for) -> None:
    _notify(people["kam"], "Reminder", 1)
    client = client_for(people["kam"])
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert "DE Reminder" in client.get(reverse("home")).content.decode()


def test_dismiss_one_and_then_all(people, client_for) -> None:
    kam = people["kam"]
    first, second = _notify(kam, "First", 2), _notify(kam, "Second", 1)
    foreign = _notify(people["head"], "Foreign", 1)
    client = client_for(kam)
    response = client.post(reverse("notifications_read"), {"notification": str(first.pk)})
    assert response.status_code == 302 and response["Location"].endswith("#notifications")
    first.refresh_from_db(), second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    client.post(reverse("notifications_read"), {"notification": str(foreign.pk)})
    foreign.refresh_from_db()
    assert foreign.read_at is None
    client.post(reverse("notifications_read"), {"all": "1"})
    second.refresh_from_db()
    assert second.read_at is not None
    assert 'id="unread-count"' not in client.get(reverse("home")).content.decode()


def test_a_bad_notification_id_changes_nothing(people, client_for) -> None:
    note = _notify(people["kam"], "First", 1)
    client = client_for(people["kam"])
    response = client.post(reverse("notifications_read"), {"notification": "abc"}, follow=True)
    assert "Choose a notification. Nothing was changed." in response.content.decode()
    note.refresh_from_db()
    assert note.read_at is None


def test_notifications_about_records_no_longer_visible_are_hidden(people, client_for) -> None:
    secret = services.do_create_record("opportunity-management", people["kam"], {
        "title": "Secret deal", "classification": "strictly_confidential"})
    _notify(people["kam2"], "About the secret deal", 1, record=secret)
    response = client_for(people["kam2"]).get(reverse("home"))
    assert response.context["notifications"] == []
    assert "secret deal" not in response.content.decode().lower()
