"""An owner without the deciding role moves on only after the decision was taken."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import NotPermitted, Unmet
from tests.engine.walk import HEAD, KAM, do_gate_work, kinds, new_record, unmet_ids


def test_owner_is_refused_with_only_the_decision_missing(definition) -> None:
    state = do_gate_work(definition, new_record(definition))
    with pytest.raises(Unmet) as refused:
        actions.move(definition, state, KAM, "solution_design")
    assert unmet_ids(refused.value) == [("decision", "qualification")]
    assert "decided by Head of Sales" in refused.value.items[0].message


def test_owner_cannot_take_the_decision(definition) -> None:
    state = do_gate_work(definition, new_record(definition))
    with pytest.raises(NotPermitted):
        actions.decide(definition, state, KAM, "yes")


def test_owner_moves_after_the_head_of_sales_decided(definition) -> None:
    state = do_gate_work(definition, new_record(definition))
    decided = actions.decide(definition, state, HEAD, "yes")
    assert kinds(decided) == ["decision_made"]
    assert decided.events[0].role == "head_of_sales"
    result = actions.move(definition, decided.state, KAM, "solution_design")
    assert kinds(result) == ["stage_changed"]
    assert result.events[0].role == "kam"
    assert result.state.stage == "solution_design"
