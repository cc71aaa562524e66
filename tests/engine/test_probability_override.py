"""The win probability can be overridden in a stage with a reason; a stage move returns to the default."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from tests.engine.walk import HEAD, KAM, SUPPORT, do_gate_work, new_record


@pytest.mark.parametrize("reason", [None, "", "  "])
def test_override_needs_a_reason(definition, reason) -> None:
    with pytest.raises(BadInput):
        actions.set_probability(definition, new_record(definition), KAM, 25, reason)


@pytest.mark.parametrize("value", [-1, 101])
def test_override_must_be_a_percentage(definition, value) -> None:
    with pytest.raises(BadInput):
        actions.set_probability(definition, new_record(definition), KAM, value, "reason")


def test_override_by_the_owner(definition) -> None:
    result = actions.set_probability(definition, new_record(definition), KAM, 25, "Strong sponsor")
    assert result.state.probability_override == 25
    assert actions.effective_probability(definition, result.state) == 25
    event = result.events[0]
    assert (event.kind, event.role) == ("probability_overridden", "kam")
    assert event.payload == {"old": 10, "new": 25, "stage_default": 10, "override": 25, "reason": "Strong sponsor"}


def test_same_value_again_is_a_conflict(definition) -> None:
    state = actions.set_probability(definition, new_record(definition), KAM, 25, "Strong sponsor").state
    with pytest.raises(Conflict):
        actions.set_probability(definition, state, KAM, 25, "Still strong")


def test_back_to_the_default_needs_no_reason(definition) -> None:
    state = actions.set_probability(definition, new_record(definition), KAM, 25, "Strong sponsor").state
    result = actions.set_probability(definition, state, KAM, None, None)
    assert result.state.probability_override is None
    assert actions.effective_probability(definition, result.state) == 10


def test_others_without_the_right_may_not(definition) -> None:
    with pytest.raises(NotPermitted):
        actions.set_probability(definition, new_record(definition), SUPPORT, 25, "Looks good")


def test_a_stage_move_resets_the_override(definition) -> None:
    state = actions.set_probability(definition, new_record(definition), KAM, 25, "Strong sponsor").state
    state = do_gate_work(definition, state)
    result = actions.move(definition, state, HEAD, "solution_design")
    moved = result.events[-1].payload
    assert moved["old_probability"] == 25
    assert moved["probability"] == 30
    assert moved["probability_override_cleared"] == 25
    assert result.state.probability_override is None
    assert actions.effective_probability(definition, result.state) == 30
