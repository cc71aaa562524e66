"""A backward move is always allowed and reopens the work of the stages it returns to and beyond."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import NotPermitted, Unmet
from tests.engine.walk import HEAD, KAM, KAM2, do, kinds, unmet_ids, walk_to


@pytest.fixture
def in_proposal(definition):
    state = do(definition, walk_to(definition, "proposal"), KAM, "prepare_offer")
    return actions.approve(definition, state, HEAD, "offer").state


def test_back_to_the_first_stage_reopens_everything(definition, in_proposal) -> None:
    result = actions.move(definition, in_proposal, KAM, "qualification")
    assert kinds(result) == ["stage_changed"]
    payload = result.events[0].payload
    assert payload["direction"] == "backward"
    assert payload["reopened"] == {
        "activities": ["risk_analysis", "customer_workshop", "name_bid_manager", "customer_needs",
                       "solution_design", "prepare_offer"],
        "decisions": ["qualification", "solution_design"],
        "approvals": ["offer"],
    }
    state = result.state
    assert state.stage == "qualification"
    assert state.done == {} and state.decisions == {} and state.approvals == {}
    # Field values are kept: only the process work is reopened.
    assert state.values["budget"] == "150000.00"


def test_back_one_stage_keeps_earlier_work(definition, in_proposal) -> None:
    result = actions.move(definition, in_proposal, KAM, "solution_design")
    assert result.events[0].payload["reopened"] == {
        "activities": ["name_bid_manager", "customer_needs", "solution_design", "prepare_offer"],
        "decisions": ["solution_design"],
        "approvals": ["offer"],
    }
    assert set(result.state.done) == {"risk_analysis", "customer_workshop"}
    assert set(result.state.decisions) == {"qualification"}


def test_reopened_gate_must_hold_again(definition, in_proposal) -> None:
    state = actions.move(definition, in_proposal, KAM, "solution_design").state
    with pytest.raises(Unmet) as refused:
        actions.move(definition, state, KAM, "proposal")
    assert unmet_ids(refused.value) == [
        ("activity", "name_bid_manager"),
        ("activity", "customer_needs"),
        ("activity", "solution_design"),
        ("decision", "solution_design"),
    ]


def test_backward_move_ignores_unmet_gates(definition) -> None:
    state = walk_to(definition, "solution_design")
    # Nothing of solution_design is done, still the owner may go back.
    assert actions.move(definition, state, KAM, "qualification").state.stage == "qualification"


def test_backward_move_still_needs_a_mover(definition) -> None:
    with pytest.raises(NotPermitted):
        actions.move(definition, walk_to(definition, "solution_design"), KAM2, "qualification")
