"""The record page shows the path, guidance with RACI, the gate, the decision, approvals and the timeline."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from salesflow.records import services

pytestmark = pytest.mark.django_db


def _page(client, record) -> str:
    response = client.get(reverse("record", args=[record.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_path_highlights_the_current_stage_with_probabilities(people, opportunity, client_for) -> None:
    html = _page(client_for(people["kam"]), opportunity)
    current = re.search(r'<li class="path-step path-current[^"]*"[^>]*aria-current="step">(.*?)</li>', html, re.S)
    assert current and "Qualification" in current.group(1) and "10 %" in current.group(1)
    for title, probability in [("Proposal / Price Quote", "50 %"), ("Won", "100 %"), ("Lost", "0 %")]:
        assert title in html and probability in html


def test_guidance_lists_the_activities_with_raci(people, opportunity, client_for) -> None:
    html = _page(client_for(people["kam"]), opportunity)
    block = html[html.index('id="activity-risk_analysis"'):html.index('id="activity-customer_workshop"')]
    assert "Internal risk analysis (strategic, legal, technical)" in block
    assert "Key Account Manager" in block and "Internal departments, Sales Support" in block
    assert "required" in block and "Mark done" in block


def test_gate_checklist_and_decision_with_who_decides(people, opportunity, client_for) -> None:
    services.do_complete_activity(opportunity.pk, people["kam"], "risk_analysis")
    html = _page(client_for(people["kam"]), opportunity)
    gate = html[html.index('id="gate"'):html.index('id="approvals"')]
    assert re.search(r'check-met">.*?Internal risk analysis', gate, re.S)
    assert re.search(r'check-unmet">.*?Budget', gate, re.S)
    assert "Is the opportunity qualified?" in gate
    assert "Decided by Head of Sales" in gate and "may be delegated to a Key Account Manager" in gate
    assert 'name="answer" value="yes"' not in gate  # the KAM does not decide
    head_gate = _page(client_for(people["head"]), opportunity)
    assert 'name="answer" value="yes"' in head_gate


def test_approval_shows_the_band_that_applies(people, opportunity, client_for) -> None:
    html = _page(client_for(people["head"]), opportunity)
    approvals = html[html.index('id="approvals"'):html.index('id="closing"')]
    applies = re.search(r'<tr class="band-applies">(.*?)</tr>', approvals, re.S)
    assert applies and "up to 250,000" in applies.group(1) and "Head of Sales" in applies.group(1)
    assert "Approve for 120,000 EUR" in approvals


def test_customer_contact_shows_classification_and_handling_rule(people, opportunity, client_for) -> None:
    html = _page(client_for(people["kam"]), opportunity)
    block = html[html.index('id="activity-customer_workshop"'):html.index('id="activity-qualification_support"')]
    assert "Customer communication" in block
    assert "badge-internal" in block
    assert "always follow the information classification and the action guideline" in block
    risk = html[html.index('id="activity-risk_analysis"'):html.index('id="activity-customer_workshop"')]
    assert "Customer communication" not in risk


def test_timeline_shows_the_events(people, opportunity, client_for) -> None:
    services.do_set_probability(opportunity.pk, people["kam"], 20, "Sponsor on board")
    html = _page(client_for(people["kam"]), opportunity)
    timeline = html[html.index('id="timeline"'):]
    assert "Created in Qualification" in timeline
    assert "Probability 10 % → 20 %" in timeline and "Sponsor on board" in timeline


def test_a_closed_record_offers_no_actions(people, opportunity, client_for) -> None:
    services.do_complete_activity(opportunity.pk, people["kam"], "customer_informed")
    services.do_move(opportunity.pk, people["head"], "lost")
    html = _page(client_for(people["kam"]), opportunity)
    assert "Mark done" not in html and "Move to" not in html
    assert "Closed as Lost" in html
