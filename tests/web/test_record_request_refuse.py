"""The record page: request an approval or a decision, refuse an approval with a reason (web forms)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesflow.records import services
from salesflow.records.models import Event, Notification

pytestmark = pytest.mark.django_db


def test_request_and_refuse_on_the_record_page(people, opportunity, client_for) -> None:
    kam, head = client_for(people["kam"]), client_for(people["head"])
    page = kam.get(reverse("record", args=[opportunity.pk])).content.decode()
    assert "Request approval" in page and "Request decision" in page and ">Refuse<" not in page
    response = kam.post(reverse("record_request_approval", args=[opportunity.pk]),
                        {"approval": "offer", "note": "by Friday", "version": opportunity.version}, follow=True)
    assert "Approval requested: the approver is notified." in response.content.decode()
    assert Notification.objects.filter(user=people["head"], kind="approval_requested").count() == 1
    page = head.get(reverse("record", args=[opportunity.pk])).content.decode()
    assert "Approval requested by Kai Becker" in page and ">Refuse<" in page
    opportunity.refresh_from_db()
    refused = head.post(reverse("record_refuse_approval", args=[opportunity.pk]),
                        {"approval": "offer", "reason": " ", "version": opportunity.version})
    assert refused.status_code == 400 and not Event.objects.filter(kind="approval_refused").exists()
    response = head.post(reverse("record_refuse_approval", args=[opportunity.pk]),
                         {"approval": "offer", "reason": "Price too low", "version": opportunity.version},
                         follow=True)
    assert "Approval refused: the requester and the owner are notified." in response.content.decode()
    kam.post(reverse("set_language"), {"language": "de", "next": "/"})
    page = kam.get(reverse("record", args=[opportunity.pk])).content.decode()
    assert "Abgelehnt von Helena Hoffmann" in page and "Begründung: Price too low" in page
    assert "Freigabe abgelehnt: Angebotsfreigabe (Kompetenzkatalog)" in page  # the timeline
    assert "Freigabe angefragt: Angebotsfreigabe (Kompetenzkatalog)" in page


def test_request_decision_on_the_record_page(people, opportunity, client_for) -> None:
    kam = client_for(people["kam"])
    response = kam.post(reverse("record_request_decision", args=[opportunity.pk]),
                        {"note": "all done", "version": opportunity.version}, follow=True)
    assert "Decision requested: who decides is notified." in response.content.decode()
    page = response.content.decode()
    assert "Decision requested by Kai Becker" in page
    assert Notification.objects.filter(user=people["head"], kind="decision_requested").count() == 1
    other = client_for(people["kam2"]).post(reverse("record_request_decision", args=[opportunity.pk]),
                                            {"version": services.get_record(opportunity.pk).version})
    assert other.status_code == 403
