"""The Head of Sales may pass gate decisions to a KAM, and take them back."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import BadInput, Conflict, NotPermitted, Unmet
from tests.engine.walk import HEAD, KAM, KAM2, SUPPORT, do_gate_work, kinds, new_record, unmet_ids


def test_delegated_kam_decides_with_the_move(definition) -> None:
    state = do_gate_work(definition, new_record(definition))
    delegated = actions.delegate(definition, state, HEAD, KAM)
    assert kinds(delegated) == ["delegated"]
    assert delegated.events[0].payload["stages"] == ["qualification", "solution_design", "negotiation"]
    assert delegated.events[0].payload["to_user_id"] == KAM.user_id
    result = actions.move(definition, delegated.state, KAM, "solution_design")
    assert kinds(result) == ["decision_made", "stage_changed"]
    assert result.events[0].role == "kam"
    assert result.state.decisions["qualification"]["by"] == KAM.user_id


def test_delegated_kam_may_decide_explicitly(definition) -> None:
    state = actions.delegate(definition, new_record(definition), HEAD, KAM).state
    result = actions.decide(definition, state, KAM, "no")
    assert result.events[0].role == "kam"
    assert result.state.decisions["qualification"]["answer"] == "no"


def test_another_kam_is_not_delegated(definition) -> None:
    state = do_gate_work(definition, new_record(definition))
    state = actions.delegate(definition, state, HEAD, KAM).state
    with pytest.raises(NotPermitted):
        actions.decide(definition, state, KAM2, "yes")


def test_revocation_takes_the_decision_back(definition) -> None:
    state = do_gate_work(definition, new_record(definition))
    state = actions.delegate(definition, state, HEAD, KAM).state
    revoked = actions.delegate(definition, state, HEAD, None)
    assert kinds(revoked) == ["delegation_revoked"]
    assert revoked.state.delegations == {}
    with pytest.raises(Unmet) as refused:
        actions.move(definition, revoked.state, KAM, "solution_design")
    assert unmet_ids(refused.value) == [("decision", "qualification")]
    with pytest.raises(NotPermitted):
        actions.decide(definition, revoked.state, KAM, "yes")
    with pytest.raises(Conflict):
        actions.delegate(definition, revoked.state, HEAD, None)


def test_delegation_limited_to_one_stage(definition) -> None:
    state = do_gate_work(definition, new_record(definition))
    state = actions.delegate(definition, state, HEAD, KAM, ["negotiation"]).state
    assert set(state.delegations) == {"negotiation"}
    with pytest.raises(Unmet):
        actions.move(definition, state, KAM, "solution_design")


def test_user_without_a_delegable_role_cannot_be_delegated_to(definition) -> None:
    state = new_record(definition)
    with pytest.raises(BadInput) as refused:
        actions.delegate(definition, state, HEAD, SUPPORT)
    assert "delegable to Key Account Manager" in refused.value.message


def test_only_the_deciding_role_delegates(definition) -> None:
    with pytest.raises(NotPermitted):
        actions.delegate(definition, new_record(definition), KAM, KAM)


def test_unknown_stage_cannot_be_delegated(definition) -> None:
    with pytest.raises(BadInput):
        actions.delegate(definition, new_record(definition), HEAD, KAM, ["proposal"])
