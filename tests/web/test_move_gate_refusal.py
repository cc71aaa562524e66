"""Moving through the web runs the engine's gate: unmet items are listed and nothing changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesflow.records.models import Event, Record

pytestmark = pytest.mark.django_db


def test_refused_move_lists_the_unmet_items_and_changes_nothing(people, opportunity, client_for) -> None:
    before = Event.objects.filter(record_id=opportunity.pk).count()
    response = client_for(people["kam"]).post(reverse("record_move", args=[opportunity.pk]),
                                              {"stage": "solution_design", "version": opportunity.version})
    assert response.status_code == 422
    html = response.content.decode()
    assert "cannot move to Requirement Analysis / Solution Design" in html
    assert "Activity not done: Internal risk analysis" in html
    assert "Field empty: Budget" in html
    assert "Decision missing: Is the opportunity qualified?" in html
    assert "Override and move" not in html  # a KAM may not override
    record = Record.objects.get(pk=opportunity.pk)
    assert record.stage == "qualification" and record.version == opportunity.version
    assert Event.objects.filter(record_id=opportunity.pk).count() == before


def test_htmx_move_refusal_is_a_panel_for_the_board(people, opportunity, client_for) -> None:
    response = client_for(people["kam"]).post(
        reverse("record_move", args=[opportunity.pk]),
        {"stage": "solution_design", "version": opportunity.version, "next": reverse("board")},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="feedback')
    assert "<html" not in html
    assert "Field empty: Decision date" in html


def test_lost_needs_the_customer_informed(people, opportunity, client_for) -> None:
    client, head = client_for(people["kam"]), client_for(people["head"])
    response = head.post(reverse("record_move", args=[opportunity.pk]), {"stage": "lost"})
    assert response.status_code == 422
    assert "Activity not done: Inform the customer" in response.content.decode()
    client.post(reverse("record_activity", args=[opportunity.pk]), {"activity": "customer_informed"})
    response = head.post(reverse("record_move", args=[opportunity.pk]), {"stage": "lost"})
    assert response.status_code == 302
    assert Record.objects.get(pk=opportunity.pk).outcome == "lost"


def test_head_of_sales_is_offered_an_override_and_it_needs_a_reason(people, opportunity, client_for) -> None:
    client = client_for(people["head"])
    response = client.post(reverse("record_move", args=[opportunity.pk]), {"stage": "solution_design"})
    assert response.status_code == 422
    assert "Override and move" in response.content.decode()
    response = client.post(reverse("record_move", args=[opportunity.pk]),
                           {"stage": "solution_design", "override_reason": "Customer pressed; qualified in call"})
    assert response.status_code == 302
    record = Record.objects.get(pk=opportunity.pk)
    assert record.stage == "solution_design"
    override = Event.objects.get(record_id=record.pk, kind="gate_overridden")
    assert override.payload["reason"] == "Customer pressed; qualified in call"


def test_successful_htmx_move_asks_the_page_to_reload(people, opportunity, client_for) -> None:
    client = client_for(people["head"])
    response = client.post(reverse("record_move", args=[opportunity.pk]),
                           {"stage": "solution_design", "override_reason": "ok"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"


def test_moving_without_the_right_is_403(people, opportunity, client_for) -> None:
    response = client_for(people["kam2"]).post(reverse("record_move", args=[opportunity.pk]), {"stage": "lost"})
    assert response.status_code == 403
    assert Record.objects.get(pk=opportunity.pk).stage == "qualification"


def test_a_stale_form_is_a_409_conflict(people, opportunity, client_for) -> None:
    client = client_for(people["kam"])
    client.post(reverse("record_activity", args=[opportunity.pk]), {"activity": "risk_analysis"})
    response = client.post(reverse("record_activity", args=[opportunity.pk]),
                           {"activity": "customer_workshop", "version": opportunity.version})
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert "customer_workshop" not in Record.objects.get(pk=opportunity.pk).progress["done"]
