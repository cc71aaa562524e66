"""Every page asks an anonymous visitor to sign in first (and changes nothing for them)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from salesflow.records.models import Event

pytestmark = pytest.mark.django_db

PAGES = [
    ("home", {}), ("board", {}), ("records", {}), ("record_create", {}), ("record", {"record_id": 1}),
    ("processes", {}), ("process", {"key": "opportunity-management"}), ("access_review", {}),
    ("access_review_csv", {}), ("account", {}), ("password_change", {}),
]
ACTIONS = ["record_move", "record_activity", "record_decide", "record_approve", "record_fields",
           "record_probability", "record_delegate", "record_members"]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_pages_redirect_anonymous_visitors_to_the_login(name: str, kwargs: dict[str, Any]) -> None:
    url = reverse(name, kwargs=kwargs)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_redirect_anonymous_visitors_and_change_nothing(name: str, opportunity: Any) -> None:
    before = Event.objects.filter(record_id=opportunity.pk).count()
    response = Client().post(reverse(name, kwargs={"record_id": opportunity.pk}),
                             {"stage": "lost", "activity": "risk_analysis", "answer": "yes"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Event.objects.filter(record_id=opportunity.pk).count() == before


def test_the_login_page_and_health_check_are_public() -> None:
    assert Client().get(reverse("login")).status_code == 200
    assert Client().get(reverse("healthz")).content.startswith(b"ok\n")
