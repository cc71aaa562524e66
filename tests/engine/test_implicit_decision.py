"""The deciding role's forward move takes the gate's open decision with it, recorded before the move."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import Unmet
from tests.engine.walk import HEAD, KAM, do_gate_work, kinds, new_record, unmet_ids


def test_deciders_move_records_decision_then_stage_change(definition) -> None:
    state = do_gate_work(definition, new_record(definition))
    result = actions.move(definition, state, HEAD, "solution_design")
    assert kinds(result) == ["decision_made", "stage_changed"]
    decision, moved = result.events
    assert decision.role == "head_of_sales"
    assert decision.from_stage == "qualification"
    assert decision.payload["answer"] == "yes"
    assert decision.payload["with_move"] is True
    assert decision.payload["question"] == "Is the opportunity qualified?"
    assert (moved.from_stage, moved.to_stage, moved.role) == ("qualification", "solution_design", "head_of_sales")
    assert result.state.stage == "solution_design"
    assert result.state.decisions["qualification"]["answer"] == "yes"
    assert result.state.decisions["qualification"]["by"] == HEAD.user_id


def test_no_second_decision_when_already_decided(definition) -> None:
    state = do_gate_work(definition, new_record(definition))
    state = actions.decide(definition, state, HEAD, "yes").state
    result = actions.move(definition, state, HEAD, "solution_design")
    assert kinds(result) == ["stage_changed"]


def test_a_no_blocks_the_owner_but_the_decider_may_still_move(definition) -> None:
    state = do_gate_work(definition, new_record(definition))
    state = actions.decide(definition, state, HEAD, "no").state
    with pytest.raises(Unmet) as refused:
        actions.move(definition, state, KAM, "solution_design")
    assert unmet_ids(refused.value) == [("decision", "qualification")]
    result = actions.move(definition, state, HEAD, "solution_design")
    assert kinds(result) == ["decision_made", "stage_changed"]
    assert result.state.decisions["qualification"]["answer"] == "yes"
