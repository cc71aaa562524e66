"""My work puts what waits for me first: a requested approval or decision leads its list and the waiting
sections come before notifications; a refused approval waits for the requester, not the approver."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesflow.records import services

pytestmark = pytest.mark.django_db


def _in_proposal(people, title: str, amount: str = "120000"):
    record = services.do_create_record("opportunity-management", people["kam"], {"title": title, "amount": amount})
    services.do_move(record.pk, people["head"], "solution_design", override_reason="test")
    services.do_move(record.pk, people["head"], "proposal", override_reason="test")
    return record


def test_a_requested_approval_comes_first_and_the_page_puts_waiting_work_above_notifications(
        people, client_for) -> None:
    older = _in_proposal(people, "Older, not asked")
    asked = _in_proposal(people, "Asked for")
    services.do_request_approval(asked.pk, people["kam"], "offer", "by Friday please")
    response = client_for(people["head"]).get(reverse("home"))
    approvals = response.context["approvals"]
    assert [item["record"].pk for item in approvals] == [asked.pk, older.pk]
    assert approvals[0]["ask"].by == "Kai Becker" and approvals[1]["ask"] is None
    html = response.content.decode()
    assert html.index('id="approvals"') < html.index('id="notifications"') < html.index('id="activities"')
    assert "Requested by Kai Becker" in html and "by Friday please" in html


def test_a_refused_approval_leaves_the_approvers_list_until_asked_again(people, client_for) -> None:
    record = _in_proposal(people, "Refused one")
    services.do_request_approval(record.pk, people["kam"], "offer")
    services.do_refuse_approval(record.pk, people["head"], "offer", "Price too low")
    assert client_for(people["head"]).get(reverse("home")).context["approvals"] == []
    services.do_request_approval(record.pk, people["kam"], "offer", "revised price")
    [item] = client_for(people["head"]).get(reverse("home")).context["approvals"]
    assert item["ask"].payload["note"] == "revised price"


def test_a_requested_decision_comes_first(people, client_for) -> None:
    records = []
    for title in ("First ready", "Second, asked"):
        record = services.do_create_record("opportunity-management", people["kam"], {"title": title})
        services.do_complete_activity(record.pk, people["kam"], "risk_analysis")
        services.do_complete_activity(record.pk, people["kam"], "customer_workshop")
        services.do_set_fields(record.pk, people["kam"], {"budget": "150000", "decision_date": "2030-01-01"})
        records.append(record)
    services.do_request_decision(records[1].pk, people["kam"])
    decisions = client_for(people["head"]).get(reverse("home")).context["decisions"]
    assert [item["record"].pk for item in decisions] == [records[1].pk, records[0].pk]
