"""A move from the board into a stage with hand-offs opens the confirmation page instead of moving at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from salesflow.records import services
from salesflow.records.models import Record
from tests.records.chain_processes import load_chain

pytestmark = pytest.mark.django_db


def test_the_board_asks_for_confirmation_first(people: dict[str, Any], client_for: Any) -> None:
    load_chain()
    kam = people["kam"]
    lead = services.do_create_record("t-lead", kam, {"title": "Lead", "company": "Alpen Solar"})
    lead = services.do_move(lead.pk, kam, "qualified")
    client = client_for(kam)
    response = client.post(reverse("record_move", args=[lead.pk]), {"stage": "converted"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("record_move_confirm", args=[lead.pk]) + "?stage=converted"
    lead.refresh_from_db()
    assert lead.stage == "qualified" and not Record.objects.filter(process__key="t-opp").exists()
    # a move into a stage without hand-offs still happens at once
    other = services.do_create_record("t-lead", kam, {"title": "Other", "company": "Beta"})
    moved = client.post(reverse("record_move", args=[other.pk]), {"stage": "qualified"}, HTTP_HX_REQUEST="true")
    assert moved["HX-Refresh"] == "true"
    other.refresh_from_db()
    assert other.stage == "qualified"
