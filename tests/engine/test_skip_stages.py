"""Jumping over a stage is not a move of the default process; an explicit transition allows it."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import NotPermitted, Unmet
from tests.engine.walk import HEAD, KAM, do_gate_work, library_with, new_record

SKIP = "transitions:\n  - from: qualification\n    to: proposal\n"
SKIP_BY_HEAD = SKIP + "    roles: [head_of_sales]\n"


def test_skip_is_unmet_without_a_transition(definition) -> None:
    state = do_gate_work(definition, new_record(definition))
    assert "proposal" not in actions.allowed_targets(definition, state)
    with pytest.raises(Unmet) as refused:
        actions.move(definition, state, HEAD, "proposal")
    first = refused.value.items[0]
    assert (first.kind, first.id) == ("stage", "proposal")
    assert "stages skipped: solution_design" in first.message


def test_skip_allowed_by_an_explicit_transition() -> None:
    definition = library_with("transitions: []\n", SKIP)
    state = do_gate_work(definition, new_record(definition))
    assert "proposal" in actions.allowed_targets(definition, state)
    result = actions.move(definition, state, HEAD, "proposal")
    assert result.state.stage == "proposal"
    moved = result.events[-1]
    assert moved.kind == "stage_changed"
    assert moved.payload["skipped"] == ["solution_design"]
    assert "overridden" not in moved.payload


def test_the_current_gate_still_applies_to_a_transition() -> None:
    definition = library_with("transitions: []\n", SKIP)
    with pytest.raises(Unmet) as refused:
        actions.move(definition, new_record(definition), KAM, "proposal")
    assert ("activity", "risk_analysis") in [(item.kind, item.id) for item in refused.value.items]
    assert "stage" not in [item.kind for item in refused.value.items]


def test_transition_roles_limit_who_may_take_it() -> None:
    definition = library_with("transitions: []\n", SKIP_BY_HEAD)
    state = do_gate_work(definition, new_record(definition))
    state = actions.decide(definition, state, HEAD, "yes").state
    with pytest.raises(NotPermitted):
        actions.move(definition, state, KAM, "proposal")
    assert actions.move(definition, state, HEAD, "proposal").state.stage == "proposal"
