"""Dates on My work stay true: how far away a due date is, is computed when the page is shown (never stored),
and reminders stored with an old "(4 days left)" show the right relative date instead."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from salesflow.records.models import Notification
from salesflow.web.relative import relative_due

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 4)


@pytest.mark.parametrize(("days", "english", "german"), [
    (0, "due today", "heute fällig"), (1, "due tomorrow", "morgen fällig"), (4, "in 4 days", "in 4 Tagen"),
    (-1, "1 day overdue", "1 Tag überfällig"), (-2, "2 days overdue", "2 Tage überfällig"),
])
def test_relative_due_dates_in_both_languages(days: int, english: str, german: str) -> None:
    day = TODAY + datetime.timedelta(days=days)
    with override("en"):
        assert relative_due(day, TODAY) == english
    with override("de"):
        assert relative_due(day, TODAY) == german


def test_a_stale_reminder_text_is_shown_with_todays_relative_date(people, opportunity, client_for) -> None:
    due = timezone.localdate() - datetime.timedelta(days=20)
    Notification.objects.create(user=people["kam"], record=opportunity, kind="reminder", created_at=timezone.now(),
                                message={"en": f"Offer deadline: Grid monitoring — due {due.isoformat()} (4 days left)",
                                         "de": f"Angebotsfrist: Grid monitoring — fällig am {due.isoformat()} "
                                               "(noch 4 Tage)"})
    client = client_for(people["kam"])
    html = client.get(reverse("home")).content.decode()
    assert "days left" not in html and "(-" not in html
    assert "(20 days overdue)" in html
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert "noch 4 Tage" not in html and "(20 Tage überfällig)" in html
