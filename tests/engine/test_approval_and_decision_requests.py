"""Requests for approvals and decisions, and refusing an approval with a reason (engine, no database)."""

from __future__ import annotations

import pytest

from salesflow.engine import actions, requests
from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from tests.engine.walk import HEAD, KAM, KAM2, new_record


def test_an_approval_request_asks_the_band_role_for_the_amount(definition) -> None:
    big = requests.request_approval(definition, new_record(definition, "120000.00"), KAM, "offer", "please")
    event = big.events[0]
    assert (event.kind, event.approval, event.role) == ("approval_requested", "offer", "kam")
    assert event.payload["asked"] == ["head_of_sales"] and event.payload["note"] == "please"
    small = requests.request_approval(definition, new_record(definition, "30000.00"), KAM, "offer")
    assert small.events[0].payload["asked"] == ["kam"]


def test_only_who_may_edit_the_record_requests(definition) -> None:
    with pytest.raises(NotPermitted):
        requests.request_approval(definition, new_record(definition), KAM2, "offer")
    with pytest.raises(NotPermitted):
        requests.request_decision(definition, new_record(definition), KAM2)


def test_a_granted_approval_is_not_requested_or_refused(definition) -> None:
    state = actions.approve(definition, new_record(definition), HEAD, "offer").state
    with pytest.raises(Conflict):
        requests.request_approval(definition, state, KAM, "offer")
    with pytest.raises(Conflict):
        requests.refuse_approval(definition, state, HEAD, "offer", "too cheap")


def test_a_refusal_needs_the_approver_and_a_reason(definition) -> None:
    state = new_record(definition, "120000.00")
    with pytest.raises(NotPermitted, match="Head of Sales"):
        requests.refuse_approval(definition, state, KAM, "offer", "no")
    with pytest.raises(BadInput, match="reason"):
        requests.refuse_approval(definition, state, HEAD, "offer", "  ")
    result = requests.refuse_approval(definition, state, HEAD, "offer", "Margin below 18 %", requested_by=2)
    event = result.events[0]
    assert (event.kind, event.role) == ("approval_refused", "head_of_sales")
    assert event.payload["reason"] == "Margin below 18 %" and event.payload["requested_by"] == 2
    assert "offer" not in result.state.approvals


def test_a_decision_request_asks_the_deciding_role_or_the_delegate(definition) -> None:
    state = new_record(definition)
    event = requests.request_decision(definition, state, KAM).events[0]
    assert event.kind == "decision_requested" and event.payload["asked"] == ["head_of_sales"]
    assert event.payload["delegate_id"] is None
    delegated = actions.delegate(definition, state, HEAD, KAM2).state
    event = requests.request_decision(definition, delegated, KAM).events[0]
    assert event.payload["asked"] == [] and event.payload["delegate_id"] == KAM2.user_id


def test_a_decision_taken_is_not_requested(definition) -> None:
    state = actions.decide(definition, new_record(definition), HEAD, "yes").state
    with pytest.raises(Conflict):
        requests.request_decision(definition, state, KAM)
