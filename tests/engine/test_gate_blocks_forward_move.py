"""A forward move is refused while the current stage's gate does not hold, listing exactly what is missing."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import Unmet
from tests.engine.walk import HEAD, KAM, new_record, unmet_ids


def test_fresh_record_lists_every_missing_item_in_order(definition) -> None:
    state = new_record(definition)
    with pytest.raises(Unmet) as refused:
        actions.move(definition, state, KAM, "solution_design")
    assert unmet_ids(refused.value) == [
        ("activity", "risk_analysis"),
        ("activity", "customer_workshop"),
        ("field", "budget"),
        ("field", "decision_date"),
        ("decision", "qualification"),
    ]
    assert {item.stage for item in refused.value.items} == {"qualification"}
    assert refused.value.code == "unmet"
    assert [row["id"] for row in refused.value.to_data()["unmet"]] == [
        "risk_analysis", "customer_workshop", "budget", "decision_date", "qualification"]


def test_only_what_is_still_missing_is_listed(definition) -> None:
    state = new_record(definition)
    state = actions.do_activity(definition, state, KAM, "risk_analysis").state
    state = actions.set_fields(definition, state, KAM, {"budget": "90000.00"}).state
    with pytest.raises(Unmet) as refused:
        actions.move(definition, state, KAM, "solution_design")
    assert unmet_ids(refused.value) == [
        ("activity", "customer_workshop"),
        ("field", "decision_date"),
        ("decision", "qualification"),
    ]


def test_optional_activities_are_not_part_of_the_gate(definition) -> None:
    state = new_record(definition)
    with pytest.raises(Unmet) as refused:
        actions.move(definition, state, HEAD, "solution_design")
    ids = [item.id for item in refused.value.items]
    assert "qualification_support" not in ids
    # The Head of Sales decides with the move, so the decision is not listed for them.
    assert unmet_ids(refused.value) == [
        ("activity", "risk_analysis"),
        ("activity", "customer_workshop"),
        ("field", "budget"),
        ("field", "decision_date"),
    ]


def test_refused_move_leaves_the_state_untouched(definition) -> None:
    state = new_record(definition)
    before = state.copy()
    with pytest.raises(Unmet):
        actions.move(definition, state, HEAD, "solution_design")
    assert state == before
