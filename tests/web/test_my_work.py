"""My work: decisions and approvals waiting for me, my overdue stages, my open activities."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from salesflow.records import services

pytestmark = pytest.mark.django_db


def _ready_for_decision(record, kam) -> None:
    services.do_complete_activity(record.pk, kam, "risk_analysis")
    services.do_complete_activity(record.pk, kam, "customer_workshop")
    services.do_set_fields(record.pk, kam, {"budget": "150000", "decision_date": "2030-01-01"})


def test_a_ready_decision_waits_for_the_head_of_sales(people, opportunity, client_for) -> None:
    assert not client_for(people["head"]).get(reverse("home")).context["decisions"]
    _ready_for_decision(opportunity, people["kam"])
    decisions = client_for(people["head"]).get(reverse("home")).context["decisions"]
    assert [item["record"].pk for item in decisions] == [opportunity.pk]
    assert not client_for(people["kam"]).get(reverse("home")).context["decisions"]


def test_a_delegated_decision_waits_for_the_delegate(people, opportunity, client_for) -> None:
    _ready_for_decision(opportunity, people["kam"])
    services.do_delegate(opportunity.pk, people["head"], "kam")
    decisions = client_for(people["kam"]).get(reverse("home")).context["decisions"]
    assert [item["record"].pk for item in decisions] == [opportunity.pk]


def test_approvals_wait_for_the_band_that_may_grant_them(people, opportunity, client_for) -> None:
    services.do_move(opportunity.pk, people["head"], "solution_design", override_reason="test")
    services.do_move(opportunity.pk, people["head"], "proposal", override_reason="test")
    approvals = client_for(people["head"]).get(reverse("home")).context["approvals"]
    assert [(item["record"].pk, item["band_role"]) for item in approvals] == [(opportunity.pk, "Head of Sales")]
    assert not client_for(people["kam"]).get(reverse("home")).context["approvals"]  # 120 000 is above the KAM band


def test_overdue_stages_and_open_activities_of_my_records(people, client_for) -> None:
    stale = services.do_create_record("opportunity-management", people["kam"], {"title": "Stale"},
                                      at=timezone.now() - datetime.timedelta(days=31))
    services.do_create_record("opportunity-management", people["kam2"], {"title": "Not mine"},
                              at=timezone.now() - datetime.timedelta(days=31))
    context = client_for(people["kam"]).get(reverse("home")).context
    assert [item["record"].pk for item in context["overdue"]] == [stale.pk]
    titles = {item["title"] for item in context["activities"] if item["record"].pk == stale.pk}
    assert "Internal risk analysis (strategic, legal, technical)" in titles
    assert all(item["record"].title != "Not mine" for item in context["activities"])


def test_activities_of_a_named_bid_manager(people, opportunity, client_for) -> None:
    services.do_move(opportunity.pk, people["head"], "solution_design", override_reason="test")
    services.do_set_fields(opportunity.pk, people["kam"], {"bid_manager": "bid"})
    activities = client_for(people["bid"]).get(reverse("home")).context["activities"]
    assert [item["title"] for item in activities] == ["Organise the solution design"]
