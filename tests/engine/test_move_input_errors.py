"""Wrong requests: the current stage is a conflict, unknown ids are bad input."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import BadInput, Conflict
from tests.engine.walk import HEAD, KAM, new_record, walk_to


def test_move_to_the_current_stage_is_a_conflict(definition) -> None:
    with pytest.raises(Conflict) as refused:
        actions.move(definition, new_record(definition), HEAD, "qualification")
    assert refused.value.code == "conflict"


def test_unknown_stage_is_bad_input_listing_the_stages(definition) -> None:
    with pytest.raises(BadInput) as refused:
        actions.move(definition, new_record(definition), HEAD, "closing")
    assert refused.value.code == "bad_input"
    assert "'closing'" in refused.value.message
    assert "qualification, solution_design, proposal, negotiation, won, lost" in refused.value.message


def test_unknown_activity_is_bad_input(definition) -> None:
    with pytest.raises(BadInput) as refused:
        actions.do_activity(definition, new_record(definition), KAM, "coffee_break")
    assert "'coffee_break'" in refused.value.message


def test_activity_of_another_stage_is_bad_input(definition) -> None:
    with pytest.raises(BadInput) as refused:
        actions.do_activity(definition, new_record(definition), KAM, "prepare_offer")
    assert "belongs to stage proposal" in refused.value.message


def test_activity_done_twice_is_a_conflict(definition) -> None:
    state = actions.do_activity(definition, new_record(definition), KAM, "risk_analysis").state
    with pytest.raises(Conflict):
        actions.do_activity(definition, state, KAM, "risk_analysis")


def test_unknown_approval_is_bad_input(definition) -> None:
    with pytest.raises(BadInput):
        actions.approve(definition, new_record(definition), HEAD, "discount")


def test_decision_answer_must_be_yes_or_no(definition) -> None:
    with pytest.raises(BadInput):
        actions.decide(definition, new_record(definition), HEAD, "maybe")


def test_stage_without_decision_has_nothing_to_decide(definition) -> None:
    with pytest.raises(BadInput):
        actions.decide(definition, walk_to(definition, "proposal"), HEAD, "yes")
